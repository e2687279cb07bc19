// The LAN API's listener: the shared HTTP server (http/) serving the API's route table (http_api), the
// staff page's files and, for each route, what the table says — a client's bearer token and its allowed
// addresses before any large body is read, and every authenticated exchange journalled before it is
// answered (a PIN never: its route is marked secret).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "endpoint/metrics.hpp"
#include "endpoint/routes.hpp"
#include "endpoint/staff_sign_in.hpp"
#include "http/server.hpp"
#include "store/api_clients.hpp"
#include "store/journal.hpp"

namespace kh::endpoint {

// The API's routes as the server runs them. `staff` (may be null: staff routes then take API tokens only)
// lets staff signed in on the staff page use the routes marked Access::Staff.
std::vector<http::Route> apiHttpRoutes(const std::vector<Route>& routes, store::ApiClients& clients, store::Journal& journal,
                                       bool overTls, StaffAccess* staff = nullptr);

// The listener: the routes above plus the staff pages of `webAdminRoot` (when set), counted in `metrics`.
std::unique_ptr<http::Server> apiListener(http::ServerSettings settings, const std::vector<Route>& routes,
                                          store::ApiClients& clients, store::Journal& journal, Metrics& metrics,
                                          const std::string& webAdminRoot, StaffAccess* staff = nullptr);

}  // namespace kh::endpoint

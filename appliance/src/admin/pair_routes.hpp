// The web admin's view of an HA pair (docs/ha.md): which node runs the services, each node's state, DRBD's
// connection and sync, the last takeover and why — read only, from the cluster helper's status folder — and
// two requests the helper carries out: move the services to the other node, and put a node in standby for
// maintenance (or back online). A box that is not in a pair answers {"inPair": false} and the view stays hidden.
#pragma once
#include <functional>
#include <vector>

#include "admin/admin_route.hpp"
#include "admin/pair_status.hpp"
#include "store/audit_log.hpp"

namespace kh::admin {

std::vector<AdminRoute> pairRoutes(PairStatus& pair, store::AuditLog& audit);

}  // namespace kh::admin

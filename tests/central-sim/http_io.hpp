// Small helpers shared by the API and control servers: reading a capped body, sending an answer,
// and closing a connection without answering (for the drop and outage faults).
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "request_log.hpp"

namespace ksim {

enum class BodyRead { Ok, TooLarge, Failed };

BodyRead readBody(Poco::Net::HTTPServerRequest& request, std::string& body, std::size_t cap);
// The path of the request URI, without query.
std::string requestPath(const Poco::Net::HTTPServerRequest& request);
std::vector<std::pair<std::string, std::string>> queryParameters(const Poco::Net::HTTPServerRequest& request);
std::string queryParameter(const Poco::Net::HTTPServerRequest& request, const std::string& name,
                           const std::string& fallback);
// Sends the answer; a "Content-Type" entry among its headers overrides the given default.
void sendAnswer(Poco::Net::HTTPServerResponse& response, const StoredAnswer& answer,
                const std::string& contentType);
void dropConnection(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

}  // namespace ksim

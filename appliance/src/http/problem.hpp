// The one problem writer: every refusal of every listener is application/problem+json (RFC 9457) made
// from the shared error table (model/errors.hpp), so a client reads the same shape from the LAN API,
// the staff page and the web admin.
#pragma once
#include <string>
#include <vector>

#include "http/message.hpp"
#include "model/codes.hpp"
#include "model/errors.hpp"

namespace kh::http {

std::string encodeProblem(model::ErrorId id, const std::string& detail, const std::vector<model::FieldError>& fields = {});
Reply problemReply(model::ErrorId id, const std::string& detail = "", const std::vector<model::FieldError>& fields = {});

}  // namespace kh::http

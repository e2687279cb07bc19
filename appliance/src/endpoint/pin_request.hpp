// The body of a PIN submission, {"pin": "1234", "confirmLastTry": true}, read straight into a SecurePin:
// a general JSON parser would leave copies of the PIN in its strings. Strict: exactly these two keys,
// no escapes, nothing after the object.
#pragma once
#include <string>
#include <string_view>

#include "cardreader/secure_pin.hpp"

namespace kh::endpoint {

// False with `error` (naming the problem, never the PIN) when the body is not such an object. The PIN's
// format (four digits) is left to SecurePin::wellFormed, so a malformed PIN gets its own answer.
bool readPinRequest(std::string_view body, cardreader::SecurePin& pin, bool& confirmLastTry, std::string& error);

}  // namespace kh::endpoint

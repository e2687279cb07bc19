// Routes for card readers and card checks on home visits: the readers and their live card state, and a
// card-check session a receipt computer or the staff page drives — open it on a reader, follow it
// (long polling), give the PIN or confirm the visual check, read the result, cancel it.
#pragma once
#include <vector>

#include "endpoint/routes.hpp"
#include "services/card_check_service.hpp"

namespace kh::endpoint {
std::vector<Route> cardCheckRoutes(services::CardCheckService& service);
// {"serviceUp","problem"?,"generation","readers":[{"name","cardPresent","inUse","mute","atr"?}]}
HttpReply readersReply(const cardreader::ReaderSnapshot& snapshot);
}  // namespace kh::endpoint

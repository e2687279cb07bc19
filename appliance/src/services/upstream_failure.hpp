// A failed upstream call as the services' error, for callers that have no queue to fall back on: the link is
// down (UpstreamUnavailable: ask again later), or the central system refused (UpstreamRejected, with its code
// and words after `what`, the call's name).
#pragma once
#include <string>

#include "model/errors.hpp"
#include "upstream/central_client.hpp"

namespace kh::services {

[[noreturn]] inline void throwFailure(const upstream::Failure& f, const char* what) {
    using model::ErrorId;
    if (f.kind == upstream::Failure::Kind::Unreachable) throw model::KakehashiError(ErrorId::UpstreamUnavailable, f.message);
    throw model::KakehashiError(ErrorId::UpstreamRejected,
                                std::string(what) + ": " + (f.code.empty() ? f.message : f.code + " " + f.message));
}

}  // namespace kh::services

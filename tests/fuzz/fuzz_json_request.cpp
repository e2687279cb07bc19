// libFuzzer target: the HTTP API's JSON request decoder. Any input must either decode or raise
// KakehashiError; anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "endpoint/json_request.hpp"
#include "model/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    try {
        auto q = kh::endpoint::decodeInquiryRequest(body);
        (void)kh::model::validate(q);
    } catch (const kh::model::KakehashiError&) {
    }
    try {
        auto b = kh::endpoint::decodeBatchRequest(body, 100);
        for (const auto& q : b.entries) (void)kh::model::validate(q);
    } catch (const kh::model::KakehashiError&) {
    }
    try {
        for (const auto& r : kh::endpoint::decodeRegistrationRequest(body, 100)) (void)kh::model::validate(r);
    } catch (const kh::model::KakehashiError&) {
    }
    return 0;
}

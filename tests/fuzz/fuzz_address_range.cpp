// An API client's allowed address (model/address_range), as typed at the CLI or sent to the web admin: any
// bytes are accepted in normal form or refused with KakehashiError, and the normal form is its own.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/address_range.hpp"
#include "model/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string entry(reinterpret_cast<const char*>(data), size);
    std::string normal;
    try {
        normal = kh::model::normaliseAddressRange(entry);
    } catch (const kh::model::KakehashiError&) {
        return 0;
    }
    if (kh::model::normaliseAddressRange(normal) != normal) std::abort();
    return 0;
}

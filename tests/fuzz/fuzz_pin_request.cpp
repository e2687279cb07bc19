// The PIN submission body reader (endpoint/pin_request): any bytes, never a crash or a read past the end.
#include <cstddef>
#include <cstdint>
#include <string>

#include "endpoint/pin_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kh::cardreader::SecurePin pin;
    bool confirm = false;
    std::string error;
    if (kh::endpoint::readPinRequest(std::string_view(reinterpret_cast<const char*>(data), size), pin, confirm, error))
        (void)pin.wellFormed();
    return 0;
}

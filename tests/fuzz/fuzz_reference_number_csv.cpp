// libFuzzer target: the reference-number CSV import (encoding detection, RFC 4180 reader, header mapping).
// Any input must either decode or raise KakehashiError; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "endpoint/reference_number_csv.hpp"
#include "model/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    for (const char* type : {"text/csv", "text/csv; charset=Shift_JIS", "text/csv; charset=utf-8"}) {
        try {
            for (const auto& row : kh::endpoint::decodeRegistrationCsv(body, type, 100))
                (void)kh::model::validate(row.registration);
        } catch (const kh::model::KakehashiError&) {
        }
    }
    return 0;
}

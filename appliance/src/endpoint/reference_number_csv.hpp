// The CSV import of reference numbers (照会番号の一括登録): UTF-8 or Shift_JIS (CP932), RFC 4180 quoting, a
// header row naming the five columns in Japanese (照会番号,保険者番号,記号,番号,枝番) or English
// (referenceNumber,insurerNumber,cardSymbol,cardNumber,branchNumber), in any order. The whole file is read
// before anything is registered: one malformed line refuses the file, naming the line. Throws only
// KakehashiError (a fuzz target holds it to that).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/reference_number.hpp"

namespace kh::endpoint {

struct CsvRecord {
    size_t line = 0;  // physical line the record starts on, from 1
    std::vector<std::string> fields;
};

// RFC 4180 records: fields separated by ',', records by CRLF, LF or CR; a quoted field may hold ',', line
// breaks and "" for a quote. Throws MalformedCsv ("line N: …") on an unterminated quote, a quote inside an
// unquoted field, or text after a closing quote.
std::vector<CsvRecord> readCsv(std::string_view text);

// The body as UTF-8: a UTF-8 BOM is dropped; a `charset` of the Shift_JIS family in `contentType` is read as
// CP932; otherwise valid UTF-8 stays as it is and anything else is read as CP932. Throws BadEncoding.
std::string csvTextAsUtf8(std::string_view bytes, const std::string& contentType);

struct CsvRegistration {
    size_t line = 0;
    model::ReferenceNumberRegistration registration;
};

// Header and rows → registrations (values trimmed; fields are not validated here: see model::validate).
// Blank lines are skipped. Throws MalformedCsv (missing, unknown or repeated header column; a row with
// another number of fields than the header), EmptyRequest, TooManyEntries, BadEncoding.
std::vector<CsvRegistration> decodeRegistrationCsv(std::string_view bytes, const std::string& contentType,
                                                   size_t maxEntries);

}  // namespace kh::endpoint

// libFuzzer target for the spec layer: bytes from a receipt computer's share go through parseXml and every
// message decoder (eligibility, consented patients, reference numbers, medication / checkup info). Only
// KakehashiError is an expected outcome; any other exception, a sanitizer report or a broken round trip
// (write → read → write must be stable) crashes so the fuzzer keeps the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/errors.hpp"
#include "spec/home_consent_messages.hpp"
#include "spec/medical_info_messages.hpp"
#include "spec/messages.hpp"
#include "spec/reference_number_messages.hpp"
#include "spec/xml.hpp"

namespace {
using kh::model::KakehashiError;
using namespace kh::spec;

void require(bool condition) {
    if (!condition) std::abort();
}

// A written document must read back; its message must then write out byte for byte the same again.
template <typename Decode>
void checkMessage(const XmlElement& root, Encoding encoding, Decode decode) {
    std::string first;
    try {
        first = writeXml(encode(decode(root)), encoding);
    } catch (const KakehashiError&) {
        return;  // not this message's shape
    }
    const ParsedXml again = parseXml(first);  // must not throw: we wrote it
    require(again.encoding == encoding);
    require(writeXml(encode(decode(again.root)), encoding) == first);
}

// Any tree the reader built must write out in both encodings and read back with the same shape (names may
// change in Shift_JIS, where characters outside CP932 become 〓).
void checkTree(const XmlElement& root) {
    for (Encoding encoding : {Encoding::Utf8, Encoding::ShiftJis}) {
        const ParsedXml again = parseXml(writeXml(root, encoding));
        require(encoding != Encoding::Utf8 || again.root.name == root.name);
        require(again.root.children.size() == root.children.size());
    }
}

void checkFileName(std::string_view bytes) {
    const std::string name(bytes.substr(0, 128));
    kindFromFileName(name);
    consentListTreatmentFromFileName(name);
    medicalInfoScopeFromFileName(name);
    for (const std::string& derived :
         {resultFileName(name), errorFileName(name), medicalInfoResultFileName(name, 1)})
        require(derived.find('/') == std::string::npos && derived.find("..") == std::string::npos);
}

// The opaque medical-info result: either kind may throw KakehashiError; a kept body is the input unchanged.
void checkMedicalInfoResult(std::string_view bytes) {
    for (int fileCategory : {1, 2}) {
        try {
            require(decodeMedicalInfoResult(std::string(bytes), fileCategory).body == bytes);
        } catch (const KakehashiError&) {
        }
    }
}

kh::model::MedicalInfoRequest decodeMedicationRequest(const XmlElement& root) {
    return decodeMedicalInfoRequest(root, kh::model::ConsentScope::Medication);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    checkFileName(bytes);
    checkMedicalInfoResult(bytes);
    ParsedXml parsed;
    try {
        parsed = parseXml(bytes);
    } catch (const KakehashiError&) {
        return 0;
    }
    checkTree(parsed.root);
    const Encoding enc = parsed.encoding;
    checkMessage(parsed.root, enc, decodeSingleInquiryRequest);
    checkMessage(parsed.root, enc, decodeBatchUploadRequest);
    checkMessage(parsed.root, enc, decodeBatchDownloadRequest);
    checkMessage(parsed.root, enc, decodeSingleInquiryResponse);
    checkMessage(parsed.root, enc, decodeBatchAcceptedResponse);
    checkMessage(parsed.root, enc, decodeBatchResultResponse);
    checkMessage(parsed.root, enc, decodeConsentListRequest);
    checkMessage(parsed.root, enc, decodeReferenceNumberRequest);
    checkMessage(parsed.root, enc, decodeReferenceNumberBatchRequest);
    checkMessage(parsed.root, enc, decodeReferenceNumberResponse);
    checkMessage(parsed.root, enc, decodeMedicationRequest);
    return 0;
}

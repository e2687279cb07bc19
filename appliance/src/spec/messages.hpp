// The external-interface messages (電文) for eligibility checks, mapped to and from the canonical model.
// Reading is liberal (any order, unknown elements ignored, every child optional); writing is strict and
// follows the element order of docs/file-interface.md.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "spec/xml.hpp"

namespace kh::spec {

// What a file or body is, from its file-name prefix (OQSsiquc01req_…) or its content.
enum class MessageKind {
    Unknown, SingleInquiry, BatchUpload, BatchDownload,
    ConsentListUpload, ConsentListDownload,                                     // OQSmuhvq / OQSmuonq 01 / 02
    ReferenceNumberSingle, ReferenceNumberUpload, ReferenceNumberDownload,      // OQSsiimm01, OQSmuimm01 / 02
    MedicationInfo, CheckupInfo,                                                // YZKsiquc01, TKKsiquc01
    MedicalAidUpload, MedicalAidDownload,                                       // OQSmutic01 / 02 (医療扶助)
};

// "OQSsiquc01req_202611240001.xml" → SingleInquiry; also OQSmuquc01req → BatchUpload,
// OQSmuquc02req → BatchDownload, and the kinds above (the system prefix may be OQS, YZK or TKK).
// Returns Unknown for anything else.
MessageKind kindFromFileName(const std::string& fileName);
// "OQSsiquc01req_X.xml" → "OQSsiquc01res_X.xml", ".err" name → "OQSsiquc01req_X.err". Empty if not a req name.
std::string resultFileName(const std::string& requestFileName);
std::string errorFileName(const std::string& requestFileName);

struct RequestHeader {
    std::string confirmationDate;        // QualificationConfirmationDate YYYYMMDD
    std::string institutionCode;         // MedicalInstitutionCode
    std::string arbitraryFileIdentifier; // ArbitraryFileIdentifier
};

struct SingleInquiryRequest {   // OQSsiquc01req
    RequestHeader header;
    model::EligibilityInquiry inquiry;
};

struct BatchUploadRequest {     // OQSmuquc01req
    RequestHeader header;
    std::vector<model::EligibilityInquiry> inquiries;
};

struct BatchDownloadRequest {   // OQSmuquc02req
    RequestHeader header;
    std::string receptionNumber;
};

struct ResultHeader {
    std::string processExecutionTime;    // YYYYMMDDHHmmss
    std::string confirmationDate;
    std::string institutionCode;
    std::string arbitraryFileIdentifier;
    std::string referenceClassification = "2";  // 1 マイナンバーカード, 2 被保険者証情報
    std::string segmentOfResult = "1";          // 1 正常終了, 2 処理中, 9 異常終了 (raw value kept)
    std::string errorCode, errorMessage;        // when segment is not 1
    std::string characterCodeIdentifier = "0";  // 0 UTF-8, 1 Shift_JIS
};

// The header of the answer to `request`, as the terminal writes it: processed now, the request's confirmation
// date (else today, Japan time), institution and ArbitraryFileIdentifier echoed, the encoding it is written in.
ResultHeader answerHeader(const RequestHeader& request, Encoding encoding);

struct SingleInquiryResponse {  // OQSsiquc01res
    ResultHeader header;
    std::optional<model::EligibilityResult> result;  // absent on a whole-message error
};

struct BatchAcceptedResponse {  // OQSmuquc01res
    ResultHeader header;
    std::string receptionNumber;
    std::string receptionDateTime;  // YYYYMMDDHHmmss
};

struct BatchResultResponse {    // OQSmuquc02res
    ResultHeader header;
    std::string receptionNumber;
    std::vector<model::BatchUnit> units;  // empty while processing (segment 2)
};

// Decoding: throws model::KakehashiError (parse errors from parseXml, UnknownMessage when the document is
// not of the expected shape). Field validation is NOT done here (see model::validate).
SingleInquiryRequest decodeSingleInquiryRequest(const XmlElement& root);
// The identifiers in the MessageHeader of any request (an empty header when there is none).
RequestHeader decodeAnyRequestHeader(const XmlElement& root);
BatchUploadRequest decodeBatchUploadRequest(const XmlElement& root);
BatchDownloadRequest decodeBatchDownloadRequest(const XmlElement& root);
SingleInquiryResponse decodeSingleInquiryResponse(const XmlElement& root);
BatchAcceptedResponse decodeBatchAcceptedResponse(const XmlElement& root);
BatchResultResponse decodeBatchResultResponse(const XmlElement& root);

// Encoding to trees (write with writeXml in the encoding the receipt computer used).
XmlElement encode(const SingleInquiryRequest& m);
XmlElement encode(const BatchUploadRequest& m);
XmlElement encode(const BatchDownloadRequest& m);
XmlElement encode(const SingleInquiryResponse& m);
XmlElement encode(const BatchAcceptedResponse& m);
XmlElement encode(const BatchResultResponse& m);

// Shared pieces, used by the batch forms and by later messages.
model::EligibilityInquiry decodeSearchInfo(const XmlElement& searchInfo);
void encodeSearchInfo(XmlElement& parent, const model::EligibilityInquiry& q);
model::EligibilityRecord decodeRecord(const XmlElement& resultOfQualificationConfirmation);
// The result of one entry in the BulkConfirmUnit layout (what the store keeps, see services/result_codec).
model::EligibilityResult decodeUnit(const XmlElement& unit);
void encodeUnit(XmlElement& unit, const model::EligibilityResult& r);
// ReferenceNumber is written inside the record in single results and face files, beside it in batch units.
void encodeRecord(XmlElement& parent, const model::EligibilityRecord& r, bool withReferenceNumber = true);

}  // namespace kh::spec

// Reference-number registration (照会番号登録): OQSsiimm01 (one) and OQSmuimm01 / 02 (batch: upload → reception
// number as BatchAcceptedResponse; download by reception number as BatchDownloadRequest; then the results).
#pragma once
#include <string>
#include <vector>

#include "model/reference_number.hpp"
#include "spec/messages.hpp"

namespace kh::spec {

struct ReferenceNumberRequest {  // OQSsiimm01req: MessageBody/ReferenceNumberRegistrationInfo
    RequestHeader header;
    model::ReferenceNumberRegistration registration;
};

struct ReferenceNumberBatchRequest {  // OQSmuimm01req: n × MessageBody/BulkRegistrationUnit/…Info
    RequestHeader header;
    std::vector<model::ReferenceNumberRegistration> registrations;
};

// OQSsiimm01res: MessageBody/ReferenceNumberRegistrationResult. Profile central-v1 answers several entries in
// one such document, the header then also carrying ReceptionNumber and the counts (written when receptionNumber
// is set).
struct ReferenceNumberResponse {
    ResultHeader header;
    std::string receptionNumber;
    std::vector<model::ReferenceNumberResult> results;  // empty on a whole-message error or while processing
};

// OQSmuimm02res, as receipt computers read it: the header carries ReceptionNumber and the counts; the body one
// BulkRegistrationUnit per entry — the entry as registered, then ProcessingResultStatus / Code / Message.
struct ReferenceNumberUnit {
    model::ReferenceNumberRegistration registration;
    model::ReferenceNumberResult result;
};
struct ReferenceNumberBatchResultResponse {
    ResultHeader header;  // SegmentOfResult 2 while the registration is being processed (no units yet)
    std::string receptionNumber;
    std::vector<ReferenceNumberUnit> units;
};

using ReferenceNumberAcceptedResponse = BatchAcceptedResponse;  // OQSmuimm01res
using ReferenceNumberDownloadRequest = BatchDownloadRequest;    // OQSmuimm02req

// Throw model::KakehashiError UnknownMessage when the document is not an XmlMsg with a body. Reading is
// liberal: registration infos and results are taken from the body directly or inside BulkRegistrationUnit,
// and an OQSmuimm02res unit (status beside the info) reads as one result.
ReferenceNumberRequest decodeReferenceNumberRequest(const XmlElement& root);
ReferenceNumberBatchRequest decodeReferenceNumberBatchRequest(const XmlElement& root);
ReferenceNumberResponse decodeReferenceNumberResponse(const XmlElement& root);

XmlElement encode(const ReferenceNumberRequest& m);
XmlElement encode(const ReferenceNumberBatchRequest& m);
XmlElement encode(const ReferenceNumberResponse& m);
XmlElement encode(const ReferenceNumberBatchResultResponse& m);

}  // namespace kh::spec

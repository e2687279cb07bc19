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

// OQSsiimm01res (one result) and OQSmuimm02res (many; the header then also carries ReceptionNumber and the
// counts, written when receptionNumber is set). Results: MessageBody/ReferenceNumberRegistrationResult.
struct ReferenceNumberResponse {
    ResultHeader header;
    std::string receptionNumber;
    std::vector<model::ReferenceNumberResult> results;  // empty on a whole-message error or while processing
};

using ReferenceNumberAcceptedResponse = BatchAcceptedResponse;  // OQSmuimm01res
using ReferenceNumberDownloadRequest = BatchDownloadRequest;    // OQSmuimm02req

// Throw model::KakehashiError UnknownMessage when the document is not an XmlMsg with a body. Reading is
// liberal: registration infos and results are taken from the body directly or inside BulkRegistrationUnit.
ReferenceNumberRequest decodeReferenceNumberRequest(const XmlElement& root);
ReferenceNumberBatchRequest decodeReferenceNumberBatchRequest(const XmlElement& root);
ReferenceNumberResponse decodeReferenceNumberResponse(const XmlElement& root);

XmlElement encode(const ReferenceNumberRequest& m);
XmlElement encode(const ReferenceNumberBatchRequest& m);
XmlElement encode(const ReferenceNumberResponse& m);

}  // namespace kh::spec

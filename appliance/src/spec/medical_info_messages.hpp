// Medication and checkup information (薬剤情報 YZKsiquc01, 特定健診情報 TKKsiquc01; 診療情報 has no file prefix and
// uses the same elements), as receipt computers write them (docs/file-interface.md): MessageHeader
// {MedicalInstitutionCode, InsurerNumber, InsuranceCardSymbol, InsuredPersonIdentificationNumber,
// BranchNumber, ArbitraryFileIdentifier} — other names than in a check — and MessageBody {StartDate, EndDate
// (YYYYMM, medication only), FileCategory, PrDiInfClassification, MedicalTreatmentFlag}; no Birthdate. The
// result is the central system's document (XML or PDF), kept opaque: success is ResultCode 1.
#pragma once
#include <optional>
#include <string>

#include "model/medical_info.hpp"
#include "spec/messages.hpp"

namespace kh::spec {

// The scope is not in the document: it comes from the file name (YZK medication, TKK checkup) or the caller.
// A FileCategory or MedicalTreatmentFlag that is not a small number reads as 0 (validate() names it); absent
// ones read as the defaults 2 (XML) and 1 (通常). Throws model::KakehashiError UnknownMessage on a wrong shape.
model::MedicalInfoRequest decodeMedicalInfoRequest(const XmlElement& root, model::ConsentScope scope);
// The same element set for every scope.
XmlElement encode(const model::MedicalInfoRequest& m);

// YZKsiquc01req_… → Medication, TKKsiquc01req_… → Checkup; nullopt otherwise.
std::optional<model::ConsentScope> medicalInfoScopeFromFileName(const std::string& fileName);

// "YZKsiquc01req_X.xml" → "YZKsiquc01res_X.xml" (FileCategory 2) or "YZKsiquc01res_X.pdf" (1). Empty if the
// name is not a request name.
std::string medicalInfoResultFileName(const std::string& requestName, int fileCategory);

// The central system's answer as received. FileCategory 1: the bytes must start with "%PDF-"; otherwise XML
// that parses (parseXml limits apply), from whose MessageBody ProcessingResultStatus/Code/Message are read
// when present. The body is kept byte for byte. Throws model::KakehashiError on anything else.
model::MedicalInfoResult decodeMedicalInfoResult(std::string bytes, int fileCategory);
// A refusal in the result's own shape (YZKsiquc01res / TKKsiquc01res): ResultCode 2 and the words in
// MessageContents, which is what clients waiting for the result read; the code in ProcessingResultCode.
XmlElement encodeMedicalInfoRefusal(const model::MedicalInfoRequest& request, const std::string& code, const std::string& message);

}  // namespace kh::spec

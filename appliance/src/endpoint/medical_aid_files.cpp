#include "endpoint/medical_aid_files.hpp"

#include "model/errors.hpp"
#include "spec/medical_aid_messages.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;
}  // namespace

FileAnswer MedicalAidFiles::listUpload(const std::string& name, const spec::ParsedXml& doc) {
    auto req = spec::decodeMedicalAidListRequest(doc.root);
    if (req.header.institutionCode != institutionCode_) throw KakehashiError(ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto errors = spec::validate(req);
    if (!errors.empty()) throw KakehashiError(ErrorId::InvalidField, model::describe(errors));
    auto receipt = service_.request(req.medicalTreatmentMonth, req.header.arbitraryFileIdentifier);
    spec::BatchAcceptedResponse res;
    res.header = spec::answerHeader(req.header, doc.encoding);
    res.receptionNumber = receipt.receptionNumber;
    res.receptionDateTime = receipt.receivedAt.empty() ? model::japanTimestamp() : receipt.receivedAt;
    return {spec::resultFileName(name), spec::writeXml(spec::encode(res), doc.encoding), "medical-aid-accepted"};
}

FileAnswer MedicalAidFiles::listDownload(const std::string& name, const spec::ParsedXml& doc) {
    auto req = spec::decodeBatchDownloadRequest(doc.root);
    if (req.receptionNumber.empty()) throw KakehashiError(ErrorId::UnknownReception, "ReceptionNumber");
    spec::BatchResultResponse res;
    res.header = spec::answerHeader(req.header, doc.encoding);
    if (res.header.institutionCode.empty()) res.header.institutionCode = institutionCode_;
    res.receptionNumber = req.receptionNumber;
    auto units = service_.results(req.receptionNumber);
    if (!units) res.header.segmentOfResult = "2";  // 処理中: ask again later
    else res.units = std::move(*units);
    return {spec::resultFileName(name), spec::writeXml(spec::encode(res), doc.encoding),
            units ? "medical-aid" : "medical-aid-processing"};
}

}  // namespace kh::endpoint

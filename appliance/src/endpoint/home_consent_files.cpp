#include "endpoint/home_consent_files.hpp"

#include <algorithm>

#include "model/errors.hpp"
#include "spec/home_consent_messages.hpp"
#include "spec/medical_info_messages.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;
}  // namespace

spec::ResultHeader HomeConsentFiles::header(const spec::RequestHeader& req, const spec::ParsedXml& doc) const {
    auto h = spec::answerHeader(req, doc.encoding);
    if (h.institutionCode.empty()) h.institutionCode = institutionCode_;
    return h;
}

FileAnswer HomeConsentFiles::consentListUpload(const std::string& name, const spec::ParsedXml& doc) {
    auto req = spec::decodeConsentListRequest(doc.root);
    if (req.header.institutionCode != institutionCode_) throw KakehashiError(ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto errors = spec::validate(req, spec::consentListTreatmentFromFileName(name));
    errors.erase(std::remove_if(errors.begin(), errors.end(),
                                [](const model::FieldError& e) { return e.field == "MedicalInstitutionCode"; }),
                 errors.end());
    if (!errors.empty()) throw KakehashiError(ErrorId::InvalidField, model::describe(errors));
    spec::ConsentListAcceptedResponse res;
    res.header = header(req.header, doc);
    res.receptionNumber = service_.acceptListRequest(req);
    res.receptionDateTime = model::japanTimestamp();
    return {spec::resultFileName(name), spec::writeXml(spec::encode(res), doc.encoding), "consent-list-accepted"};
}

FileAnswer HomeConsentFiles::consentListDownload(const std::string& name, const spec::ParsedXml& doc) {
    auto req = spec::decodeBatchDownloadRequest(doc.root);
    spec::ConsentListResultResponse res;
    res.header = header(req.header, doc);
    res.receptionNumber = req.receptionNumber;
    auto units = service_.answerListRequest(req.receptionNumber);
    if (!units) res.header.segmentOfResult = "2";  // 処理中: ask again later
    else res.units = std::move(*units);
    return {spec::resultFileName(name), spec::writeXml(spec::encode(res), doc.encoding),
            units ? "consent-list" : "consent-list-processing"};
}

// A refusal is answered in the result's own shape under the result's name (clients wait for
// YZKsiquc01res_<id>.* and read ResultCode / MessageContents): the central system's document when it sent
// one, else ours with the shared table's code and words.
FileAnswer HomeConsentFiles::medicalInfo(const std::string& name, const spec::ParsedXml& doc, model::ConsentScope scope) {
    auto req = spec::decodeMedicalInfoRequest(doc.root, scope);
    if (req.institutionCode != institutionCode_) throw KakehashiError(ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto errors = model::validate(req);
    if (!errors.empty()) throw KakehashiError(ErrorId::InvalidField, model::describe(errors));
    auto out = service_.medicalInfo(req);
    if (!out.served) {
        const std::string resultName = spec::medicalInfoResultFileName(name, 2);
        if (!out.centralDocument.empty()) {
            try {
                return {resultName, spec::writeXml(spec::parseXml(out.centralDocument).root, doc.encoding), "medical-info-refused"};
            } catch (const KakehashiError&) {
            }
        }
        const auto& info = model::errorInfo(out.refusal);
        std::string code = out.centralCode.empty() ? info.code : out.centralCode;
        std::string words = out.centralMessage.empty() ? std::string(info.title) + (out.reason.empty() ? "" : "（" + out.reason + "）")
                                                       : out.centralMessage;
        return {resultName, spec::writeXml(spec::encodeMedicalInfoRefusal(req, code, words), doc.encoding), "medical-info-refused"};
    }
    std::string bytes = out.body;
    if (req.fileCategory == 2) bytes = spec::writeXml(spec::parseXml(out.body).root, doc.encoding);  // the RC's encoding
    return {spec::medicalInfoResultFileName(name, req.fileCategory), bytes, "medical-info"};
}

}  // namespace kh::endpoint

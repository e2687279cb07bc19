// YZKsiquc01req / TKKsiquc01req ↔ model::MedicalInfoRequest, result file names and the opaque result.
#include "spec/medical_info_messages.hpp"

#include "model/errors.hpp"
#include "spec/message_parts.hpp"

namespace kh::spec {
namespace {
using namespace detail;
using model::ErrorId;
using model::KakehashiError;

constexpr int kPdf = 1;

// A small non-negative number ("2", " 02 "); 0 for anything else.
int smallNumber(const std::string& raw) {
    const std::string s = model::trimmed(raw);
    if (s.empty() || s.size() > 3) return 0;
    int n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + (c - '0');
    }
    return n;
}

model::MedicalTreatment treatmentFrom(const XmlElement* flag) {
    if (!flag) return model::MedicalTreatment::Normal;
    return static_cast<model::MedicalTreatment>(smallNumber(flag->text));
}

void decodeHeader(const XmlElement& header, model::MedicalInfoRequest& m) {
    m.institutionCode = header.childText("MedicalInstitutionCode");
    m.insured.insurerNumber = header.childText("InsurerNumber");
    m.insured.cardSymbol = header.childText("InsuranceCardSymbol");
    m.insured.cardNumber = header.childText("InsuredPersonIdentificationNumber");
    m.insured.branchNumber = header.childText("BranchNumber");
    m.arbitraryFileIdentifier = header.childText("ArbitraryFileIdentifier");
}

void decodeBody(const XmlElement& body, model::MedicalInfoRequest& m) {
    m.startDate = body.childText("StartDate");
    m.endDate = body.childText("EndDate");
    if (const XmlElement* category = body.child("FileCategory")) m.fileCategory = smallNumber(category->text);
    if (const XmlElement* classification = body.child("PrDiInfClassification")) m.prDiInfClassification = classification->text;
    m.treatment = treatmentFrom(body.child("MedicalTreatmentFlag"));
    m.insured.birthDate = body.childText("Birthdate");  // not sent by real clients; kept when it is
}

// The first element of that name anywhere below `e` (clients read ResultCode / MessageContents with //).
const XmlElement* findAnywhere(const XmlElement& e, const char* name) {
    for (const auto& c : e.children) {
        if (c.name == name) return &c;
        if (const XmlElement* found = findAnywhere(c, name)) return found;
    }
    return nullptr;
}
}  // namespace

model::MedicalInfoRequest decodeMedicalInfoRequest(const XmlElement& root, model::ConsentScope scope) {
    const XmlElement& body = requireBody(root);
    model::MedicalInfoRequest m;
    m.scope = scope;
    decodeHeader(headerOrEmpty(root), m);
    decodeBody(body, m);
    return m;
}

XmlElement encode(const model::MedicalInfoRequest& m) {
    XmlElement message = newMessage();
    XmlElement& header = headerOf(message);
    header.add("MedicalInstitutionCode", m.institutionCode);
    header.add("InsurerNumber", m.insured.insurerNumber);
    addIfPresent(header, "InsuranceCardSymbol", m.insured.cardSymbol);
    header.add("InsuredPersonIdentificationNumber", m.insured.cardNumber);
    addIfPresent(header, "BranchNumber", m.insured.branchNumber);
    addIfPresent(header, "ArbitraryFileIdentifier", m.arbitraryFileIdentifier);
    XmlElement& body = bodyOf(message);
    if (m.scope == model::ConsentScope::Medication) {  // the months are asked for medication only
        addIfPresent(body, "StartDate", m.startDate);
        addIfPresent(body, "EndDate", m.endDate);
    }
    body.add("FileCategory", std::to_string(m.fileCategory));
    body.add("PrDiInfClassification", m.prDiInfClassification.empty() ? "1" : m.prDiInfClassification);
    body.add("MedicalTreatmentFlag", model::medicalTreatmentCode(m.treatment));
    return message;
}

std::optional<model::ConsentScope> medicalInfoScopeFromFileName(const std::string& fileName) {
    switch (kindFromFileName(fileName)) {
    case MessageKind::MedicationInfo: return model::ConsentScope::Medication;
    case MessageKind::CheckupInfo: return model::ConsentScope::Checkup;
    default: return std::nullopt;
    }
}

std::string medicalInfoResultFileName(const std::string& requestName, int fileCategory) {
    std::string name = resultFileName(requestName);
    if (!name.empty() && fileCategory == kPdf) name.replace(name.size() - 4, 4, ".pdf");
    return name;
}

model::MedicalInfoResult decodeMedicalInfoResult(std::string bytes, int fileCategory) {
    model::MedicalInfoResult r;
    if (fileCategory == kPdf) {
        if (bytes.compare(0, 5, "%PDF-") != 0) throw KakehashiError(ErrorId::UnknownMessage, "not a PDF document");
        r.contentType = "application/pdf";
        r.processingStatus = "1";  // a PDF is the information itself
    } else {
        const ParsedXml parsed = parseXml(bytes);
        const XmlElement* resultCode = findAnywhere(parsed.root, "ResultCode");
        const XmlElement* contents = findAnywhere(parsed.root, "MessageContents");
        const XmlElement* code = findAnywhere(parsed.root, "ProcessingResultCode");
        r.processingStatus = !resultCode || model::trimmed(resultCode->text) == "1" ? "1" : "2";
        r.processingCode = code ? code->text : resultCode ? resultCode->text : "";
        r.processingMessage = contents ? contents->text : "";
        r.contentType = "application/xml";
    }
    r.body = std::move(bytes);
    return r;
}

XmlElement encodeMedicalInfoRefusal(const model::MedicalInfoRequest& request, const std::string& code, const std::string& message) {
    XmlElement doc = newMessage();
    XmlElement& header = headerOf(doc);
    addIfPresent(header, "MedicalInstitutionCode", request.institutionCode);
    addIfPresent(header, "ArbitraryFileIdentifier", request.arbitraryFileIdentifier);
    header.add("ResultCode", "2");
    header.add("MessageContents", message);
    addIfPresent(header, "ProcessingResultCode", code);
    return doc;
}

}  // namespace kh::spec

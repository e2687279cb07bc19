#include "xml_messages.hpp"

#include "japan_time.hpp"
#include "xml_writer.hpp"

namespace ksim {

namespace {

struct BatchCounts {
    std::size_t total = 0, normal = 0, errors = 0;
};

// MessageHeader up to SegmentOfResult; the caller adds its own fields and calls endHeader.
void beginHeader(XmlWriter& w, const AnswerHeader& h, const char* segment) {
    w.open("XmlMsg");
    w.open("MessageHeader");
    w.leaf("ProcessExecutionTime", jstTimestampNow());
    w.leafIfSet("QualificationConfirmationDate", h.confirmationDate);
    w.leafIfSet("MedicalInstitutionCode", h.institutionCode);
    w.leafIfSet("ArbitraryFileIdentifier", h.arbitraryFileIdentifier);
    w.leaf("ReferenceClassification", "2");  // 被保険者証情報
    w.leaf("SegmentOfResult", segment);
}

void endHeader(XmlWriter& w) {
    w.leaf("CharacterCodeIdentifier", "0");  // UTF-8 on this link
    w.close();
}

void writeSearchEcho(XmlWriter& w, const SearchInfo& s) {
    w.open("QualificationConfirmSearchInfo");
    w.leafIfSet("InsurerNumber", s.insurerNumber);
    w.leafIfSet("InsuredCardSymbol", s.cardSymbol);
    w.leafIfSet("InsuredIdentificationNumber", s.cardNumber);
    w.leafIfSet("InsuredBranchNumber", s.branchNumber);
    w.leafIfSet("Birthdate", s.birthDate);
    w.leafIfSet("LimitApplicationCertificateRelatedConsFlg", s.limitConsentFlag);
    w.leafIfSet("ArbitraryIdentifier", s.arbitraryIdentifier);
    w.close();
}

void writeElderly(XmlWriter& w, const ElderlyCertificate& e) {
    w.open("ElderlyRecipientCertificateInfo");
    w.leaf("ElderlyRecipientCertificateDate", e.date);
    w.leaf("ElderlyRecipientValidStartDate", e.validStart);
    w.leaf("ElderlyRecipientValidEndDate", e.validEnd);
    w.leaf("ElderlyRecipientContributionRatio", e.contributionRatio);
    w.close();
}

// 限度額適用認定証関連情報: only with the patient's consent (flag 1 in the request).
void writeLimitConsent(XmlWriter& w, const Person& p, const SearchInfo& s) {
    bool consented = s.limitConsentFlag == "1";
    w.leaf("LimitApplicationCertificateRelatedConsFlg", consented ? "1" : "0");
    if (!consented) return;
    w.leaf("LimitApplicationCertificateRelatedConsTime", jstTimestampNow());
    if (!p.limit) return;
    const LimitCertificate& c = *p.limit;
    w.open("LimitApplicationCertificateRelatedInfo");
    w.leaf("LimitApplicationCertificateClassification", c.classification);
    w.leaf("LimitApplicationCertificateClassificationFlag", c.classificationFlag);
    w.leaf("LimitApplicationCertificateDate", c.date);
    w.leaf("LimitApplicationCertificateValidStartDate", c.validStart);
    w.leaf("LimitApplicationCertificateValidEndDate", c.validEnd);
    w.leafIfSet("LimitApplicationCertificateLongTermDate", c.longTermDate);
    w.close();
}

void writeConsentScope(XmlWriter& w, const std::string& prefix, bool consented, const Consent& c) {
    w.leaf(prefix + "ConsFlg", consented ? "1" : "0");
    if (!consented) return;
    w.leaf(prefix + "ConsTime", c.consentTime);
    w.leaf(prefix + "AvailableTime", c.availableTime);
}

// The consent block: 特定健診, 薬剤情報, 診療情報, in the order of the file interface.
void writeConsentBlock(XmlWriter& w, const Consent& c) {
    writeConsentScope(w, "SpecificHealthCheckupsInfo", c.checkup, c);
    writeConsentScope(w, "PharmacistsInfo", c.medication, c);
    writeConsentScope(w, "DiagnosisInfo", c.clinical, c);
}

void writeResult(XmlWriter& w, const Person& p, const Population& population, const SearchInfo& s,
                 const ResultExtras& extras) {
    const Insurer& insurer = population.insurerOf(p);
    w.open("ResultOfQualificationConfirmation");
    w.leaf("InsuredCardClassification", p.cardClassification);
    w.leaf("InsurerNumber", insurer.number);
    w.leaf("InsurerName", insurer.name);
    w.leafIfSet("InsuredCardSymbol", p.cardSymbol);
    w.leaf("InsuredIdentificationNumber", p.cardNumber);
    w.leaf("InsuredBranchNumber", p.branchNumber);
    w.leaf("PersonalFamilyClassification", p.personalFamily);
    w.leaf("InsuredName", p.insuredName);
    w.leaf("Name", p.name);
    w.leaf("NameKana", p.nameKana);
    w.leaf("Sex1", p.sex);
    w.leaf("Birthdate", p.birthDate);
    w.leaf("Address", p.address);
    w.leaf("PostNumber", p.postNumber);
    w.leaf("QualificationDate", p.qualificationDate);
    if (p.validity == '2') w.leaf("DisqualificationDate", p.disqualificationDate);
    w.leaf("InsuredCertificateIssuanceDate", p.certificateIssuanceDate);
    w.leaf("InsuredCardValidDate", p.cardValidDate);
    w.leafIfSet("InsuredCardExpirationDate", p.cardExpirationDate);
    w.leafIfSet("InsuredPartialContributionRatio", p.contributionRatio);
    w.leafIfSet("PreschoolClassification", p.preschool);
    if (p.validity == '2') w.leaf("ReasonOfLoss", p.reasonOfLoss);
    if (p.elderly) writeElderly(w, *p.elderly);
    writeLimitConsent(w, p, s);
    if (extras.consent) writeConsentBlock(w, *extras.consent);
    w.leafIfSet("ReferenceNumber", extras.referenceNumber);
    w.close();
}

void writeProcessing(XmlWriter& w, const QualificationOutcome& o) {
    w.leaf("ProcessingResultStatus", o.processingStatus);
    w.leaf("ProcessingResultCode", o.processingCode);
    w.leaf("ProcessingResultMessage", o.processingMessage);
    w.leafIfSet("QualificationValidity", o.validity);
}

// The header of a batch result: the counts of the units after SegmentOfResult.
void writeBatchHeader(XmlWriter& w, const AnswerHeader& header, const std::string& reception,
                      const std::vector<QualificationOutcome>& outcomes) {
    BatchCounts counts;
    counts.total = outcomes.size();
    for (const auto& o : outcomes) (o.processingStatus == "1" ? counts.normal : counts.errors)++;
    beginHeader(w, header, "1");
    w.leaf("ReceptionNumber", reception);
    w.leaf("NumberOfProcessingResult", std::to_string(counts.total));
    w.leaf("NumberOfNormalProcessing", std::to_string(counts.normal));
    w.leaf("NumberOfError", std::to_string(counts.errors));
    endHeader(w);
}

}  // namespace

std::string qualificationResultDocument(const AnswerHeader& header, const SearchInfo& search,
                                        const QualificationOutcome& outcome, const Population& population,
                                        const ResultExtras& extras) {
    XmlWriter w;
    beginHeader(w, header, "1");
    endHeader(w);
    w.open("MessageBody");
    writeProcessing(w, outcome);
    writeSearchEcho(w, search);
    if (outcome.person) {
        w.open("ResultList");
        writeResult(w, *outcome.person, population, search, extras);
        w.close();
    }
    return w.finish();
}

std::string batchReceptionDocument(const AnswerHeader& header, const std::string& reception,
                                   const std::string& receptionDateTime) {
    XmlWriter w;
    beginHeader(w, header, "1");
    endHeader(w);
    w.open("MessageBody");
    w.leaf("ReceptionNumber", reception);
    w.leaf("ReceptionDateTime", receptionDateTime);
    return w.finish();
}

std::string batchPendingDocument(const AnswerHeader& header, const std::string& reception) {
    XmlWriter w;
    beginHeader(w, header, "2");  // 処理中: ask again later
    w.leaf("ReceptionNumber", reception);
    endHeader(w);
    w.leaf("MessageBody", "");
    return w.finish();
}

std::string batchResultDocument(const AnswerHeader& header, const std::string& reception,
                                const std::vector<SearchInfo>& searches,
                                const std::vector<QualificationOutcome>& outcomes,
                                const Population& population, const std::vector<ResultExtras>& extras) {
    XmlWriter w;
    writeBatchHeader(w, header, reception, outcomes);
    w.open("MessageBody");
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        w.open("BulkConfirmUnit");
        writeSearchEcho(w, searches[i]);
        writeProcessing(w, outcomes[i]);
        if (outcomes[i].person)
            writeResult(w, *outcomes[i].person, population, searches[i], i < extras.size() ? extras[i] : ResultExtras{});
        w.close();
    }
    return w.finish();
}

std::string homeConsentResultDocument(const AnswerHeader& header, const std::string& reception,
                                      const std::vector<Consent>& consents,
                                      const std::vector<std::string>& referenceNumbers,
                                      const Population& population) {
    std::vector<QualificationOutcome> outcomes;
    for (const Consent& c : consents) {
        const Person& p = population.persons()[c.person];
        outcomes.push_back({"1", "", "", p.validity == '2' ? "2" : "1", &p});
    }
    XmlWriter w;
    writeBatchHeader(w, header, reception, outcomes);
    w.open("MessageBody");
    const SearchInfo noSearch;  // no 限度額 consent on this path: the flag is written as 0
    for (std::size_t i = 0; i < consents.size(); ++i) {
        w.open("BulkConfirmUnit");
        w.leaf("MedicalTreatmentFlag", consents[i].treatmentFlag);
        w.leaf("ExaminationDate", consents[i].examinationDate);
        writeProcessing(w, outcomes[i]);
        writeResult(w, *outcomes[i].person, population, noSearch, {referenceNumbers.at(i), &consents[i]});
        w.close();
    }
    return w.finish();
}

std::string registrationResultDocument(const AnswerHeader& header, const std::vector<RegistrationResult>& results) {
    std::size_t normal = 0;
    for (const auto& r : results) normal += r.status == "1";
    XmlWriter w;
    beginHeader(w, header, "1");
    w.leaf("NumberOfProcessingResult", std::to_string(results.size()));
    w.leaf("NumberOfNormalProcessing", std::to_string(normal));
    w.leaf("NumberOfError", std::to_string(results.size() - normal));
    endHeader(w);
    w.open("MessageBody");
    for (const RegistrationResult& r : results) {
        w.open("ReferenceNumberRegistrationResult");
        w.leaf("ReferenceNumber", r.referenceNumber);
        w.leafIfSet("InsurerNumber", r.insurerNumber);
        w.leafIfSet("InsuredCardSymbol", r.cardSymbol);
        w.leafIfSet("InsuredIdentificationNumber", r.cardNumber);
        w.leafIfSet("InsuredBranchNumber", r.branchNumber);
        w.leaf("ProcessingResultStatus", r.status);
        w.leaf("ProcessingResultCode", r.code);
        w.leaf("ProcessingResultMessage", r.message);
        w.close();
    }
    return w.finish();
}

std::string errorDocument(const AnswerHeader& header, const std::string& code, const std::string& message) {
    XmlWriter w;
    beginHeader(w, header, "9");  // 異常終了
    w.leaf("ErrorCode", code);
    w.leaf("ErrorMessage", message);
    endHeader(w);
    w.leaf("MessageBody", "");
    return w.finish();
}

std::string malformedDocument() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg>\n  <MessageHeader>\n"
           "    <ProcessExecutionTime>" + jstTimestampNow() + "</ProcessExecutionTime>\n"
           "    <SegmentOfResult>1</Segm";
}

}  // namespace ksim

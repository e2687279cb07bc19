#include "xml_messages.hpp"

#include "japan_time.hpp"
#include "medical_aid.hpp"
#include "xml_writer.hpp"

namespace ksim {

namespace {

// MessageHeader of single results and error documents, up to SegmentOfResult; the caller adds its own
// fields and calls endHeader.
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

// The header of a batch download (02res): ReceptionNumber stands before SegmentOfResult and there is
// no ReferenceClassification; the counts of the units follow when the result is ready.
void beginBatchHeader(XmlWriter& w, const AnswerHeader& h, const std::string& reception, const char* segment) {
    w.open("XmlMsg");
    w.open("MessageHeader");
    w.leaf("ProcessExecutionTime", jstTimestampNow());
    w.leafIfSet("QualificationConfirmationDate", h.confirmationDate);
    w.leafIfSet("MedicalInstitutionCode", h.institutionCode);
    w.leafIfSet("ArbitraryFileIdentifier", h.arbitraryFileIdentifier);
    w.leaf("ReceptionNumber", reception);
    w.leaf("SegmentOfResult", segment);
}

void writeBatchCounts(XmlWriter& w, std::size_t total, std::size_t normal) {
    w.leaf("NumberOfProcessingResult", std::to_string(total));
    w.leaf("NumberOfNormalProcessing", std::to_string(normal));
    w.leaf("NumberOfError", std::to_string(total - normal));
    endHeader(w);
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
void writeLimitConsent(XmlWriter& w, const Person& p, bool consented, const std::string& now) {
    w.leaf("LimitApplicationCertificateRelatedConsFlg", consented ? "1" : "0");
    if (!consented) return;
    w.leaf("LimitApplicationCertificateRelatedConsTime", now);
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

// 特定疾病療養受療証: the same consent as the 限度額 information covers it; the flag is 1 only when the
// patient consented and has a certificate (current or expired), and then every certificate is listed.
void writeSpecificDiseases(XmlWriter& w, const Person& p, bool consented, const std::string& now) {
    bool shown = consented && !p.specificDiseases.empty();
    w.leaf("SpecificDiseasesCertificateRelatedConsFlg", shown ? "1" : "0");
    if (!shown) return;
    w.leaf("SpecificDiseasesCertificateRelatedConsTime", now);
    w.open("SpecificDiseasesCertificateList");
    for (const SpecificDiseaseCertificate& c : p.specificDiseases) {
        w.open("SpecificDiseasesCertificateInfo");
        w.leaf("SpecificDiseasesDiseaseCategory", c.category);
        w.leaf("SpecificDiseasesCertificateDate", c.certificateDate);
        w.leaf("SpecificDiseasesValidStartDate", c.validStart);
        w.leafIfSet("SpecificDiseasesValidEndDate", c.validEnd);
        w.leaf("SpecificDiseasesSelfPay", c.selfPay);
        w.close();
    }
    w.close();
}

void writeTickets(XmlWriter& w, const std::vector<MedicalTicket>& tickets) {
    if (tickets.empty()) return;
    w.open("PublicExpenseResultList");
    for (const MedicalTicket& t : tickets) {
        w.open("MedicalTicketInfo");
        w.leaf("TicketType", t.ticketType);
        w.leaf("MedicalTicketValidDate", t.validDate);
        w.leaf("MedicalTicketExpirationDate", t.expirationDate);
        w.leaf("IssueNumber", t.issueNumber);
        w.leaf("MedicalTreatmentMonth", t.treatmentMonth);
        w.leaf("DesignatedMedicalInstitutionCode", t.designatedCode);
        w.leaf("DesignatedMedicalInstitutionFlag", "1");
        w.leaf("DesignatedMedicalInstitutionName", t.designatedName);
        w.leafIfSet("PrescriptionIssuerMedicalInstitutionCode", t.prescriberCode);
        w.leafIfSet("PrescriptionIssuerMedicalInstitutionName", t.prescriberName);
        for (std::size_t i = 0; i < t.injuryNames.size(); ++i)
            w.leaf("InjuryName" + std::to_string(i + 1), t.injuryNames[i]);
        w.leaf("MedicalTreatmentType", "1");
        w.leaf("SelfPayAmount", t.selfPay);
        w.leaf("DistrictContactName", "地区　担当");
        w.leaf("HandlingContactName", "医療扶助　係");
        w.leaf("SingleOrCombinedUse", t.singleOrCombined);
        w.leaf("StatusOfSocialInsurance", t.socialInsurance);
        w.leaf("ConsistencyFlag", "1");
        w.leaf("StatusOfInfecton", "0");  // (sic): the layout spells it so
        w.leaf("StatusOfElderlyMedicalCare", "0");
        w.leaf("StatusOfPrefecturalExpenses", "0");
        w.leaf("Remarks1", "シミュレーターの医療券");
        w.close();
    }
    w.close();
}

void writeConsentScope(XmlWriter& w, const std::string& prefix, bool consented, const ConsentBlock* c) {
    w.leaf(prefix + "ConsFlg", consented ? "1" : "0");
    if (!consented) return;
    w.leaf(prefix + "ConsTime", c->consTime);
    w.leaf(prefix + "AvailableTime", c->availableTime);
}

// The consent block every record ends with: 特定健診, 薬剤情報, 診療情報, 手術情報, in the order of the
// file interface. A withdrawn consent shows as none; 手術情報 is not simulated and is always 0.
void writeConsentBlock(XmlWriter& w, const std::optional<ConsentBlock>& consent) {
    const ConsentBlock* c = consent && consent->withdrawnAt.empty() ? &*consent : nullptr;
    writeConsentScope(w, "SpecificHealthCheckupsInfo", c && c->checkup, c);
    writeConsentScope(w, "PharmacistsInfo", c && c->medication, c);
    writeConsentScope(w, "DiagnosisInfo", c && c->clinical, c);
    w.leaf("OperationInfoConsFlg", "0");
}

// The health-insurance record.
void writeInsuranceRecord(XmlWriter& w, const Person& p, const Population& population, bool limitConsent,
                          const ResultExtras& extras, bool referenceInside, const std::string& now) {
    const Insurer& insurer = population.insurerOf(p);
    w.open("ResultOfQualificationConfirmation");
    w.leaf("InsuredCardClassification", p.cardClassification);
    w.leaf("InsurerNumber", insurer.number);
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
    w.leaf("InsurerName", insurer.name);
    if (p.elderly) writeElderly(w, *p.elderly);
    writeLimitConsent(w, p, limitConsent, now);
    writeSpecificDiseases(w, p, limitConsent, now);
    writeConsentBlock(w, extras.consent);
    if (referenceInside) w.leafIfSet("ReferenceNumber", extras.referenceNumber);
    w.close();
}

// The 医療扶助 record (InsuredCardClassification A1): the welfare office's 公費負担者番号 and the
// 受給者番号 stand where the insurance numbers stand, the office's name where the insurer's name stands.
void writeAssistanceRecord(XmlWriter& w, const Person& p, const ResultExtras& extras, bool referenceInside) {
    const PublicAssistance& a = *p.assistance;
    bool lapsed = !a.endDate.empty();
    w.open("ResultOfQualificationConfirmation");
    w.leaf("InsuredCardClassification", "A1");
    w.leaf("PublicExpenseNumber", a.publicExpenseNumber);
    w.leaf("BeneficiaryNumber", a.beneficiaryNumber);
    w.leaf("Name", p.name);
    w.leaf("NameKana", p.nameKana);
    w.leaf("Sex1", p.sex);
    w.leaf("Birthdate", p.birthDate);
    w.leaf("Address", p.address);
    w.leaf("PostNumber", p.postNumber);
    w.leaf("QualificationDate", a.startDate);
    if (lapsed) w.leaf("DisqualificationDate", a.endDate);
    if (lapsed) w.leaf("ReasonOfLoss", p.reasonOfLoss);
    w.leaf("WelfareOfficeName", a.welfareOfficeName);
    writeTickets(w, medicalTickets(p, extras.institution, extras.treatmentMonth));
    writeConsentBlock(w, extras.consent);
    if (referenceInside) w.leafIfSet("ReferenceNumber", extras.referenceNumber);
    w.close();
}

std::size_t recordCount(const Person& p) { return (p.insured() ? 1 : 0) + (p.assistance ? 1 : 0); }

// The person's records: the insurance record (unless 医療扶助 only), then the 医療扶助 record.
void writeRecords(XmlWriter& w, const Person& p, const Population& population, bool limitConsent,
                  const ResultExtras& extras, bool referenceInside) {
    std::string now = jstTimestampNow();
    if (p.insured()) writeInsuranceRecord(w, p, population, limitConsent, extras, referenceInside, now);
    if (p.assistance) writeAssistanceRecord(w, p, extras, referenceInside);
}

// In a batch unit the 照会番号 follows the records as a child of BulkConfirmUnit, once per record (the
// readers pair them by position).
void writeUnitReferences(XmlWriter& w, const Person& p, const ResultExtras& extras) {
    if (extras.referenceNumber.empty()) return;
    for (std::size_t i = 0; i < recordCount(p); ++i) w.leaf("ReferenceNumber", extras.referenceNumber);
}

void writeProcessing(XmlWriter& w, const QualificationOutcome& o) {
    w.leaf("ProcessingResultStatus", o.processingStatus);
    w.leaf("ProcessingResultCode", o.processingCode);
    w.leaf("ProcessingResultMessage", o.processingMessage);
    w.leafIfSet("QualificationValidity", o.validity);
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
    if (outcome.person) {
        w.open("ResultList");
        writeRecords(w, *outcome.person, population, search.limitConsentFlag == "1", extras, true);
        w.close();
    }
    writeSearchEcho(w, search);
    if (outcome.person) w.leaf("PrescriptionIssueSelect", outcome.person->prescriptionIssueSelect);
    return w.finish();
}

std::string batchReceptionDocument(const AnswerHeader& header, const std::string& reception,
                                   const std::string& receptionDateTime) {
    XmlWriter w;
    w.open("XmlMsg");
    w.open("MessageHeader");
    w.leaf("ProcessExecutionTime", jstTimestampNow());
    w.leafIfSet("MedicalInstitutionCode", header.institutionCode);
    w.leafIfSet("ArbitraryFileIdentifier", header.arbitraryFileIdentifier);
    w.leaf("SegmentOfResult", "1");
    endHeader(w);
    w.open("MessageBody");
    w.leaf("ReceptionNumber", reception);
    w.leaf("ReceptionDateTime", receptionDateTime);
    return w.finish();
}

std::string batchPendingDocument(const AnswerHeader& header, const std::string& reception) {
    XmlWriter w;
    beginBatchHeader(w, header, reception, "2");  // 処理中: ask again later
    endHeader(w);
    w.leaf("MessageBody", "");
    return w.finish();
}

std::string batchResultDocument(const AnswerHeader& header, const std::string& reception,
                                const std::vector<SearchInfo>& searches, const std::vector<BatchUnit>& units,
                                const Population& population) {
    std::size_t normal = 0;
    for (const BatchUnit& u : units) normal += (u.canned.empty() ? u.outcome.processingStatus : u.cannedStatus) == "1";
    XmlWriter w;
    beginBatchHeader(w, header, reception, "1");
    writeBatchCounts(w, units.size(), normal);
    w.open("MessageBody");
    for (std::size_t i = 0; i < units.size(); ++i) {
        const BatchUnit& u = units[i];
        if (!u.canned.empty()) {
            w.raw(u.canned);
            continue;
        }
        w.open("BulkConfirmUnit");
        writeSearchEcho(w, searches[i]);
        writeProcessing(w, u.outcome);
        if (u.outcome.person) {
            writeRecords(w, *u.outcome.person, population, searches[i].limitConsentFlag == "1", u.extras, false);
            writeUnitReferences(w, *u.outcome.person, u.extras);
        }
        w.close();
    }
    return w.finish();
}

std::string homeConsentResultDocument(const AnswerHeader& header, const std::string& reception,
                                      const std::vector<Consent>& consents, const std::vector<ResultExtras>& extras,
                                      const Population& population) {
    XmlWriter w;
    beginBatchHeader(w, header, reception, "1");
    writeBatchCounts(w, consents.size(), consents.size());
    w.open("MessageBody");
    for (std::size_t i = 0; i < consents.size(); ++i) {
        const Person& p = population.persons()[consents[i].person];
        w.open("BulkConfirmUnit");
        w.leaf("MedicalTreatmentFlag", consents[i].treatmentFlag);
        w.leaf("ExaminationDate", consents[i].examinationDate);
        writeProcessing(w, {"1", "", "", p.validity == '2' ? "2" : "1", &p});
        // No 限度額 consent on this path: the flag is written as 0.
        writeRecords(w, p, population, false, extras.at(i), false);
        writeUnitReferences(w, p, extras.at(i));
        w.close();
    }
    return w.finish();
}

std::string medicalAidResultDocument(const AnswerHeader& header, const std::string& reception,
                                     const std::vector<MedicalAidUnit>& units, const Population& population) {
    XmlWriter w;
    beginBatchHeader(w, header, reception, "1");
    writeBatchCounts(w, units.size(), units.size());
    w.open("MessageBody");
    for (const MedicalAidUnit& u : units) {
        w.open("BulkConfirmUnit");
        writeProcessing(w, {"1", "", "", "1", u.person});
        writeRecords(w, *u.person, population, false, u.extras, false);
        writeUnitReferences(w, *u.person, u.extras);
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

// Canonical eligibility types (資格確認): what a receipt computer asks, what the central system answers.
// Every code is kept as a string, exactly as received (leading zeros, padding, full-width symbols).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/codes.hpp"
#include "model/consent.hpp"
#include "model/element.hpp"
#include "model/japan_date.hpp"

namespace kh::model {

// 被保険者の識別: the keys of a qualification check.
struct InsuredIdentity {
    std::string insurerNumber;  // 保険者番号
    std::string cardSymbol;     // 記号 (optional)
    std::string cardNumber;     // 番号 (InsuredIdentificationNumber)
    std::string branchNumber;   // 枝番 (optional, 2 digits)
    std::string birthDate;      // YYYYMMDD
};

// One entry of a check (資格確認照会): QualificationConfirmSearchInfo.
struct EligibilityInquiry {
    InsuredIdentity insured;
    bool limitCertificateConsent = false;  // LimitApplicationCertificateRelatedConsFlg
    std::string arbitraryIdentifier;       // the facility's own per-entry id, echoed
};

std::vector<FieldError> validate(const EligibilityInquiry& inquiry);
// The card's keys alone (保険者番号, 記号, 番号, 枝番): what identifies a person in medical-info requests,
// which carry no birth date.
std::vector<FieldError> validateCardKeys(const InsuredIdentity& insured);

// QualificationValidity (資格有効性).
enum class Validity { Unknown = 0, Valid = 1, Invalid = 2, InvalidNewer = 3, NotFound = 4, Multiple = 5, ValidUnregistered = 6 };
// The canonical status the JSON API shows.
const char* statusName(Validity v);  // "valid" | "lapsed" | "not_found" | "multiple" | "unknown"

struct ElderlyRecipientCertificate {  // 高齢受給者証
    std::string date, validStartDate, validEndDate, contributionRatio;
};

struct LimitCertificate {  // 限度額適用認定証関連情報
    std::string classification, classificationFlag, date, validStartDate, validEndDate, longTermDate;
};

// 特定疾病療養受療証: SpecificDiseasesCertificateInfo.
struct SpecificDiseaseCertificate {
    std::string diseaseCategory;  // 1 人工透析を要する慢性腎不全, 2 先天性血液凝固因子障害, 3 血液凝固因子製剤起因のHIV感染症
    std::string certificateDate, validStartDate, validEndDate;
    std::string selfPay;  // 自己負担限度額 (yen)
};

// 医療券・調剤券 of 医療扶助: MedicalTicketInfo. The parts Kakehashi shows; every other element of the
// ticket travels in the received document (EligibilityResult::received).
struct MedicalTicket {
    std::string ticketType, validDate, expirationDate, issueNumber, treatmentMonth;
    std::string designatedInstitutionCode, designatedInstitutionName, selfPayAmount;
};

// 資格情報: ResultOfQualificationConfirmation.
struct EligibilityRecord {
    std::string insuredCardClassification;  // 被保険者証区分 (01, 02, …, A1)
    std::string insurerNumber, insurerName;
    std::string cardSymbol, cardNumber, branchNumber;
    std::string personalFamilyClassification;  // 1 本人, 2 家族
    std::string insuredName;                   // 世帯主氏名
    std::string name, nameOfOther, nameKana, nameOfOtherKana;
    std::string sex1, sex2;
    std::string birthDate, address, postNumber;
    std::string qualificationDate, disqualificationDate;
    std::string certificateIssuanceDate, cardValidDate, cardExpirationDate;
    std::string partialContributionRatio;  // "030" = 30 %
    std::string preschoolClassification, reasonOfLoss;
    std::optional<ElderlyRecipientCertificate> elderlyRecipient;
    std::string limitCertificateConsentFlag, limitCertificateConsentTime;
    std::optional<LimitCertificate> limitCertificate;
    std::string specificDiseasesConsentFlag, specificDiseasesConsentTime;  // 0 なし, 1 あり, 2 同意有効期限切れ
    std::vector<SpecificDiseaseCertificate> specificDiseases;
    std::string publicExpenseNumber;  // 公費負担者番号 (医療扶助)
    std::string beneficiaryNumber;    // 受給者番号 (医療扶助)
    std::string welfareOfficeName;    // 福祉事務所名 (医療扶助)
    std::vector<MedicalTicket> medicalTickets;
    std::string referenceNumber;  // 照会番号, when registered
    std::optional<ConsentBlock> consent;  // 閲覧同意 (…InfoConsFlg/ConsTime/AvailableTime), when present

    bool isMedicalAid() const;  // InsuredCardClassification A1 (医療扶助)
};

// The answer to one inquiry.
struct EligibilityResult {
    std::string processingStatus = "1";  // ProcessingResultStatus: 1 正常終了, 2 エラー
    std::string processingCode;          // ProcessingResultCode (opaque)
    std::string processingMessage;
    Validity validity = Validity::Unknown;
    std::string validityRaw;  // the code as received
    EligibilityInquiry inquiry;  // echoed search info
    // Every record, in the order received: a person with insurance and 医療扶助 has two.
    std::vector<EligibilityRecord> records;
    std::string prescriptionIssueSelect;  // 1 電子処方箋, 2 紙の処方箋
    std::string medicalTreatmentFlag;  // MedicalTreatmentFlag of a consented-patients unit (raw)
    std::string examinationDate;       // ExaminationDate of a consented-patients unit (YYYYMMDD)
    // When the central system answered (its ProcessExecutionTime, YYYYMMDDHHmmss, Japan time): an answer
    // from the cache carries the time it was really given, so a file client can see how old it is.
    std::string answeredAt;
    // The answer as the central system gave it (its MessageBody, or its BulkConfirmUnit): written back whole,
    // so elements Kakehashi does not model reach the receipt computer unchanged. Null for local answers.
    std::shared_ptr<const Element> received;

    // The record Kakehashi reasons about (consent, identity): the first that is not 医療扶助, else the first.
    const EligibilityRecord* primary() const;
    EligibilityRecord* primary();
};

// 一括照会 (batch) entry result: BulkConfirmUnit.
using BatchUnit = EligibilityResult;

}  // namespace kh::model

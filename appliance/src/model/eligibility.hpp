// Canonical eligibility types (資格確認): what a receipt computer asks, what the central system answers.
// Every code is kept as a string, exactly as received (leading zeros, padding, full-width symbols).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/codes.hpp"
#include "model/consent.hpp"
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
    std::string referenceNumber;  // 照会番号, when registered
    std::optional<ConsentBlock> consent;  // 閲覧同意 (…InfoConsFlg/ConsTime/AvailableTime), when present
};

// The answer to one inquiry.
struct EligibilityResult {
    std::string processingStatus = "1";  // ProcessingResultStatus: 1 正常終了, 2 エラー
    std::string processingCode;          // ProcessingResultCode (opaque)
    std::string processingMessage;
    Validity validity = Validity::Unknown;
    std::string validityRaw;  // the code as received
    EligibilityInquiry inquiry;  // echoed search info
    std::optional<EligibilityRecord> record;
    std::string medicalTreatmentFlag;  // MedicalTreatmentFlag of a consented-patients unit (raw)
    std::string examinationDate;       // ExaminationDate of a consented-patients unit (YYYYMMDD)
};

// 一括照会 (batch) entry result: BulkConfirmUnit.
using BatchUnit = EligibilityResult;

}  // namespace kh::model

// The synthetic insured population the simulator answers from: ≥ 10,000 persons across 社保, 国保,
// 後期高齢者 and 公費, made deterministically from a seed, with an index by the identifiers a
// qualification check uses (保険者番号, 番号, 生年月日; 記号 and 枝番 narrow the match when given).
// Besides the insurance, some persons have a 特定疾病療養受療証, 医療扶助 (alone, or alongside 社保 —
// then a check answers two records), an outpatient consent given at a face reader, and every person a
// choice between electronic and paper prescriptions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksim {

enum class InsuranceKind { Shaho, Kokuho, Koki, Kohi };
const char* kindName(InsuranceKind kind);  // "shaho", "kokuho", "koki", "kohi"

struct Insurer {
    std::string number;  // raw as results carry it: 国保 is "  123456" (two leading spaces)
    std::string name;
    InsuranceKind kind;
};

// 高齢受給者証 (ages 70–74).
struct ElderlyCertificate {
    std::string date, validStart, validEnd, contributionRatio;
};

// 限度額適用認定証 and its relatives.
struct LimitCertificate {
    std::string classification, classificationFlag, date, validStart, validEnd, longTermDate;
};

// 特定疾病療養受療証 (人工透析 and the like): one current certificate, sometimes an expired one before it.
struct SpecificDiseaseCertificate {
    std::string category;  // SpecificDiseasesDiseaseCategory 1, 2, 3
    std::string certificateDate, validStart, validEnd;  // validEnd empty: no end
    std::string selfPay;   // 自己負担限度額 in yen: "10000" or "20000"
};

// 医療扶助 (生活保護): the 公費負担者番号 of the welfare office and the 受給者番号. For persons of kind
// Kohi these are their insurer number and card number (医療扶助 only); for others a second record.
struct PublicAssistance {
    std::string publicExpenseNumber;  // 8 digits, 法別 12, valid check digit
    std::string beneficiaryNumber;    // 7 digits
    std::string welfareOfficeName;
    std::string prefecture;  // 2 digits: the welfare office's area, compared with an institution's
    std::string startDate;   // 保護開始日 (the record's QualificationDate)
    std::string endDate;     // 保護廃止日 (lapsed 公費 persons only), else empty
};

// An outpatient consent given at the face reader (顔認証付きカードリーダー): the scopes and whether it
// is still in force. Times of a consent in force depend on the day (it was given today, 00:00:00 JST,
// for 24 hours); an expired one has fixed times long past.
struct OutpatientConsentSeed {
    bool medication = false, clinical = false, checkup = false;
    bool expired = false;
    std::string consTime, availableTime;  // expired ones only
};

struct Person {
    std::size_t insurer = 0;  // index into Population::insurers()
    InsuranceKind kind = InsuranceKind::Shaho;
    std::string cardClassification;  // 01, 03, A1
    std::string cardSymbol, cardNumber, branchNumber;
    std::string personalFamily;  // 1 本人, 2 家族
    std::string insuredName;     // 世帯主 / 被保険者
    std::string name, nameKana, sex, birthDate, address, postNumber;
    std::string qualificationDate, disqualificationDate, reasonOfLoss;
    std::string certificateIssuanceDate, cardValidDate, cardExpirationDate;
    std::string contributionRatio;  // "030" = 30 %
    std::string preschool;          // "1" for 未就学, else empty
    std::optional<ElderlyCertificate> elderly;
    std::optional<LimitCertificate> limit;
    std::vector<SpecificDiseaseCertificate> specificDiseases;
    std::optional<PublicAssistance> assistance;
    std::optional<OutpatientConsentSeed> outpatient;
    std::string prescriptionIssueSelect;  // 1 電子処方箋, 2 紙の処方箋
    // What an inquiry for this person answers: '1' valid, '2' lapsed (資格喪失), '5' multiple
    // records (複数該当), '4' not registered at all (listed only so tests have an unknown person).
    char validity = '1';

    // False for 医療扶助 only (kind Kohi): such a person's result is the A1 record alone.
    bool insured() const { return kind != InsuranceKind::Kohi; }
};

// The identifiers of a qualification check, as received (trimmed and folded when compared).
struct SearchKey {
    std::string insurerNumber, cardSymbol, cardNumber, branchNumber, birthDate;
};

class Population {
public:
    static Population generate(std::uint64_t seed, std::size_t size);

    const std::vector<Person>& persons() const { return persons_; }
    const std::vector<Insurer>& insurers() const { return insurers_; }
    const Insurer& insurerOf(const Person& p) const { return insurers_[p.insurer]; }
    // Registered persons matching the key (validity-4 persons are never found).
    std::vector<const Person*> find(const SearchKey& key) const;
    // The same without the birth date (照会番号登録 names no birth date); key.birthDate is ignored.
    std::vector<const Person*> findByCard(const SearchKey& key) const;
    std::size_t indexOf(const Person& p) const { return static_cast<std::size_t>(&p - persons_.data()); }

private:
    void buildIndex();
    std::vector<const Person*> narrowed(const std::vector<std::size_t>& candidates, const SearchKey& key) const;

    std::vector<Insurer> insurers_;
    std::vector<Person> persons_;
    std::unordered_multimap<std::string, std::size_t> index_;
    std::unordered_multimap<std::string, std::size_t> cardIndex_;  // without the birth date
};

}  // namespace ksim

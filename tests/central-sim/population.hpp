// The synthetic insured population the simulator answers from: ≥ 10,000 persons across 社保, 国保,
// 後期高齢者 and 公費, made deterministically from a seed, with an index by the identifiers a
// qualification check uses (保険者番号, 番号, 生年月日; 記号 and 枝番 narrow the match when given).
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
    // What an inquiry for this person answers: '1' valid, '2' lapsed (資格喪失), '5' multiple
    // records (複数該当), '4' not registered at all (listed only so tests have an unknown person).
    char validity = '1';
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

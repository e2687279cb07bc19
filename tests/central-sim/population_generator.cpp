// Makes the synthetic population (Population::generate): insurers first, then households of one to
// three persons until the size is reached, then the per-person states (lapsed, multiple, unregistered)
// and benefits (burden ratio, 高齢受給者証, 限度額適用認定証). Ages are taken on a fixed reference day so
// the same seed gives the same population on every day.
//
// The attributes added later (特定疾病, 医療扶助 alongside 社保, outpatient consents, prescription choice)
// come from a second random stream drawn after everything else, so adding them left every person the
// first stream made exactly as it was.
#include "population.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <unordered_set>

#include "codes.hpp"
#include "japan_time.hpp"
#include "population_tables.hpp"
#include "prng.hpp"

namespace ksim {

namespace {

const CivilDate kReferenceDay{2026, 4, 1};
const CivilDate kPreschoolSince{2020, 4, 2};  // 未就学 on the reference day
const char* const kCertificateEnd = "20270731";

long day(int y, int m, int d) { return daysFromCivil({y, m, d}); }

// "12-34" → "１２－３４": the full-width form many cards print.
std::string fullWidth(const std::string& ascii) {
    std::string out;
    for (char c : ascii) {
        if (c < '!' || c > '~') { out += c; continue; }
        char32_t cp = 0xFF01 + (c - '!');
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::string digits(SplitMix64& rng, int count) {
    std::string s;
    for (int i = 0; i < count; ++i) s += static_cast<char>('0' + rng.below(10));
    return s;
}

struct Household {
    std::size_t insurer = 0;
    std::string symbol, number, familyName, familyKana, address, postNumber, headName;
    long headBirth = 0, qualification = 0;
};

class Generator {
public:
    Generator(std::uint64_t seed, std::size_t size) : rng_(seed), seed_(seed), size_(size) {}

    void run(std::vector<Insurer>& insurers, std::vector<Person>& persons);

private:
    void makeInsurers();
    void addInsurer(InsuranceKind kind, const std::string& withoutCheck, const std::string& name);
    std::string uniqueInsurerDigits(const std::string& prefix);
    std::size_t pickInsurer(InsuranceKind kind, const std::string& lawCode = "");
    void makeCardIds(Household& h);
    void makeAddress(Household& h);
    void makeFamilyName(Household& h);
    void addSingle(InsuranceKind kind);
    void addFamily(InsuranceKind kind);
    Person& addMember(const Household& h, InsuranceKind kind, int branch, long birth, bool male);
    long memberBirth(const Household& h, int branch, const std::vector<long>& taken);
    void applyState(Person& p);
    void applyBenefits(Person& p);
    void applyLimitCertificate(Person& p, int age);
    void addLaterAttributes(std::uint64_t seed);
    void applySpecificDiseases(Person& p, SplitMix64& rng);
    void applyPublicAssistance(Person& p, SplitMix64& rng);
    void applyOutpatientConsent(Person& p, SplitMix64& rng);
    const Insurer& welfareOffice(const std::string& prefecture);

    SplitMix64 rng_;
    std::uint64_t seed_;
    std::size_t size_;
    std::vector<Insurer> insurers_;
    std::vector<Person> persons_;
    std::unordered_set<std::string> usedNumbers_;
    std::deque<Insurer> extraOffices_;  // welfare offices the first stream did not make (stable addresses)
};

void Generator::run(std::vector<Insurer>& insurers, std::vector<Person>& persons) {
    makeInsurers();
    while (persons_.size() < size_) {
        std::uint32_t r = rng_.below(1000);
        if (r < 30) addSingle(InsuranceKind::Kohi);
        else if (r < 260) addSingle(InsuranceKind::Koki);
        else if (r < 520) addFamily(InsuranceKind::Kokuho);
        else addFamily(InsuranceKind::Shaho);
    }
    persons_.resize(size_);
    for (Person& p : persons_) {
        applyBenefits(p);
        applyState(p);
    }
    addLaterAttributes(seed_);
    insurers = std::move(insurers_);
    persons = std::move(persons_);
}

void Generator::addInsurer(InsuranceKind kind, const std::string& withoutCheck, const std::string& name) {
    std::string number = withCheckDigit(withoutCheck);
    if (kind == InsuranceKind::Kokuho) number = "  " + number;  // results carry 国保 numbers padded
    insurers_.push_back({number, name, kind});
}

std::string Generator::uniqueInsurerDigits(const std::string& prefix) {
    for (;;) {
        std::string candidate = prefix + digits(rng_, 3);
        if (usedNumbers_.insert("insurer|" + candidate).second) return candidate;
    }
}

void Generator::makeInsurers() {
    using namespace tables;
    for (std::size_t i = 0; i < kPrefectureCount; ++i) {
        const Prefecture& pref = kPrefectures[i];
        // 全国健康保険協会 (法別 01): 01 + 都道府県 + 001 — 01130012 is the real 東京支部.
        addInsurer(InsuranceKind::Shaho, std::string("01") + pref.code + "001",
                   std::string("全国健康保険協会\u3000") + pref.shortName + "支部");
        for (const char* city : pref.cities)
            addInsurer(InsuranceKind::Kokuho, uniqueInsurerDigits(pref.code), city);
        addInsurer(InsuranceKind::Koki, uniqueInsurerDigits(std::string("39") + pref.code),
                   std::string(pref.name) + "後期高齢者医療広域連合");
    }
    for (std::size_t i = 0; i < kHealthInsuranceSocietyCount; ++i) {
        const Prefecture& pref = kPrefectures[rng_.below(kPrefectureCount)];
        addInsurer(InsuranceKind::Shaho, uniqueInsurerDigits(std::string("06") + pref.code),
                   kHealthInsuranceSocieties[i]);
    }
    for (std::size_t i = 0; i < kMutualAidAssociationCount; ++i)
        addInsurer(InsuranceKind::Shaho, uniqueInsurerDigits("3113"), kMutualAidAssociations[i]);
    for (std::size_t i = 0; i < 4; ++i) {  // 生活保護 (法別 12) as 公費
        const Prefecture& pref = kPrefectures[rng_.below(kPrefectureCount)];
        addInsurer(InsuranceKind::Kohi, uniqueInsurerDigits(std::string("12") + pref.code),
                   std::string(pref.cities[0]) + "福祉事務所");
    }
}

std::size_t Generator::pickInsurer(InsuranceKind kind, const std::string& lawCode) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < insurers_.size(); ++i)
        if (insurers_[i].kind == kind && insurers_[i].number.compare(0, lawCode.size(), lawCode) == 0)
            candidates.push_back(i);
    return candidates[rng_.below(static_cast<std::uint32_t>(candidates.size()))];
}

// 記号・番号 in the styles each kind of insurer prints; (insurer, 番号) is unique.
void Generator::makeCardIds(Household& h) {
    const Insurer& insurer = insurers_[h.insurer];
    const std::string law = insurer.number.substr(0, 2);
    do {
        h.symbol.clear();
        if (insurer.kind == InsuranceKind::Koki) {
            h.number = "0" + digits(rng_, 7);
        } else if (insurer.kind == InsuranceKind::Kohi) {
            h.number = std::to_string(rng_.between(1000000, 9999999));  // 受給者番号
        } else if (insurer.kind == InsuranceKind::Kokuho) {
            h.symbol = fullWidth(digits(rng_, 2) + "-" + digits(rng_, 2));
            h.number = digits(rng_, 7);
        } else if (law == "01") {
            h.symbol = std::to_string(rng_.between(1000000, 99999999));
            if (rng_.chance(0.2)) h.symbol = fullWidth(h.symbol);
            h.number = std::to_string(rng_.between(1, 999999));
        } else if (law == "06") {
            h.symbol = fullWidth(std::to_string(rng_.between(1, 9999)));
            h.number = std::to_string(rng_.between(1, 99999));
        } else {
            h.symbol = fullWidth(digits(rng_, 2) + "-" + digits(rng_, 3));
            h.number = std::to_string(rng_.between(1, 9999999));
        }
    } while (!usedNumbers_.insert(insurer.number + "|" + h.number).second);
}

void Generator::makeAddress(Household& h) {
    using namespace tables;
    const Prefecture& pref = kPrefectures[rng_.below(kPrefectureCount)];
    h.postNumber = digits(rng_, 3) + "-" + digits(rng_, 4);
    h.address = std::string(pref.name) + pref.cities[rng_.below(2)] + kTowns[rng_.below(kTownCount)] +
                fullWidth(std::to_string(rng_.between(1, 9))) + "丁目" +
                fullWidth(std::to_string(rng_.between(1, 30))) + "番" +
                fullWidth(std::to_string(rng_.between(1, 20))) + "号";
}

void Generator::makeFamilyName(Household& h) {
    using namespace tables;
    const Name& n = rng_.chance(0.03) ? kGaijiFamilyNames[rng_.below(kGaijiFamilyNameCount)]
                                      : kFamilyNames[rng_.below(kFamilyNameCount)];
    h.familyName = n.kanji;
    h.familyKana = n.kana;
}

void Generator::addSingle(InsuranceKind kind) {
    Household h;
    h.insurer = pickInsurer(kind);
    makeCardIds(h);
    makeAddress(h);
    makeFamilyName(h);
    h.headBirth = kind == InsuranceKind::Koki ? rng_.between(day(1930, 1, 1), day(1951, 3, 31))
                                              : rng_.between(day(1935, 1, 1), day(2005, 12, 31));
    CivilDate birth = civilFromDays(h.headBirth);
    h.qualification = kind == InsuranceKind::Koki
                          ? anniversary(birth, 75)  // 後期高齢者 from the 75th birthday
                          : std::max(h.headBirth, rng_.between(day(2015, 4, 1), day(2025, 12, 31)));
    addMember(h, kind, 0, h.headBirth, rng_.chance(0.5));
}

void Generator::addFamily(InsuranceKind kind) {
    Household h;
    h.insurer = pickInsurer(kind);
    makeCardIds(h);
    makeAddress(h);
    makeFamilyName(h);
    h.headBirth = rng_.between(day(1951, 4, 2), day(2004, 12, 31));
    long adult = anniversary(civilFromDays(h.headBirth), 18);
    h.qualification = std::max(adult, rng_.between(day(2008, 4, 1), day(2025, 12, 31)));
    bool headMale = rng_.chance(0.6);
    Person& head = addMember(h, kind, 0, h.headBirth, headMale);
    h.headName = head.name;
    int members = 1 + static_cast<int>(rng_.below(3));
    std::vector<long> taken{h.headBirth};
    bool spouse = rng_.chance(0.7);
    for (int branch = 1; branch < members && persons_.size() < size_; ++branch) {
        bool isSpouse = branch == 1 && spouse;
        long birth = isSpouse ? memberBirth(h, -1, taken) : memberBirth(h, branch, taken);
        taken.push_back(birth);
        addMember(h, kind, branch, birth, isSpouse ? !headMale : rng_.chance(0.5));
    }
}

// A spouse (branch -1) within five years of the head, a child 20–42 years younger (born ≤ 2024).
long Generator::memberBirth(const Household& h, int branch, const std::vector<long>& taken) {
    long lo, hi;
    if (branch < 0) {
        lo = std::max(h.headBirth - 5 * 365, day(1951, 4, 2));
        hi = std::min(h.headBirth + 5 * 365, day(2006, 12, 31));
    } else {
        lo = anniversary(civilFromDays(h.headBirth), 20);
        hi = std::min(anniversary(civilFromDays(h.headBirth), 42), day(2024, 12, 31));
    }
    long birth = rng_.between(lo, std::max(lo, hi));
    while (std::find(taken.begin(), taken.end(), birth) != taken.end()) ++birth;
    return birth;
}

Person& Generator::addMember(const Household& h, InsuranceKind kind, int branch, long birth, bool male) {
    using namespace tables;
    const Name& given = male ? kMaleGivenNames[rng_.below(kMaleGivenNameCount)]
                             : kFemaleGivenNames[rng_.below(kFemaleGivenNameCount)];
    Person p;
    p.insurer = h.insurer;
    p.kind = kind;
    p.cardClassification = kind == InsuranceKind::Kohi ? "A1" : "01";
    if (kind == InsuranceKind::Kokuho && rng_.chance(0.03)) {
        p.cardClassification = "03";  // 短期被保険者証
        p.cardExpirationDate = "20270331";
    }
    if (kind == InsuranceKind::Koki) p.cardExpirationDate = kCertificateEnd;
    p.cardSymbol = h.symbol;
    p.cardNumber = h.number;
    p.branchNumber = branch < 10 ? "0" + std::to_string(branch) : std::to_string(branch);
    p.personalFamily = kind == InsuranceKind::Shaho && branch > 0 ? "2" : "1";
    p.name = h.familyName + "\u3000" + given.kanji;
    p.nameKana = h.familyKana + " " + given.kana;
    p.insuredName = branch == 0 ? p.name : h.headName;
    p.sex = male ? "1" : "2";
    p.birthDate = ymd(birth);
    p.address = h.address;
    p.postNumber = h.postNumber;
    p.qualificationDate = ymd(std::max(birth, h.qualification));
    p.certificateIssuanceDate = p.qualificationDate;
    p.cardValidDate = p.qualificationDate;
    persons_.push_back(std::move(p));
    return persons_.back();
}

// About 5 % lapsed (資格喪失), 0.5 % with two records (複数該当), 0.7 % not registered at all.
void Generator::applyState(Person& p) {
    std::uint32_t r = rng_.below(1000);
    if (r >= 62) return;
    if (r >= 55) { p.validity = '4'; return; }
    if (r >= 50) { p.validity = '5'; return; }
    p.validity = '2';
    long qualified = daysFromCivil(parseYmd(p.qualificationDate));
    long lastDay = daysFromCivil(kReferenceDay) - 1;
    long lost = rng_.between(std::min(qualified + 30, lastDay), lastDay);
    p.disqualificationDate = ymd(lost);
    static const char* const reasons[] = {"03", "03", "03", "03", "03", "03", "01", "02", "99", "99"};
    p.reasonOfLoss = reasons[rng_.below(10)];
}

void Generator::applyBenefits(Person& p) {
    CivilDate birth = parseYmd(p.birthDate);
    int age = ageOn(birth, kReferenceDay);
    if (p.kind == InsuranceKind::Kohi) return;  // 医療扶助: no contribution ratio
    if (daysFromCivil(birth) >= daysFromCivil(kPreschoolSince)) {
        p.preschool = "1";
        p.contributionRatio = "020";
    } else if (p.kind == InsuranceKind::Koki) {
        p.contributionRatio = rng_.chance(0.1) ? "030" : "010";
    } else if (age >= 70) {
        CivilDate start = civilFromDays(anniversary(birth, 70));
        if (start.day != 1)  // from the first of the month after the 70th birthday
            start = start.month == 12 ? CivilDate{start.year + 1, 1, 1} : CivilDate{start.year, start.month + 1, 1};
        std::string ratio = rng_.chance(0.15) ? "030" : "020";
        p.elderly = ElderlyCertificate{ymd(start), ymd(start), kCertificateEnd, ratio};
        p.contributionRatio = ratio;
    } else {
        p.contributionRatio = "030";
    }
    if (age >= 18 && rng_.chance(0.15)) applyLimitCertificate(p, age);
}

void Generator::applyLimitCertificate(Person& p, int age) {
    static const char* const under70[] = {"A01", "A02", "A03", "A04", "A05"};
    static const char* const over70[] = {"B01", "B02", "B03"};
    static const char* const lowIncome[] = {"B05", "B06", "B07", "B08"};
    LimitCertificate c{"01", "", "20250801", "20250801", kCertificateEnd, ""};
    if (age < 70) {
        c.classificationFlag = under70[rng_.below(5)];
    } else if (rng_.chance(0.2)) {
        c.classification = "02";  // 限度額適用・標準負担額減額認定証
        c.classificationFlag = lowIncome[rng_.below(4)];
        if (rng_.chance(0.3)) c.longTermDate = "20251001";
    } else {
        c.classificationFlag = over70[rng_.below(3)];
    }
    p.limit = c;
}

// The welfare office (法別 12) of a prefecture: the 公費 insurer there if the first stream made one, else
// one made here (kept apart from the insurer list, which only the first stream's persons point into).
const Insurer& Generator::welfareOffice(const std::string& prefecture) {
    for (const Insurer& i : insurers_)
        if (i.kind == InsuranceKind::Kohi && i.number.compare(2, 2, prefecture) == 0) return i;
    for (const Insurer& i : extraOffices_)
        if (i.number.compare(2, 2, prefecture) == 0) return i;
    std::string city;
    for (std::size_t k = 0; k < tables::kPrefectureCount; ++k)
        if (prefecture == tables::kPrefectures[k].code) city = tables::kPrefectures[k].cities[0];
    extraOffices_.push_back({withCheckDigit("12" + prefecture + "900"), city + "福祉事務所", InsuranceKind::Kohi});
    return extraOffices_.back();
}

void Generator::addLaterAttributes(std::uint64_t seed) {
    SplitMix64 rng(seed ^ 0x6B616B6568617368ULL);  // "kakehash": a stream apart from the first
    for (Person& p : persons_) {
        p.prescriptionIssueSelect = rng.chance(0.35) ? "1" : "2";
        if (p.kind == InsuranceKind::Kohi) {
            const Insurer& office = insurers_[p.insurer];
            p.assistance = PublicAssistance{office.number, p.cardNumber, office.name, office.number.substr(2, 2),
                                            p.qualificationDate, p.validity == '2' ? p.disqualificationDate : ""};
        } else {
            applySpecificDiseases(p, rng);
            if (p.kind == InsuranceKind::Shaho && p.validity == '1') applyPublicAssistance(p, rng);
        }
        if (p.validity == '1' || p.validity == '2') applyOutpatientConsent(p, rng);
    }
}

// About 2.5 % of insured persons: mostly 人工透析 (category 1), a few 血友病 (2) and HIV by blood
// products (3); 20,000 yen for high earners under 70 on dialysis, else 10,000.
void Generator::applySpecificDiseases(Person& p, SplitMix64& rng) {
    if (!rng.chance(0.025)) return;
    CivilDate birth = parseYmd(p.birthDate);
    std::uint32_t r = rng.below(100);
    std::string category = r < 85 ? "1" : r < 95 ? "2" : "3";
    bool highEarner = category == "1" && ageOn(birth, kReferenceDay) < 70 && rng.chance(0.2);
    long earliest = std::max(daysFromCivil(birth) + 365, day(2015, 4, 1));
    long start = rng.between(std::min(earliest, day(2026, 3, 1)), day(2026, 3, 1));
    std::string selfPay = highEarner ? "20000" : "10000";
    p.specificDiseases.push_back({category, ymd(start), ymd(start), "", selfPay});
    if (rng.chance(0.3)) {  // the certificate it replaced, expired the day before
        long before = start - rng.between(365, 1460);
        p.specificDiseases.push_back({category, ymd(before), ymd(before), ymd(start - 1), selfPay});
    }
}

// About 3 % of valid 社保 persons also receive 医療扶助 from the welfare office of their address's
// prefecture (国保 and 後期 members leave those schemes when assistance starts, so only 社保 overlaps).
void Generator::applyPublicAssistance(Person& p, SplitMix64& rng) {
    if (!rng.chance(0.03)) return;
    std::string prefecture;
    for (std::size_t k = 0; k < tables::kPrefectureCount; ++k)
        if (p.address.rfind(tables::kPrefectures[k].name, 0) == 0) prefecture = tables::kPrefectures[k].code;
    if (prefecture.empty()) return;
    const Insurer office = welfareOffice(prefecture);
    std::string beneficiary;
    do {
        beneficiary = withCheckDigit(digits(rng, 6));
    } while (!usedNumbers_.insert(office.number + "|" + beneficiary).second);
    long qualified = daysFromCivil(parseYmd(p.qualificationDate));
    long start = rng.between(std::max(qualified, day(2018, 4, 1)), day(2026, 3, 1));
    p.assistance = PublicAssistance{office.number, beneficiary, office.name, prefecture, ymd(std::max(start, qualified)), ""};
}

// About 8 % of registered persons consented at a face reader; a quarter of those consents expired long ago.
void Generator::applyOutpatientConsent(Person& p, SplitMix64& rng) {
    if (!rng.chance(0.08)) return;
    OutpatientConsentSeed c;
    do {
        c.medication = rng.chance(0.7);
        c.clinical = rng.chance(0.7);
        c.checkup = rng.chance(0.7);
    } while (!c.medication && !c.clinical && !c.checkup);
    if (rng.chance(0.25)) {
        c.expired = true;
        long dayGiven = rng.between(day(2026, 1, 5), day(2026, 3, 30));
        char time[8];
        std::snprintf(time, sizeof time, "%02d%02d%02d", static_cast<int>(rng.between(8, 17)),
                      static_cast<int>(rng.below(60)), static_cast<int>(rng.below(60)));
        c.consTime = ymd(dayGiven) + time;
        c.availableTime = ymd(dayGiven + 1) + time;  // 24 hours, as a face-reader consent lasts
    }
    p.outpatient = c;
}

}  // namespace

Population Population::generate(std::uint64_t seed, std::size_t size) {
    Population population;
    Generator(seed, size).run(population.insurers_, population.persons_);
    population.buildIndex();
    return population;
}

}  // namespace ksim

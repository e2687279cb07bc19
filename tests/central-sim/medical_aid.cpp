#include "medical_aid.hpp"

#include <algorithm>
#include <cstdio>

#include "codes.hpp"
#include "japan_time.hpp"
#include "prng.hpp"

namespace ksim {

namespace {

const char* const kInjuries[] = {"高血圧症", "腰痛症", "２型糖尿病", "変形性膝関節症", "慢性胃炎", "不眠症"};

std::uint64_t ticketSeed(const Person& p, const std::string& institution, const std::string& month) {
    std::string key = p.assistance->publicExpenseNumber + '|' + p.assistance->beneficiaryNumber + '|' + p.birthDate +
                      '|' + institution + '|' + month;
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

}  // namespace

bool isMonth6(const std::string& s) {
    if (s.size() != 6 || !isAllDigits(s)) return false;
    int month = std::stoi(s.substr(4, 2));
    return month >= 1 && month <= 12 && s.compare(0, 4, "1900") >= 0;
}

std::string areaOf(const std::string& institutionCode) { return institutionCode.substr(0, 2); }

bool assistedIn(const PublicAssistance& a, const std::string& month) {
    std::string first = month + "01";
    std::string last = month + std::to_string(daysInMonth(std::stoi(month.substr(0, 4)), std::stoi(month.substr(4, 2))));
    return a.startDate <= last && (a.endDate.empty() || a.endDate >= first);
}

std::vector<MedicalTicket> medicalTickets(const Person& p, const std::string& institution, const std::string& month) {
    std::vector<MedicalTicket> tickets;
    if (!p.assistance || !isMonth6(month) || areaOf(institution) != p.assistance->prefecture ||
        !assistedIn(*p.assistance, month))
        return tickets;
    const PublicAssistance& a = *p.assistance;
    SplitMix64 rng(ticketSeed(p, institution, month));
    int year = std::stoi(month.substr(0, 4)), mon = std::stoi(month.substr(4, 2));
    std::string first = month + "01", last = ymd(CivilDate{year, mon, daysInMonth(year, mon)});
    std::string valid = std::max(first, a.startDate);
    std::string expires = a.endDate.empty() ? last : std::min(last, a.endDate);
    char number[16];
    std::snprintf(number, sizeof number, "%010llu", static_cast<unsigned long long>(rng.next() % 10000000000ULL));

    MedicalTicket medical;
    medical.ticketType = "1";
    medical.validDate = valid;
    medical.expirationDate = expires;
    medical.issueNumber = std::string("KS") + number;
    medical.treatmentMonth = month;
    medical.designatedCode = institution;
    medical.designatedName = "シミュレーター指定医療機関";
    std::uint32_t firstInjury = rng.below(6);
    medical.injuryNames.push_back(kInjuries[firstInjury]);
    if (rng.chance(0.5)) medical.injuryNames.push_back(kInjuries[(firstInjury + 3) % 6]);
    medical.selfPay = rng.chance(0.1) ? std::to_string(1000 * rng.between(1, 9)) : "0";
    medical.singleOrCombined = p.insured() ? "2" : "1";
    medical.socialInsurance = p.insured() ? "1" : "0";
    tickets.push_back(medical);

    if (rng.chance(0.4)) {
        MedicalTicket dispensing = medical;
        dispensing.ticketType = "2";
        dispensing.issueNumber = std::string("KS") + std::to_string(1000000000ULL + rng.next() % 9000000000ULL);
        // A made-up pharmacy of the area: prefecture, 点数表 4 (調剤), a number, the check digit.
        dispensing.designatedCode = withCheckDigit(a.prefecture + "4" + std::to_string(100000 + rng.below(900000)));
        dispensing.designatedName = "シミュレーター指定薬局";
        dispensing.prescriberCode = institution;
        dispensing.prescriberName = medical.designatedName;
        dispensing.injuryNames.clear();
        tickets.push_back(dispensing);
    }
    return tickets;
}

}  // namespace ksim

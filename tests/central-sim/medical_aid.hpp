// 医療扶助 (生活保護) as results show it: whether a person's assistance covers a month, and the 医療券 /
// 調剤券 (MedicalTicketInfo) the welfare office issued for that month to an institution. A ticket is
// issued only to institutions in the welfare office's prefecture (the first two digits of a
// 医療機関等コード), which is also the "area" a medical-aid batch (OQSmutic) lists.
#pragma once
#include <string>
#include <vector>

#include "population.hpp"

namespace ksim {

struct MedicalTicket {
    std::string ticketType;  // 1 医療券, 2 調剤券
    std::string validDate, expirationDate, issueNumber, treatmentMonth;
    std::string designatedCode, designatedName;  // where the ticket may be used
    std::string prescriberCode, prescriberName;  // 調剤券 only: who prescribes
    std::vector<std::string> injuryNames;        // 医療券 only, 1–2
    std::string selfPay;                         // 本人支払額 in yen
    std::string singleOrCombined;                // 1 単独 (医療扶助 only), 2 併用 (with 社保)
    std::string socialInsurance;                 // 1 with 社保, 0 without
};

// YYYYMM naming a real month.
bool isMonth6(const std::string& s);
// The institution's area: its prefecture code (first two digits).
std::string areaOf(const std::string& institutionCode);
// True when the assistance runs on at least one day of the month (YYYYMM).
bool assistedIn(const PublicAssistance& assistance, const std::string& month);
// The tickets of the month issued to the institution: none outside the welfare office's area or
// outside the assistance; else a 医療券 for the institution and, for some persons, a 調剤券 for a
// pharmacy of the area on the institution's prescriptions. Deterministic.
std::vector<MedicalTicket> medicalTickets(const Person& person, const std::string& institution,
                                          const std::string& month);

}  // namespace ksim

// 居宅同意取得型 (home consent): what patients consented to through the マイナ在宅受付Web, per institution;
// the withdrawals (by the patient on the web, or by the facility); the reference numbers (照会番号)
// institutions registered for their patients; the PIN tries of the simulated card; and the
// institution tokens of the home-reception URLs. One store, one mutex; readers get copies.
//
// A consent is in force from its ConsentTime until its AvailableTime (the examination day 23:59:59,
// Japan time), unless withdrawn. Times are YYYYMMDDHHmmss strings in JST, compared as strings.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksim {

enum class Scope { Medication, Clinical, Checkup };
const char* scopeName(Scope scope);  // "medication", "clinical", "checkup"
bool parseScope(const std::string& name, Scope& scope);

struct Consent {
    std::string id;           // "C" + 15 digits
    std::string institution;  // 医療機関等コード
    std::size_t person = 0;   // index into Population::persons()
    bool medication = false, clinical = false, checkup = false;
    std::string treatmentFlag;    // MedicalTreatmentFlag: "2" 訪問診療等, "3" オンライン診療等
    std::string examinationDate;  // YYYYMMDD
    std::string consentTime;      // YYYYMMDDHHmmss
    std::string availableTime;    // examinationDate + "235959"
    std::string withdrawnAt;      // empty while not withdrawn
    std::string withdrawnBy;      // "patient" or "facility"

    bool has(Scope scope) const;
    bool withdrawn() const { return !withdrawnAt.empty(); }
    bool inForce(const std::string& now) const {
        return !withdrawn() && consentTime <= now && now <= availableTime;
    }
    // "active", "expired" or "withdrawn" at the given time.
    const char* stateAt(const std::string& now) const;
};

// The consent block a ResultOfQualificationConfirmation carries (…ConsFlg, …ConsTime, …AvailableTime
// per scope), whether it comes from a home consent or an outpatient (face-reader) consent.
struct ConsentBlock {
    bool medication = false, clinical = false, checkup = false;
    std::string consTime, availableTime;  // YYYYMMDDHHmmss, JST
    std::string withdrawnAt;              // empty unless withdrawn

    bool has(Scope scope) const;
};

ConsentBlock blockOf(const Consent& consent);

struct Withdrawal {
    std::string id;  // "W" + 15 digits
    std::string institution;
    std::size_t person = 0;
    std::string withdrawnAt;  // YYYYMMDDHHmmss
    std::string by;           // "patient" or "facility"
    std::vector<std::string> consentIds;
};

struct ReferenceEntry {
    std::string institution;
    std::size_t person = 0;
    std::string referenceNumber;
};

// Why medical information of one scope may or may not be given.
enum class ConsentVerdict { Allowed, NoConsent, Expired, Withdrawn };

struct ConsentDecision {
    ConsentVerdict verdict = ConsentVerdict::NoConsent;
    std::optional<Consent> consent;  // the consent in force (Allowed) or the newest one of the scope
};

struct PinCheck {
    bool accepted = false;
    bool blocked = false;
    int remainingTries = 0;
};

class ConsentStore {
public:
    static constexpr int kPinTries = 3;

    // The home-reception token of an institution (first 16 hex of sha256("home-reception:" + code));
    // remembers it so the token leads back to the institution.
    std::string tokenFor(const std::string& institution);
    // The institution of a token handed out before, or empty.
    std::string institutionForToken(const std::string& token) const;

    // The simulated card PIN ("1234"): three wrong tries in a row block the card until /sim/reset.
    PinCheck checkPin(std::size_t person, const std::string& pin);

    // Stores a consent and returns it with its id.
    Consent add(Consent consent);
    // Marks every consent in force of the person at the institution withdrawn now and records one
    // withdrawal; nothing when no consent was in force.
    std::optional<Withdrawal> withdraw(const std::string& institution, std::size_t person, const std::string& by);
    // Moves a consent's examination day to yesterday (a test aid for expired consents).
    std::optional<Consent> expire(const std::string& consentId, const std::string& yesterday);

    std::vector<Consent> all() const;
    std::vector<Consent> ofInstitution(const std::string& institution) const;
    std::vector<Consent> ofPerson(const std::string& institution, std::size_t person) const;
    // Withdrawals at the institution with withdrawnAt >= since (all when since is empty), oldest first.
    // asOf is the time of the listing, taken under the same lock as every withdrawal's time: a
    // withdrawal not listed has withdrawnAt >= asOf, so polling with since = the last asOf misses none.
    std::vector<Withdrawal> withdrawals(const std::string& institution, const std::string& since,
                                        std::string& asOf) const;
    std::vector<Withdrawal> allWithdrawals() const;

    // Registers (or replaces) the person's reference number at the institution. False when another
    // person of the institution already has that number.
    bool registerReference(const std::string& institution, std::size_t person, const std::string& number);
    std::string referenceNumber(const std::string& institution, std::size_t person) const;
    std::vector<ReferenceEntry> allReferences() const;

    // Forgets consents, withdrawals, reference numbers and PIN tries; tokens and id counters stay.
    void clear();

private:
    static std::string personKey(const std::string& institution, std::size_t person);
    std::string nextId(char prefix);

    mutable std::mutex mutex_;
    std::uint64_t counter_ = 0;
    std::map<std::string, std::string> tokens_;  // token → institution
    std::vector<Consent> consents_;
    std::vector<Withdrawal> withdrawals_;
    std::unordered_map<std::string, std::string> referenceByPerson_;  // institution|person → number
    std::unordered_map<std::string, std::size_t> personByReference_;  // institution|number → person
    std::unordered_map<std::size_t, int> wrongPins_;
};

// The decision for medical information of one scope from the person's consents at one institution:
// allowed while a consent of that scope is in force; otherwise the newest consent of that scope says
// why (withdrawn or expired); no consent of that scope at all: NoConsent.
ConsentDecision decideConsent(const std::vector<Consent>& consents, Scope scope, const std::string& now);

}  // namespace ksim

#include "store/reference_numbers.hpp"

#include "model/codes.hpp"

namespace kh::store {
namespace {
constexpr char kSeparator = '\x1F';  // validated identifiers hold no control characters
const char* kSelect =
    "SELECT id, identity_index, reference_number, state, result_code, result_message, COALESCE(ticket,0), "
    "identifiers_sealed, requested_at, COALESCE(registered_at,0) FROM reference_numbers ";

std::string aadFor(const std::string& index) { return "reference-number:" + index; }

std::string joinIdentifiers(const model::InsuredIdentity& p) {
    return p.insurerNumber + kSeparator + p.cardSymbol + kSeparator + p.cardNumber + kSeparator + p.branchNumber;
}

model::InsuredIdentity splitIdentifiers(const std::string& s) {
    std::vector<std::string> parts(1);
    for (char c : s) {
        if (c == kSeparator) parts.emplace_back();
        else parts.back() += c;
    }
    parts.resize(4);
    return {parts[0], parts[1], parts[2], parts[3], ""};
}
}  // namespace

std::string ReferenceNumbers::identityIndex(const model::InsuredIdentity& p) const {
    using model::normalisedIdentifier;
    return store_.key().blindIndex({normalisedIdentifier(p.insurerNumber), normalisedIdentifier(p.cardSymbol),
                                    normalisedIdentifier(p.cardNumber), normalisedIdentifier(p.branchNumber)});
}

void ReferenceNumbers::upsertPending(Transaction& tx, const model::ReferenceNumberRegistration& r, int64_t ticket) {
    std::string index = identityIndex(r.insured);
    tx.prepare("INSERT INTO reference_numbers(identity_index, reference_number, state, ticket, identifiers_sealed, "
               "requested_at) VALUES(?,?,'pending',?,?,?) "
               "ON CONFLICT(identity_index) DO UPDATE SET reference_number = excluded.reference_number, "
               "state = 'pending', result_code = '', result_message = '', ticket = excluded.ticket, "
               "identifiers_sealed = excluded.identifiers_sealed, requested_at = excluded.requested_at")
        .bindBlob(1, index).bind(2, r.referenceNumber).bind(3, ticket)
        .bindBlob(4, store_.key().seal(joinIdentifiers(r.insured), aadFor(index))).bind(5, nowSeconds())
        .run();
}

int64_t ReferenceNumbers::submit(const std::string& body, const std::vector<model::ReferenceNumberRegistration>& entries) {
    Transaction tx(store_.db());
    int64_t ticket = queue_.enqueue(tx, "reference-numbers", "reference-numbers", body);
    for (const auto& r : entries) upsertPending(tx, r, ticket);
    tx.commit();
    return ticket;
}

int ReferenceNumbers::markResults(int64_t ticket, const std::vector<ReferenceNumberMark>& marks) {
    Transaction tx(store_.db());
    int changed = 0;
    int64_t now = nowSeconds();
    for (const auto& m : marks) {
        tx.prepare("UPDATE reference_numbers SET state = ?, result_code = ?, result_message = ?, "
                   "registered_at = CASE WHEN ? THEN ? ELSE registered_at END "
                   "WHERE identity_index = ? AND ticket = ? AND reference_number = ? AND state = 'pending'")
            .bind(1, m.registered ? "registered" : "refused").bind(2, m.code).bind(3, m.message)
            .bind(4, int64_t(m.registered ? 1 : 0)).bind(5, now)
            .bindBlob(6, m.identityIndex).bind(7, ticket).bind(8, m.referenceNumber)
            .run();
        changed += tx.changes();
    }
    tx.commit();
    return changed;
}

ReferenceNumberRow ReferenceNumbers::read(Statement& st) {
    ReferenceNumberRow row;
    row.id = st.int64(0);
    row.identityIndex = st.blob(1);
    row.registration.referenceNumber = st.text(2);
    row.state = st.text(3);
    row.resultCode = st.text(4);
    row.resultMessage = st.text(5);
    row.ticket = st.int64(6);
    row.registration.insured = splitIdentifiers(store_.key().open(st.blob(7), aadFor(row.identityIndex)));
    row.requestedAt = st.int64(8);
    row.registeredAt = st.int64(9);
    return row;
}

std::optional<ReferenceNumberRow> ReferenceNumbers::find(const std::string& identityIndex) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kSelect) + "WHERE identity_index = ?");
    st.bindBlob(1, identityIndex);
    if (!st.step()) return std::nullopt;
    return read(st);
}

std::vector<ReferenceNumberRow> ReferenceNumbers::list(const std::string& state, int limit, int offset) {
    std::vector<ReferenceNumberRow> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kSelect) + "WHERE (? = '' OR state = ?) ORDER BY requested_at DESC, id DESC LIMIT ? OFFSET ?");
    st.bind(1, state).bind(2, state).bind(3, int64_t(limit)).bind(4, int64_t(offset));
    while (st.step()) out.push_back(read(st));
    return out;
}

std::vector<int64_t> ReferenceNumbers::pendingTickets() {
    std::vector<int64_t> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT DISTINCT ticket FROM reference_numbers WHERE state = 'pending' AND ticket IS NOT NULL ORDER BY ticket");
    while (st.step()) out.push_back(st.int64(0));
    return out;
}

int64_t ReferenceNumbers::count(const std::string& state) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM reference_numbers WHERE (? = '' OR state = ?)");
    st.bind(1, state).bind(2, state);
    st.step();
    return st.int64(0);
}

}  // namespace kh::store

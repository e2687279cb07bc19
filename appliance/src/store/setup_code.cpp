#include "store/setup_code.hpp"

#include <cctype>

#include "crypto/primitives.hpp"
#include "model/errors.hpp"

namespace kh::store {
namespace {
constexpr int kMaxWrongTries = 10;
constexpr size_t kSymbols = 12;
// Crockford's base32: 32 symbols (5 bits each), no I, L, O or U to misread from a console.
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The code as typed — any case, dashes and spaces anywhere, O/I/L for 0/1/1 — as its 12 symbols;
// empty when it cannot be a code.
std::string canonical(const std::string& typed) {
    std::string code;
    for (char c : typed) {
        if (c == '-' || c == ' ') continue;
        c = char(std::toupper(static_cast<unsigned char>(c)));
        if (c == 'O') c = '0';
        if (c == 'I' || c == 'L') c = '1';
        if (!std::char_traits<char>::find(kAlphabet, 32, c)) return {};
        code += c;
    }
    return code.size() == kSymbols ? code : std::string();
}
}  // namespace

std::string SetupCode::hash(const std::string& canonicalCode) const {
    return store_.key().blindIndex({"admin-setup-code", canonicalCode});
}

std::optional<std::string> SetupCode::issueIfNoAdministrator(Users& users) {
    Transaction tx(store_.db());
    if (users.count() > 0) {
        tx.exec("DELETE FROM admin_setup_code");
        tx.commit();
        return std::nullopt;
    }
    std::string bytes = crypto::randomBytes(kSymbols), code;
    for (unsigned char b : bytes) code += kAlphabet[b & 31];  // 256 is a multiple of 32: no bias
    crypto::secureZero(bytes);
    tx.prepare("INSERT OR REPLACE INTO admin_setup_code(id, code_hash, issued_at, wrong_tries) VALUES(1, ?, ?, 0)")
        .bindBlob(1, hash(code)).bind(2, nowSeconds())
        .run();
    tx.commit();
    return code.substr(0, 4) + "-" + code.substr(4, 4) + "-" + code.substr(8);
}

bool SetupCode::matches(const std::string& code, Transaction& tx) {
    std::string typed = canonical(code);
    std::string stored;
    {
        auto st = tx.prepare("SELECT code_hash, wrong_tries FROM admin_setup_code WHERE id = 1");
        if (!st.step() || st.int64(1) >= kMaxWrongTries) return false;
        stored = st.blob(0);
    }
    if (!typed.empty() && crypto::constantTimeEqual(hash(typed), stored)) return true;
    tx.exec("UPDATE admin_setup_code SET wrong_tries = wrong_tries + 1");
    return false;
}

bool SetupCode::consume(const std::string& code) {
    Transaction tx(store_.db());
    bool right = matches(code, tx);
    if (right) tx.exec("DELETE FROM admin_setup_code");
    tx.commit();
    return right;
}

AdminUser SetupCode::createFirstAdministrator(const std::string& code, Users& users, const Users::CheckedAccount& account) {
    Transaction tx(store_.db());
    if (users.count() > 0) throw model::KakehashiError(model::ErrorId::SetupDone, "");
    if (!matches(code, tx)) {
        tx.commit();  // the wrong try counts
        throw model::KakehashiError(model::ErrorId::SetupCodeWrong, "");
    }
    AdminUser user = users.add(account, "setup", tx);
    tx.exec("DELETE FROM admin_setup_code");
    tx.commit();
    return user;
}

}  // namespace kh::store

#include "cardreader/jpki_card.hpp"

#include <openssl/sha.h>

#include "crypto/primitives.hpp"

namespace kh::cardreader {
namespace {

const Bytes kJpkiAid{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
constexpr uint16_t kAuthCertificate = 0x000A, kAuthKey = 0x0017, kAuthPin = 0x0018;
constexpr std::size_t kMaxCertificate = 8192;

bool pinLocked(uint16_t sw) { return sw == 0x63C0 || sw == 0x6983 || sw == 0x6984; }

[[noreturn]] void statusFailure(const char* step, uint16_t sw) {
    if (sw == 0x6A82) throw CardException(CardFailure::NotMyNumberCard, std::string(step) + ": file not found (6A82)");
    throw CardException(CardFailure::CardError, std::string(step) + ": the card answered " + hexSw(sw));
}

// The whole length of a DER element from its first bytes (30 82 LL LL, 30 81 LL or 30 LL).
std::size_t derLength(const Bytes& head) {
    if (head.size() < 2 || head[0] != 0x30) return 0;
    if (head[1] < 0x80) return 2 + head[1];
    if (head[1] == 0x81 && head.size() >= 3) return 3 + head[2];
    if (head[1] == 0x82 && head.size() >= 4) return 4 + (std::size_t(head[2]) << 8 | head[3]);
    return 0;
}

}  // namespace

Bytes sha256DigestInfo(const Bytes& message) {
    Bytes out{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    uint8_t hash[SHA256_DIGEST_LENGTH];
    SHA256(message.data(), message.size(), hash);
    out.insert(out.end(), hash, hash + sizeof hash);
    return out;
}

ResponseApdu JpkiCard::expectOk(const Bytes& command, const char* step) {
    ResponseApdu r = c_.transmit(command);
    if (!r.ok()) statusFailure(step, r.sw);
    return r;
}

void JpkiCard::selectApplication() {
    ResponseApdu r = c_.transmit(commandApdu(0x00, 0xA4, 0x04, 0x0C, kJpkiAid));
    if (r.sw == 0x6A82 || r.sw == 0x6A86 || r.sw == 0x6D00 || r.sw == 0x6E00)
        throw CardException(CardFailure::NotMyNumberCard, "the card has no JPKI application (" + hexSw(r.sw) + ")");
    if (!r.ok()) statusFailure("SELECT JPKI AP", r.sw);
}

void JpkiCard::selectFile(uint16_t fid) {
    expectOk(commandApdu(0x00, 0xA4, 0x02, 0x0C, {uint8_t(fid >> 8), uint8_t(fid & 0xFF)}), "SELECT EF");
}

Bytes JpkiCard::readAuthCertificate() {
    selectFile(kAuthCertificate);
    Bytes cert = expectOk(commandApdu(0x00, 0xB0, 0x00, 0x00, {}, 4), "READ BINARY").data;
    std::size_t total = derLength(cert);
    if (total == 0 || total > kMaxCertificate)
        throw CardException(CardFailure::CardError, "the certificate file does not hold a DER certificate");
    while (cert.size() < total) {
        std::size_t offset = cert.size(), chunk = std::min<std::size_t>(256, total - offset);
        ResponseApdu r = expectOk(commandApdu(0x00, 0xB0, uint8_t(offset >> 8), uint8_t(offset & 0xFF), {}, int(chunk)),
                                  "READ BINARY");
        if (r.data.empty()) throw CardException(CardFailure::CardError, "the certificate ended early");
        cert.insert(cert.end(), r.data.begin(), r.data.end());
    }
    cert.resize(total);
    return cert;
}

PinStatus JpkiCard::authPinStatus() {
    selectFile(kAuthPin);
    ResponseApdu r = c_.transmit(commandApdu(0x00, 0x20, 0x00, 0x80));
    if (pinLocked(r.sw)) return {0, true};
    if (r.sw1() == 0x63 && (r.sw2() & 0xF0) == 0xC0) return {r.sw2() & 0x0F, false};
    if (r.ok()) return {-1, false};  // already verified in this session: the card does not count
    statusFailure("VERIFY (status)", r.sw);
}

Bytes JpkiCard::signWithAuthKey(const SecurePin& pin, const Bytes& digestInfo, const Bytes& expectedCertificate) {
    if (!pin.wellFormed()) throw CardException(CardFailure::PinFormat, "the PIN must be four digits");
    CardConnection::Transaction transaction(c_);
    selectApplication();
    if (readAuthCertificate() != expectedCertificate)
        throw CardException(CardFailure::CardRemoved, "another card was put in the reader");
    selectFile(kAuthPin);
    // The VERIFY command is built in place and wiped at once: the PIN is in it.
    Bytes verify;
    verify.reserve(5 + SecurePin::kLength);  // one allocation: no stray copy of the PIN
    verify.assign({0x00, 0x20, 0x00, 0x80, uint8_t(SecurePin::kLength)});
    verify.insert(verify.end(), pin.data(), pin.data() + pin.size());
    ResponseApdu r;
    try {
        r = c_.transmit(verify);
    } catch (...) {
        crypto::secureZero(verify.data(), verify.size());
        throw;
    }
    crypto::secureZero(verify.data(), verify.size());
    if (pinLocked(r.sw)) throw CardException(CardFailure::PinBlocked, "the PIN is blocked", 0);
    if (r.sw1() == 0x63) throw CardException(CardFailure::PinWrong, "wrong PIN", r.sw2() & 0x0F);
    if (!r.ok()) statusFailure("VERIFY", r.sw);
    selectFile(kAuthKey);
    ResponseApdu sig = expectOk(commandApdu(0x80, 0x2A, 0x00, 0x80, digestInfo, 256), "SIGN");
    if (sig.data.size() != 256) throw CardException(CardFailure::CardError, "the signature is not 2048 bits");
    return sig.data;
}

}  // namespace kh::cardreader

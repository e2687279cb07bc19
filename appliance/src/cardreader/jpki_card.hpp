// The JPKI application (公的個人認証 AP) of the My Number card, user-authentication side only: read the
// user-authentication certificate (no PIN), ask how many PIN tries are left (an empty VERIFY, which
// consumes none), and sign a SHA-256 DigestInfo with the user-authentication key after VERIFY — both in
// one transaction, because the verified state does not survive a reset or a re-selection. The signing
// certificate (署名用, with name and address) and the 個人番号 are never read.
#pragma once
#include "cardreader/pcsc.hpp"
#include "cardreader/secure_pin.hpp"

namespace kh::cardreader {

struct PinStatus {
    int triesLeft = -1;  // -1: the card did not say
    bool blocked = false;
};

class JpkiCard {
public:
    explicit JpkiCard(CardConnection& connection) : c_(connection) {}

    void selectApplication();            // throws NotMyNumberCard when the card has no JPKI AP
    Bytes readAuthCertificate();         // DER X.509, read in short-APDU chunks
    PinStatus authPinStatus();           // never consumes a try
    // In one transaction: select the AP, make sure the card is still the one whose certificate was
    // read (CardRemoved if another card took its place), VERIFY, SIGN. Throws PinFormat (nothing sent),
    // PinWrong with the tries left, PinBlocked, CardRemoved… A failed VERIFY is never sent again here.
    Bytes signWithAuthKey(const SecurePin& pin, const Bytes& digestInfo, const Bytes& expectedCertificate);

private:
    void selectFile(uint16_t fid);
    ResponseApdu expectOk(const Bytes& command, const char* step);

    CardConnection& c_;
};

// DigestInfo of SHA-256 (PKCS#1 v1.5): the prefix 3031300d060960864801650304020105000420 and the hash.
Bytes sha256DigestInfo(const Bytes& message);

}  // namespace kh::cardreader

// PC/SC through pcsc-lite: a context per thread (pcsc-lite's rule), the reader list, a connection to the
// card in one reader with GET RESPONSE (61xx) and resend-with-Le (6Cxx) handled, and transactions.
#pragma once
#include <PCSC/winscard.h>

#include <string>
#include <vector>

#include "cardreader/apdu.hpp"
#include "cardreader/card_error.hpp"

namespace kh::cardreader {

// The reader that reports readers being attached and detached.
inline const char* kPnpNotification = "\\\\?PnP?\\Notification";

// Classifies a PC/SC return code and throws it as a CardException; `what` names the call.
[[noreturn]] void throwPcsc(LONG rv, const char* what);
CardFailure classifyPcsc(LONG rv);
bool serviceLost(LONG rv);  // pcscd stopped or restarted: the context must be made anew

class PcscContext {
public:
    PcscContext();  // throws CardException(ServiceUnavailable) while pcscd is down
    ~PcscContext();
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;
    SCARDCONTEXT handle() const { return handle_; }
    std::vector<std::string> readers() const;  // empty when none is attached

private:
    SCARDCONTEXT handle_ = 0;
};

class CardConnection {
public:
    // Shared access, T=0 or T=1 as the card offers. Throws NoCard, NoReader, ReaderBusy, …
    CardConnection(const PcscContext& context, const std::string& reader);
    ~CardConnection();
    CardConnection(const CardConnection&) = delete;
    CardConnection& operator=(const CardConnection&) = delete;

    // One command, its whole answer: 61xx answers are collected with GET RESPONSE, a 6Cxx answer is
    // sent again with the Le the card asked for (never for VERIFY, whose body is a PIN).
    ResponseApdu transmit(const Bytes& command);
    std::string atrHex() const;

    // Exclusive use of the card for a sequence that must not be interleaved (VERIFY then SIGN).
    class Transaction {
    public:
        explicit Transaction(CardConnection& c);
        ~Transaction();

    private:
        CardConnection& c_;
    };

private:
    ResponseApdu transmitOnce(const Bytes& command);

    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
    std::string reader_;
};

}  // namespace kh::cardreader

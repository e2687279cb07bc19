#include "cardreader/pcsc.hpp"

#include <PCSC/pcsclite.h>

#include <cstdio>

#include "base/log.hpp"

namespace kh::cardreader {

const char* failureName(CardFailure f) {
    switch (f) {
    case CardFailure::ServiceUnavailable: return "card-service-unavailable";
    case CardFailure::NoReader: return "reader-unavailable";
    case CardFailure::NoCard: return "card-absent";
    case CardFailure::CardRemoved: return "card-removed";
    case CardFailure::CardReset: return "card-reset";
    case CardFailure::ReaderBusy: return "reader-busy";
    case CardFailure::Timeout: return "card-timeout";
    case CardFailure::NotMyNumberCard: return "not-mynumber-card";
    case CardFailure::PinWrong: return "pin-wrong";
    case CardFailure::PinBlocked: return "pin-blocked";
    case CardFailure::PinFormat: return "pin-format";
    case CardFailure::CardError: return "card-error";
    }
    return "card-error";
}

bool serviceLost(LONG rv) {
    return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED || rv == SCARD_F_COMM_ERROR ||
           rv == SCARD_E_INVALID_HANDLE;
}

CardFailure classifyPcsc(LONG rv) {
    if (serviceLost(rv)) return CardFailure::ServiceUnavailable;
    switch (rv) {
    case SCARD_W_REMOVED_CARD:
    case SCARD_E_NO_SMARTCARD:
    case SCARD_E_NOT_TRANSACTED:  // what the first call after a removal answers
        return CardFailure::CardRemoved;
    case SCARD_W_RESET_CARD: return CardFailure::CardReset;
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_NO_READERS_AVAILABLE:
        return CardFailure::NoReader;
    case SCARD_E_SHARING_VIOLATION: return CardFailure::ReaderBusy;
    case SCARD_E_TIMEOUT: return CardFailure::Timeout;
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNPOWERED_CARD:
        return CardFailure::CardRemoved;
    default: return CardFailure::CardError;
    }
}

void throwPcsc(LONG rv, const char* what) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%08lX", static_cast<unsigned long>(rv));
    throw CardException(classifyPcsc(rv), std::string(what) + ": " + pcsc_stringify_error(rv) + " (" + code + ")");
}

PcscContext::PcscContext() {
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &handle_);
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardEstablishContext");
}

PcscContext::~PcscContext() { SCardReleaseContext(handle_); }

std::vector<std::string> PcscContext::readers() const {
    DWORD size = 0;
    LONG rv = SCardListReaders(handle_, nullptr, nullptr, &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardListReaders");
    std::string buf(size, '\0');
    rv = SCardListReaders(handle_, nullptr, buf.data(), &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardListReaders");
    std::vector<std::string> out;
    for (const char* p = buf.c_str(); *p; p += out.back().size() + 1) out.emplace_back(p);  // multi-string
    return out;
}

CardConnection::CardConnection(const PcscContext& context, const std::string& reader) : reader_(reader) {
    LONG rv = SCardConnect(context.handle(), reader.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                           &card_, &protocol_);
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardConnect");
}

CardConnection::~CardConnection() { SCardDisconnect(card_, SCARD_LEAVE_CARD); }

std::string CardConnection::atrHex() const {
    BYTE atr[MAX_ATR_SIZE];
    DWORD atrLen = sizeof atr, state = 0, proto = 0, nameLen = 0;
    if (SCardStatus(card_, nullptr, &nameLen, &state, &proto, atr, &atrLen) != SCARD_S_SUCCESS) return "";
    std::string out;
    char b[4];
    for (DWORD i = 0; i < atrLen; ++i) {
        std::snprintf(b, sizeof b, "%02X", atr[i]);
        out += b;
    }
    return out;
}

ResponseApdu CardConnection::transmitOnce(const Bytes& command) {
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    BYTE answer[258 + 2];
    DWORD length = sizeof answer;
    LONG rv = SCardTransmit(card_, pci, command.data(), DWORD(command.size()), nullptr, answer, &length);
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardTransmit");
    // A card pulled out during the exchange can leave a "successful" transmit with no status word.
    if (length < 2) throw CardException(CardFailure::CardRemoved, "SCardTransmit: the card gave no answer");
    ResponseApdu r = splitResponse(answer, length);
    log::debug("card.apdu", {{"command", traceCommand(command)}, {"sw", hexSw(r.sw)}, {"bytes", std::to_string(r.data.size())}});
    return r;
}

ResponseApdu CardConnection::transmit(const Bytes& command) {
    ResponseApdu r = transmitOnce(command);
    bool carriesPin = command.size() > 5 && (command[1] == 0x20 || command[1] == 0x24);
    if (r.sw1() == 0x6C && !carriesPin) r = transmitOnce(withLe(command, r.sw2()));
    Bytes collected = std::move(r.data);
    for (int rounds = 0; r.sw1() == 0x61 && rounds < 64; ++rounds) {
        r = transmitOnce(commandApdu(0x00, 0xC0, 0x00, 0x00, {}, r.sw2() == 0 ? 256 : r.sw2()));
        collected.insert(collected.end(), r.data.begin(), r.data.end());
    }
    r.data = std::move(collected);
    return r;
}

CardConnection::Transaction::Transaction(CardConnection& c) : c_(c) {
    LONG rv = SCardBeginTransaction(c_.card_);
    if (rv != SCARD_S_SUCCESS) throwPcsc(rv, "SCardBeginTransaction");
}

CardConnection::Transaction::~Transaction() { SCardEndTransaction(c_.card_, SCARD_LEAVE_CARD); }

}  // namespace kh::cardreader

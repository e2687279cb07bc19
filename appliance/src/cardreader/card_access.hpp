// What a card check asks of the card in a reader — read the user-authentication certificate (and how many
// PIN tries are left), and sign with the PIN — behind an interface, so the rules of a check can be tested
// without a card. JpkiCards is the box's: JPKI over PC/SC, each reader on its own worker with a watchdog,
// so a card that stops answering holds up its own reader, not the others.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cardreader/apdu.hpp"
#include "cardreader/card_worker.hpp"
#include "cardreader/jpki_card.hpp"
#include "cardreader/secure_pin.hpp"

namespace kh::cardreader {

struct CardReading {
    Bytes certificate;  // DER, the user-authentication certificate (no personal data)
    PinStatus pin;      // only when asked for
};

class CardAccess {
public:
    virtual ~CardAccess() = default;
    // Both throw CardException (Timeout when the deadline passes first).
    virtual CardReading read(const std::string& reader, bool withPinStatus, std::chrono::milliseconds deadline) = 0;
    // The PIN is used once; the card must still be the one whose certificate is `certificate`.
    virtual Bytes sign(const std::string& reader, std::shared_ptr<SecurePin> pin, const Bytes& digestInfo,
                       const Bytes& certificate, std::chrono::milliseconds deadline) = 0;
};

class JpkiCards : public CardAccess {
public:
    CardReading read(const std::string& reader, bool withPinStatus, std::chrono::milliseconds deadline) override;
    Bytes sign(const std::string& reader, std::shared_ptr<SecurePin> pin, const Bytes& digestInfo, const Bytes& certificate,
               std::chrono::milliseconds deadline) override;

private:
    CardWorker& workerFor(const std::string& reader);

    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<CardWorker>> workers_;
};

}  // namespace kh::cardreader

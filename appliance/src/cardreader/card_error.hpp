// What can go wrong between the box and a My Number card, in words a reception desk can act on. The
// card layer throws CardException; services map each failure to the shared error table.
#pragma once
#include <stdexcept>
#include <string>

namespace kh::cardreader {

enum class CardFailure {
    ServiceUnavailable,  // pcscd is not running (or restarting)
    NoReader,            // the named reader is not attached
    NoCard,              // nothing in the reader
    CardRemoved,         // the card left the reader during an operation
    CardReset,           // another application reset the card
    ReaderBusy,          // another application holds the card
    Timeout,             // the card did not answer in time (watchdog)
    NotMyNumberCard,     // the JPKI application is not on the card
    PinWrong,            // VERIFY refused; triesLeft says how many remain
    PinBlocked,          // no tries left: only the municipal office can unblock it
    PinFormat,           // not four digits: refused before the card sees it
    CardError,           // any other status word or PC/SC failure
};

const char* failureName(CardFailure f);  // "card-removed", …

class CardException : public std::runtime_error {
public:
    CardException(CardFailure failure, const std::string& detail, int triesLeft = -1)
        : std::runtime_error(detail), failure_(failure), triesLeft_(triesLeft) {}
    CardFailure failure() const { return failure_; }
    int triesLeft() const { return triesLeft_; }  // -1 when not known

private:
    CardFailure failure_;
    int triesLeft_;
};

}  // namespace kh::cardreader

// The patient's 4-digit user-authentication PIN (利用者証明用電子証明書の暗証番号) while it travels from
// the staff page to the card: a fixed buffer, never a std::string (a growing string leaves copies
// behind), not copyable, zeroed when it dies. It is never logged, stored, queued or sent twice.
#pragma once
#include <array>
#include <cstddef>

namespace kh::cardreader {

class SecurePin {
public:
    static constexpr std::size_t kLength = 4;

    SecurePin() = default;
    ~SecurePin() { clear(); }
    SecurePin(const SecurePin&) = delete;
    SecurePin& operator=(const SecurePin&) = delete;

    // Appends one character; false (and nothing kept) when the PIN is already full.
    bool push(char c);
    void clear();
    // Exactly four ASCII digits: checked before anything reaches the card, since a malformed PIN
    // could still use up one of the card's three tries.
    bool wellFormed() const;
    const char* data() const { return digits_.data(); }
    std::size_t size() const { return size_; }

private:
    std::array<char, kLength> digits_{};
    std::size_t size_ = 0;
    bool overflow_ = false;
};

}  // namespace kh::cardreader

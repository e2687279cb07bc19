#include "cardreader/secure_pin.hpp"

#include "crypto/primitives.hpp"

namespace kh::cardreader {

bool SecurePin::push(char c) {
    if (size_ == kLength) {
        overflow_ = true;
        return false;
    }
    digits_[size_++] = c;
    return true;
}

void SecurePin::clear() {
    crypto::secureZero(digits_.data(), digits_.size());
    size_ = 0;
    overflow_ = false;
}

bool SecurePin::wellFormed() const {
    if (overflow_ || size_ != kLength) return false;
    for (std::size_t i = 0; i < size_; ++i)
        if (digits_[i] < '0' || digits_[i] > '9') return false;
    return true;
}

}  // namespace kh::cardreader

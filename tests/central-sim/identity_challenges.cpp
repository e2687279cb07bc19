#include "identity_challenges.hpp"

#include <stdexcept>

#include <openssl/rand.h>

#include "japan_time.hpp"

namespace ksim {

namespace {

constexpr int kNonceBytes = 32;

std::string randomHex(int bytes) {
    std::vector<unsigned char> random(static_cast<std::size_t>(bytes));
    if (RAND_bytes(random.data(), bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : random) {
        out += hex[b >> 4];
        out += hex[b & 0xF];
    }
    return out;
}

}  // namespace

void ChallengeStore::replayNext(const std::string& institution) {
    std::lock_guard<std::mutex> lock(mutex_);
    replay_[institution] = true;
}

Challenge ChallengeStore::issue(const std::string& institution, int ttlSeconds) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto last = lastNonce_.find(institution);
        if (replay_[institution] && last != lastNonce_.end() && challenges_.count(last->second)) {
            replay_[institution] = false;
            return challenges_[last->second];
        }
    }
    auto wallNow = std::chrono::system_clock::now();
    auto ttl = std::chrono::seconds(ttlSeconds);
    Challenge c;
    c.nonce = randomHex(kNonceBytes);
    c.institution = institution;
    c.issuedAt = jstTimestamp(wallNow);
    c.expiresAt = jstTimestamp(wallNow + ttl);
    c.expires = std::chrono::steady_clock::now() + ttl;
    std::lock_guard<std::mutex> lock(mutex_);
    challenges_[c.nonce] = c;
    lastNonce_[institution] = c.nonce;
    order_.push_back(c.nonce);
    while (order_.size() > kKept) {
        challenges_.erase(order_.front());
        order_.pop_front();
    }
    return c;
}

NonceCheck ChallengeStore::consume(const std::string& nonce, const std::string& institution) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = challenges_.find(nonce);
    if (it == challenges_.end() || it->second.institution != institution) return NonceCheck::Unknown;
    Challenge& c = it->second;
    bool wasUsed = c.used;
    c.used = true;
    if (std::chrono::steady_clock::now() >= c.expires) return NonceCheck::Expired;
    return wasUsed ? NonceCheck::Used : NonceCheck::Accepted;
}

void ChallengeStore::record(Verification verification) {
    std::lock_guard<std::mutex> lock(mutex_);
    verifications_.push_back(std::move(verification));
    while (verifications_.size() > kKept) verifications_.pop_front();
}

std::vector<Verification> ChallengeStore::verifications() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {verifications_.begin(), verifications_.end()};
}

void ChallengeStore::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    challenges_.clear();
    order_.clear();
    lastNonce_.clear();
    replay_.clear();
    verifications_.clear();
}

}  // namespace ksim

// 資格情報 cache: the last answer for each insured identity, sealed on disk and kept decoded in memory
// (bounded) so a fresh hit costs no disk read. Keys are blind indexes, never identifiers.
#pragma once
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/store.hpp"

namespace kh::store {

struct CachedAnswer {
    std::string result;       // the serialised result (opaque to the store)
    int64_t confirmedAt = 0;  // unix seconds when the central system gave it
};

class EligibilityCache {
public:
    EligibilityCache(Store& store, size_t memoryEntries = 50000);
    std::optional<CachedAnswer> get(const std::string& identityIndex);
    void put(const std::string& identityIndex, const CachedAnswer& answer);
    int64_t size();
    // Drops answers confirmed before `cutoff` (unix seconds), on disk and in memory; returns how many.
    int64_t forgetConfirmedBefore(int64_t cutoff);

private:
    void remember(const std::string& index, const CachedAnswer& answer);

    Store& store_;
    size_t capacity_;
    std::mutex mutex_;
    std::list<std::string> order_;  // most recent first
    std::unordered_map<std::string, std::pair<CachedAnswer, std::list<std::string>::iterator>> memory_;
};

}  // namespace kh::store

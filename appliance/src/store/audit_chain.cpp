#include "store/audit_chain.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
constexpr const char* kCheckpointEvent = "audit.checkpoint";

// Length-prefixed fields, so no two different field lists give the same text.
std::string framed(std::initializer_list<std::string> fields) {
    std::string text;
    for (const std::string& f : fields) text += std::to_string(f.size()) + ":" + f + ";";
    return text;
}

bool digits(std::string_view s) {
    return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool lowerHex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The value of "name":"…" in a flat JSON line whose values are digits or hex (nothing to unescape).
std::optional<std::string_view> field(std::string_view line, std::string_view name) {
    std::string key = "\"" + std::string(name) + "\":\"";
    auto at = line.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    at += key.size();
    auto end = line.find('"', at);
    if (end == std::string_view::npos) return std::nullopt;
    return line.substr(at, end - at);
}
}  // namespace

const std::string kChainStart(64, '0');

std::string keyedRowHash(const AuditKey& key, const AuditEntry& e) {
    return key.tag(framed({"kakehashi audit row v1", std::to_string(e.id), e.prevHash, std::to_string(e.at), e.actor,
                           e.action, e.subject, e.detail}));
}

std::string legacyRowHash(const AuditEntry& e) {
    return crypto::hex(crypto::sha256(framed({e.prevHash, std::to_string(e.at), e.actor, e.action, e.subject, e.detail})));
}

std::string checkpointTag(const AuditKey& key, const AuditCheckpoint& c) {
    return key.tag(framed({"kakehashi audit checkpoint v1", std::to_string(c.id), std::to_string(c.at),
                           std::to_string(c.rowId), std::to_string(c.rowCount), c.chain, std::to_string(c.prunedThrough)}));
}

std::string checkpointLine(const AuditCheckpoint& c) {
    return std::string("{\"event\":\"") + kCheckpointEvent + "\",\"checkpoint\":\"" + std::to_string(c.id) + "\",\"at\":\"" +
           std::to_string(c.at) + "\",\"row\":\"" + std::to_string(c.rowId) + "\",\"count\":\"" + std::to_string(c.rowCount) +
           "\",\"chain\":\"" + c.chain + "\",\"prunedThrough\":\"" + std::to_string(c.prunedThrough) + "\",\"tag\":\"" +
           c.tag + "\"}";
}

std::optional<AuditCheckpoint> parseCheckpointLine(std::string_view line) {
    auto event = field(line, "event");
    if (!event || *event != kCheckpointEvent) return std::nullopt;
    auto id = field(line, "checkpoint"), at = field(line, "at"), row = field(line, "row"), count = field(line, "count"),
         chain = field(line, "chain"), pruned = field(line, "prunedThrough"), tag = field(line, "tag");
    if (!id || !at || !row || !count || !chain || !pruned || !tag) return std::nullopt;
    if (!digits(*id) || !digits(*at) || !digits(*row) || !digits(*count) || !digits(*pruned) || !lowerHex64(*chain) ||
        !lowerHex64(*tag))
        return std::nullopt;
    auto number = [](std::string_view s) { return std::stoll(std::string(s)); };
    return AuditCheckpoint{number(*id), number(*at), number(*row), number(*count), std::string(*chain), number(*pruned),
                           std::string(*tag)};
}

}  // namespace kh::store

// File names of the interface (§1 of spec-interface.md): `OQS` + si/mu + operation + 01/02 + req/res + `_`
// + id + `.xml`, e.g. OQSsiquc01req_202611240001.xml. Every known name (siquc, muquc, siimm, muhvq, muonq)
// has 5 lower-case letters before the phase, so that is the pattern checked. Names that could leave the folder or do
// not follow the pattern are refused.
#include <cctype>
#include <optional>

#include "spec/messages.hpp"

namespace kh::spec {
namespace {

constexpr size_t kPrefixLength = 13;  // "OQSsiquc01req"
constexpr size_t kMaxIdLength = 64;

struct FileName {
    std::string operation;  // "siquc01", "muquc02", …
    bool request = false;
    std::string id;         // between '_' and the extension
    std::string extension;  // ".xml" as written (".XML" accepted)
};

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isIdChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool hasSafeCharacters(const std::string& s) {
    return s.find('/') == std::string::npos && s.find('\\') == std::string::npos &&
           s.find("..") == std::string::npos;
}

bool validOperation(const std::string& op) {
    const bool multiplicity = op.compare(0, 2, "si") == 0 || op.compare(0, 2, "mu") == 0;
    bool letters = true;
    for (size_t i = 2; i < 5; ++i) letters = letters && isLower(op[i]);
    const bool phase = op.compare(5, 2, "01") == 0 || op.compare(5, 2, "02") == 0;
    return multiplicity && letters && phase;
}

bool validId(const std::string& id) {
    if (id.empty() || id.size() > kMaxIdLength) return false;
    for (char c : id)
        if (!isIdChar(c)) return false;
    return true;
}

std::optional<FileName> parseFileName(const std::string& name) {
    if (!hasSafeCharacters(name) || name.size() < kPrefixLength + 1 + 1 + 4) return std::nullopt;
    if (name.compare(0, 3, "OQS") != 0 || name[kPrefixLength] != '_') return std::nullopt;
    FileName f;
    f.operation = name.substr(3, 7);
    const std::string direction = name.substr(10, 3);
    f.extension = name.substr(name.size() - 4);
    f.id = name.substr(kPrefixLength + 1, name.size() - kPrefixLength - 1 - 4);
    if (!validOperation(f.operation) || (direction != "req" && direction != "res")) return std::nullopt;
    if ((f.extension != ".xml" && f.extension != ".XML") || !validId(f.id)) return std::nullopt;
    f.request = direction == "req";
    return f;
}

std::optional<FileName> parseRequestFileName(const std::string& name) {
    auto f = parseFileName(name);
    if (!f || !f->request) return std::nullopt;
    return f;
}
}  // namespace

MessageKind kindFromFileName(const std::string& fileName) {
    const auto f = parseRequestFileName(fileName);
    if (!f) return MessageKind::Unknown;
    if (f->operation == "siquc01") return MessageKind::SingleInquiry;
    if (f->operation == "muquc01") return MessageKind::BatchUpload;
    if (f->operation == "muquc02") return MessageKind::BatchDownload;
    return MessageKind::Unknown;
}

std::string resultFileName(const std::string& requestFileName) {
    const auto f = parseRequestFileName(requestFileName);
    if (!f) return {};
    return "OQS" + f->operation + "res_" + f->id + f->extension;
}

std::string errorFileName(const std::string& requestFileName) {
    const auto f = parseRequestFileName(requestFileName);
    if (!f) return {};
    return "OQS" + f->operation + "req_" + f->id + ".err";
}

}  // namespace kh::spec

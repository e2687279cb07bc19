// File names of the interface (docs/file-interface.md §3): `OQS` + si/mu + operation + 01/02 + req/res + `_`
// + id + `.xml`, e.g. OQSsiquc01req_202611240001.xml; medication and checkup info use `YZK` / `TKK` in place of
// `OQS` (YZKsiquc01req_…). Every known name (siquc, muquc, siimm, muimm, muhvq, muonq, mutic) has 5 lower-case letters
// before the phase, so that is the pattern checked. Names that could leave the folder or do not follow the pattern
// are refused.
#include <cctype>
#include <optional>

#include "spec/messages.hpp"

namespace kh::spec {
namespace {

constexpr size_t kPrefixLength = 13;  // "OQSsiquc01req"
constexpr size_t kMaxIdLength = 64;

struct FileName {
    std::string system;     // "OQS", "YZK" (薬剤情報) or "TKK" (特定健診情報)
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
    FileName f;
    f.system = name.substr(0, 3);
    if ((f.system != "OQS" && f.system != "YZK" && f.system != "TKK") || name[kPrefixLength] != '_')
        return std::nullopt;
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
    const std::string& op = f->operation;
    if (f->system == "YZK") return op == "siquc01" ? MessageKind::MedicationInfo : MessageKind::Unknown;
    if (f->system == "TKK") return op == "siquc01" ? MessageKind::CheckupInfo : MessageKind::Unknown;
    if (op == "siquc01") return MessageKind::SingleInquiry;
    if (op == "muquc01") return MessageKind::BatchUpload;
    if (op == "muquc02") return MessageKind::BatchDownload;
    if (op == "muhvq01" || op == "muonq01") return MessageKind::ConsentListUpload;
    if (op == "muhvq02" || op == "muonq02") return MessageKind::ConsentListDownload;
    if (op == "siimm01") return MessageKind::ReferenceNumberSingle;
    if (op == "muimm01") return MessageKind::ReferenceNumberUpload;
    if (op == "muimm02") return MessageKind::ReferenceNumberDownload;
    if (op == "mutic01") return MessageKind::MedicalAidUpload;
    if (op == "mutic02") return MessageKind::MedicalAidDownload;
    return MessageKind::Unknown;
}

std::string resultFileName(const std::string& requestFileName) {
    const auto f = parseRequestFileName(requestFileName);
    if (!f) return {};
    return f->system + f->operation + "res_" + f->id + f->extension;
}

std::string errorFileName(const std::string& requestFileName) {
    const auto f = parseRequestFileName(requestFileName);
    if (!f) return {};
    return f->system + f->operation + "req_" + f->id + ".err";
}

}  // namespace kh::spec

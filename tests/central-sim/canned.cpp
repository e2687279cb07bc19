#include "canned.hpp"

#include "codes.hpp"

namespace ksim {

namespace {

bool sameIdentifiers(const CannedAnswer& a, const std::string& insurer, const std::string& number,
                     const std::string& branch) {
    return foldedIdentifier(a.insurerNumber) == foldedIdentifier(insurer) &&
           foldedIdentifier(a.cardNumber) == foldedIdentifier(number) &&
           foldedIdentifier(a.branchNumber) == foldedIdentifier(branch);
}

// The declaration "<?xml … ?>" at the start, as [begin, end) offsets; end 0 when there is none.
std::size_t declarationEnd(const std::string& text) {
    if (text.compare(0, 5, "<?xml") != 0) return 0;
    std::size_t end = text.find("?>");
    return end == std::string::npos ? 0 : end + 2;
}

void declareUtf8(std::string& text) {
    std::size_t end = declarationEnd(text);
    std::size_t at = text.find("encoding", 0);
    if (end == 0 || at == std::string::npos || at > end) return;
    std::size_t open = text.find_first_of("\"'", at);
    if (open == std::string::npos || open > end) return;
    std::size_t close = text.find(text[open], open + 1);
    if (close == std::string::npos || close > end) return;
    text.replace(open + 1, close - open - 1, "UTF-8");
}

}  // namespace

const char* cannedKindName(CannedKind kind) { return kind == CannedKind::Batch ? "batch" : "single"; }

void CannedAnswers::put(const CannedAnswer& answer) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (CannedAnswer& a : answers_) {
        if (a.kind == answer.kind && sameIdentifiers(a, answer.insurerNumber, answer.cardNumber, answer.branchNumber)) {
            a = answer;
            return;
        }
    }
    answers_.push_back(answer);
}

std::optional<CannedAnswer> CannedAnswers::take(CannedKind kind, const SearchInfo& search) {
    std::lock_guard<std::mutex> lock(mutex_);
    CannedAnswer* best = nullptr;
    for (CannedAnswer& a : answers_) {
        if (a.kind != kind || foldedIdentifier(a.insurerNumber) != foldedIdentifier(search.insurerNumber) ||
            foldedIdentifier(a.cardNumber) != foldedIdentifier(search.cardNumber))
            continue;
        if (a.branchNumber.empty()) {
            if (!best) best = &a;  // one for any branch, unless one names this branch
        } else if (foldedIdentifier(a.branchNumber) == foldedIdentifier(search.branchNumber)) {
            best = &a;
            break;
        }
    }
    if (!best) return std::nullopt;
    ++best->hits;
    return *best;
}

std::vector<CannedAnswer> CannedAnswers::all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return answers_;
}

std::size_t CannedAnswers::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t count = answers_.size();
    answers_.clear();
    return count;
}

bool prepareCannedDocument(CannedKind kind, std::string& text, std::string& status, std::string& error) {
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    declareUtf8(text);
    XmlElement root;
    if (!readXmlElement(text, root, error)) return false;
    const char* wanted = kind == CannedKind::Batch ? "BulkConfirmUnit" : "XmlMsg";
    if (root.name != wanted) {
        error = std::string("the root element must be ") + wanted;
        return false;
    }
    if (kind == CannedKind::Batch) {
        text.erase(0, declarationEnd(text));
        text = trimmed(text);
        status = trimmed(root.childText("ProcessingResultStatus"));
    }
    return true;
}

}  // namespace ksim

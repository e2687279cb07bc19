// Canned answers for conformance tests (POST /sim/canned): a test hands the simulator a whole
// OQSsiquc01res document, or one BulkConfirmUnit, for a person named by insurer number, card number and
// optionally branch number. Every later single check (or batch unit) for those identifiers is answered
// with exactly that text until DELETE /sim/canned or /sim/reset, so a fixture in the real shapes can be
// fed through the gateway unchanged. The person need not be in the population.
#pragma once
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "xml_reader.hpp"

namespace ksim {

enum class CannedKind { Single, Batch };
const char* cannedKindName(CannedKind kind);  // "single", "batch"

struct CannedAnswer {
    CannedKind kind = CannedKind::Single;
    std::string insurerNumber, cardNumber, branchNumber;  // as given; branch empty: any branch
    std::string document;  // the text served
    std::string status;    // batch: the unit's ProcessingResultStatus, for the header's counts
    unsigned long hits = 0;
};

class CannedAnswers {
public:
    // Stores the answer, replacing one of the same kind for the same identifiers.
    void put(const CannedAnswer& answer);
    // The answer canned for the search's identifiers, if any; counts the hit.
    std::optional<CannedAnswer> take(CannedKind kind, const SearchInfo& search);
    std::vector<CannedAnswer> all() const;
    // Forgets every answer; returns how many there were.
    std::size_t clear();

private:
    mutable std::mutex mutex_;
    std::vector<CannedAnswer> answers_;
};

// Makes a document a test sent ready to serve: a byte-order mark goes, the declaration's encoding (if
// any) becomes UTF-8 (the text arrived as UTF-8 in JSON and leaves as UTF-8), and a batch unit loses its
// declaration (it is written into a document). The text must be well-formed with root XmlMsg (single)
// or BulkConfirmUnit (batch). False with the reason otherwise; status gets a unit's ProcessingResultStatus.
bool prepareCannedDocument(CannedKind kind, std::string& text, std::string& status, std::string& error);

}  // namespace ksim

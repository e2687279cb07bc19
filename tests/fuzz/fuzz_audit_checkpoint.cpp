// An audit checkpoint read from a log line or the anchor file (store/audit_chain): any bytes, never a crash;
// a line that parses writes back to a line that parses to the same checkpoint.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "store/audit_chain.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto c = kh::store::parseCheckpointLine(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!c) return 0;
    auto again = kh::store::parseCheckpointLine(kh::store::checkpointLine(*c));
    if (!again || again->id != c->id || again->at != c->at || again->rowId != c->rowId || again->rowCount != c->rowCount ||
        again->chain != c->chain || again->prunedThrough != c->prunedThrough || again->tag != c->tag)
        std::abort();
    return 0;
}

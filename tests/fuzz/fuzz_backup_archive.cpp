// The backup archive reader (store/backup): any text — only an archive that opened with its passphrase
// reaches it, but a damaged or hostile one must still end in a clear error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/errors.hpp"
#include "store/backup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        kh::store::checkBackup(std::string(reinterpret_cast<const char*>(data), size), "/nonexistent-key-dir");
    } catch (const kh::model::KakehashiError&) {
    }
    return 0;
}

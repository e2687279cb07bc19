// A small reader of ZIP archives: the terminal may answer a batch's second phase with <res base>.zip holding
// the result XML (field-lists §7.4). Stored and deflated entries only (zlib), checked against their CRC;
// no ZIP64, no encryption, no multi-part archives: anything else is refused, never guessed at.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kh::upstream {

class BadZip : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ZipReader {
public:
    explicit ZipReader(const std::string& archive);  // reads the central directory; throws BadZip
    explicit ZipReader(std::string&&) = delete;      // it reads the caller's bytes in place
    std::vector<std::string> names() const;
    // The entry's bytes; throws BadZip when it is damaged, larger than `maxBytes`, or not there.
    std::string extract(const std::string& name, size_t maxBytes) const;

private:
    struct Entry {
        std::string name;
        uint16_t method = 0;
        uint32_t crc = 0;
        uint32_t compressedSize = 0, size = 0;
        uint32_t localHeader = 0;
    };
    const std::string& archive_;
    std::vector<Entry> entries_;
};

}  // namespace kh::upstream

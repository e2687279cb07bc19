#include "upstream/zip_reader.hpp"

#include <zlib.h>

#include <algorithm>

namespace kh::upstream {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50, kDirectoryEntry = 0x02014b50, kLocalHeader = 0x04034b50;
constexpr uint16_t kStored = 0, kDeflated = 8;

uint32_t u16(const std::string& s, size_t at) {
    if (at + 2 > s.size()) throw BadZip("ZIP: truncated");
    return uint32_t(uint8_t(s[at])) | uint32_t(uint8_t(s[at + 1])) << 8;
}
uint32_t u32(const std::string& s, size_t at) { return u16(s, at) | u16(s, at + 2) << 16; }

std::string inflateRaw(const std::string& in, size_t expected, size_t maxBytes) {
    if (expected > maxBytes) throw BadZip("ZIP: entry too large");
    std::string out(expected, '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw BadZip("ZIP: zlib init failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = uInt(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    int rc = inflate(&z, Z_FINISH);
    size_t produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != expected) throw BadZip("ZIP: damaged deflate data");
    return out;
}
}  // namespace

ZipReader::ZipReader(const std::string& archive) : archive_(archive) {
    if (archive.size() < 22) throw BadZip("ZIP: too short");
    // The end-of-directory record is in the last 22 bytes plus at most a 64 KiB comment.
    size_t lowest = archive.size() > 22 + 65535 ? archive.size() - 22 - 65535 : 0;
    size_t eocd = std::string::npos;
    for (size_t at = archive.size() - 22 + 1; at-- > lowest;) {
        if (u32(archive, at) == kEndOfDirectory) {
            eocd = at;
            break;
        }
    }
    if (eocd == std::string::npos) throw BadZip("ZIP: no central directory");
    if (u16(archive, eocd + 4) != 0 || u16(archive, eocd + 6) != 0) throw BadZip("ZIP: multi-part archives are not read");
    uint32_t count = u16(archive, eocd + 10);
    uint32_t offset = u32(archive, eocd + 16);
    if (offset == 0xFFFFFFFF || count == 0xFFFF) throw BadZip("ZIP64 archives are not read");
    size_t at = offset;
    for (uint32_t i = 0; i < count; ++i) {
        if (u32(archive, at) != kDirectoryEntry) throw BadZip("ZIP: damaged central directory");
        Entry e;
        uint32_t flags = u16(archive, at + 8);
        e.method = uint16_t(u16(archive, at + 10));
        e.crc = u32(archive, at + 16);
        e.compressedSize = u32(archive, at + 20);
        e.size = u32(archive, at + 24);
        uint32_t nameLen = u16(archive, at + 28), extraLen = u16(archive, at + 30), commentLen = u16(archive, at + 32);
        e.localHeader = u32(archive, at + 42);
        if (at + 46 + nameLen > archive.size()) throw BadZip("ZIP: truncated");
        e.name = archive.substr(at + 46, nameLen);
        if (flags & 1) throw BadZip("ZIP: encrypted entries are not read");
        if (e.size == 0xFFFFFFFF || e.compressedSize == 0xFFFFFFFF) throw BadZip("ZIP64 entries are not read");
        entries_.push_back(std::move(e));
        at += 46 + nameLen + extraLen + commentLen;
    }
}

std::vector<std::string> ZipReader::names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
}

std::string ZipReader::extract(const std::string& name, size_t maxBytes) const {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
    if (it == entries_.end()) throw BadZip("ZIP: no such entry");
    size_t at = it->localHeader;
    if (u32(archive_, at) != kLocalHeader) throw BadZip("ZIP: damaged local header");
    size_t data = at + 30 + u16(archive_, at + 26) + u16(archive_, at + 28);
    if (data > archive_.size() || archive_.size() - data < it->compressedSize) throw BadZip("ZIP: truncated entry");
    std::string raw = archive_.substr(data, it->compressedSize);
    std::string out;
    if (it->method == kStored) {
        if (it->size != it->compressedSize || it->size > maxBytes) throw BadZip("ZIP: bad stored entry");
        out = std::move(raw);
    } else if (it->method == kDeflated) {
        out = inflateRaw(raw, it->size, maxBytes);
    } else {
        throw BadZip("ZIP: compression method " + std::to_string(it->method) + " is not read");
    }
    if (crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size())) != it->crc) throw BadZip("ZIP: CRC mismatch");
    return out;
}

}  // namespace kh::upstream

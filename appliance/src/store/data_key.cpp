#include "store/data_key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "base/files.hpp"
#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
constexpr const char* kDataKeyFile = "/data.key";    // seal key | index key
constexpr const char* kAuditKeyFile = "/audit.key";  // the audit chain's HMAC key
constexpr size_t kKeyBytes = 32;

// The bytes of the key file `name`, made with `size` random bytes when there is none. A damaged file, or
// one that others may read, stops the box rather than being replaced: what it sealed would be lost.
std::string loadOrMake(const std::string& keyDir, const char* name, size_t size, const char* what) {
    std::string path = keyDir + name;
    if (auto bytes = base::tryReadFile(path, 4096)) {
        if (bytes->size() != size) {
            crypto::secureZero(*bytes);
            throw std::runtime_error(std::string(what) + " " + path + " is damaged");
        }
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077)) {
            crypto::secureZero(*bytes);
            throw std::runtime_error(std::string(what) + " " + path + " must not be readable by group or others (chmod 600)");
        }
        return std::move(*bytes);
    }
    // There but not readable (made by another user): making a new one would lose what the old one sealed.
    if (::access(path.c_str(), F_OK) == 0)
        throw std::runtime_error(std::string(what) + " " + path + " cannot be read (run as the owner of the key folder)");
    ::mkdir(keyDir.c_str(), 0700);
    std::string bytes = crypto::randomBytes(size);
    base::writeFileDurably(path, bytes, 0600);
    return bytes;
}
}  // namespace

DataKey DataKey::loadOrCreate(const std::string& keyDir) {
    std::string bytes = loadOrMake(keyDir, kDataKeyFile, kBytes, "data key");
    DataKey key(bytes.substr(0, kKeyBytes), bytes.substr(kKeyBytes));
    crypto::secureZero(bytes);
    return key;
}

std::optional<std::string> DataKey::fileBytes(const std::string& keyDir) {
    auto bytes = base::tryReadFile(keyDir + kDataKeyFile, 4096);
    if (bytes && bytes->size() != kBytes) {
        crypto::secureZero(*bytes);
        return std::nullopt;
    }
    return bytes;
}

void DataKey::replaceFile(const std::string& keyDir, std::string_view bytes) {
    if (bytes.size() != kBytes) throw std::invalid_argument("a data key is " + std::to_string(kBytes) + " bytes");
    base::writeFileDurably(keyDir + kDataKeyFile, bytes, 0600);
}

DataKey::DataKey(std::string sealKey, std::string indexKey) : sealKey_(std::move(sealKey)), indexKey_(std::move(indexKey)) {}

DataKey::~DataKey() {
    crypto::secureZero(sealKey_);
    crypto::secureZero(indexKey_);
}

std::string DataKey::seal(std::string_view plaintext, std::string_view aad) const {
    return crypto::sealAesGcm(sealKey_, plaintext, aad);
}

std::string DataKey::open(std::string_view sealed, std::string_view aad) const {
    auto plain = crypto::openAesGcm(sealKey_, sealed, aad);
    if (!plain) throw std::runtime_error("sealed payload does not open (wrong key or tampered row)");
    return *plain;
}

std::string DataKey::blindIndex(const std::vector<std::string>& parts) const {
    std::string joined;
    for (const auto& p : parts) {
        joined += p;
        joined += '\x1F';
    }
    return crypto::hmacSha256(indexKey_, joined);
}

bool DataKey::holds(std::string_view bytes) const {
    return bytes.size() == kBytes && crypto::constantTimeEqual(bytes.substr(0, kKeyBytes), sealKey_) &
                                         crypto::constantTimeEqual(bytes.substr(kKeyBytes), indexKey_);
}

AuditKey AuditKey::loadOrCreate(const std::string& keyDir) {
    return AuditKey(loadOrMake(keyDir, kAuditKeyFile, kKeyBytes, "audit key"));
}

AuditKey::AuditKey(std::string key) : key_(std::move(key)) {}

AuditKey::~AuditKey() { crypto::secureZero(key_); }

std::string AuditKey::tag(std::string_view message) const { return crypto::hex(crypto::hmacSha256(key_, message)); }

}  // namespace kh::store

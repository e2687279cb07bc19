#include "store/data_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/files.hpp"
#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
constexpr const char* kKeyFile = "/data.key";
constexpr size_t kKeyBytes = 32;

}  // namespace

DataKey DataKey::loadOrCreate(const std::string& keyDir) {
    std::string path = keyDir + kKeyFile;
    std::ifstream in(path, std::ios::binary);
    std::string bytes;
    if (in) {
        std::ostringstream ss;
        ss << in.rdbuf();
        bytes = ss.str();
        if (bytes.size() != 2 * kKeyBytes) throw std::runtime_error("data key " + path + " is damaged");
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
            throw std::runtime_error("data key " + path + " must not be readable by group or others (chmod 600)");
    } else {
        ::mkdir(keyDir.c_str(), 0700);
        bytes = crypto::randomBytes(2 * kKeyBytes);
        base::writeFileDurably(path, bytes, 0600);
    }
    DataKey key(bytes.substr(0, kKeyBytes), bytes.substr(kKeyBytes));
    crypto::secureZero(bytes);
    return key;
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

}  // namespace kh::store

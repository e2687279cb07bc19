#include "store/data_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
constexpr const char* kKeyFile = "/data.key";
constexpr size_t kKeyBytes = 32;

void fsyncPath(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags);
    if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
    ::fsync(fd);
    ::close(fd);
}

std::string folderOf(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}
}  // namespace

void writeFileDurably(const std::string& path, std::string_view bytes, unsigned mode) {
    // Hidden temporary name in the same folder: readers polling the folder never see a partial file.
    auto slash = path.rfind('/');
    std::string tmp = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + "." +
                      path.substr(slash == std::string::npos ? 0 : slash + 1) + ".tmp" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw std::runtime_error("create " + tmp + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("write " + tmp + ": " + std::strerror(errno));
        }
        done += size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::runtime_error("fsync " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("rename " + tmp + ": " + std::strerror(errno));
    fsyncPath(folderOf(path), O_RDONLY | O_DIRECTORY);
}

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
        writeFileDurably(path, bytes, 0600);
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

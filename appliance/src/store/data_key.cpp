#include "store/data_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
// The names of the keys: files in the key folder, and the same names as systemd credentials
// (LoadCredentialEncrypted=data.key:…, firmware/README.md).
constexpr const char* kDataKeyName = "data.key";    // seal key | index key
constexpr const char* kAuditKeyName = "audit.key";  // the audit chain's HMAC key
// Left in the key folder by the root helper once it has sealed the keys: without it, a CLI run by hand
// without the credentials would find no key file and make a new key, which the helper would then seal
// over the real one.
constexpr const char* kSealedNote = "sealed";
constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxKeyFile = 4096;

struct KeyName {
    const char* file;  // as a file and as a credential
    const char* ja;
    const char* en;
};
constexpr KeyName kDataKey{kDataKeyName, "データ鍵", "data key"};
constexpr KeyName kAuditKey{kAuditKeyName, "監査鍵", "audit key"};

// Every refusal names the path, Japanese first.
[[noreturn]] void refuse(const std::string& ja, const std::string& en) { throw std::runtime_error(ja + " (" + en + ")"); }

std::string credentialsDirectory() {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    return dir && *dir ? std::string(dir) : std::string();
}

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
    return text;
}

// The key folder belongs to the gateway's user and is closed to group and others. The folder counts as
// much as the files: whoever may write into it can swap a key file, whoever may read it learns the
// names. false when there is no folder (yet).
bool checkKeyFolder(const std::string& keyDir) {
    struct stat st {};
    if (::stat(keyDir.c_str(), &st) != 0) {
        if (errno == ENOENT) return false;
        refuse("鍵フォルダー " + keyDir + " を確認できません", "cannot look at the key folder " + keyDir + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) refuse("鍵フォルダー " + keyDir + " がフォルダーではありません", "the key folder " + keyDir + " is not a folder");
    if (st.st_uid != ::geteuid())
        refuse("鍵フォルダー " + keyDir + " の所有者がこのサービスのユーザーではありません。chown してください",
               "the key folder " + keyDir + " is owned by uid " + std::to_string(st.st_uid) + ", not by this service's user (uid " +
                   std::to_string(::geteuid()) + "): chown it");
    if (st.st_mode & 077)
        refuse("鍵フォルダー " + keyDir + " にグループや他のユーザーがアクセスできます。chmod 700 にしてください",
               "the key folder " + keyDir + " is open to group or others (mode " + octal(st.st_mode) + "): chmod 700");
    return true;
}

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// The bytes of a key file (at most kMaxKeyFile), nullopt when there is none. `strict`: a file of the key
// folder, which must be a regular file (not a link) of the gateway's user, closed to group and others. A
// credential is systemd's to lay out (read-only ramfs of the unit), so it is only read.
std::optional<std::string> readKey(const std::string& path, bool strict) {
    Fd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
    if (f.fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        if (errno == ELOOP) refuse("鍵ファイル " + path + " がシンボリックリンクです", "the key file " + path + " is a symbolic link");
        // There but not readable (made by another user): making a new one would lose what the old one sealed.
        refuse("鍵ファイル " + path + " を読めません。鍵フォルダーの所有者として実行してください",
               "the key file " + path + " cannot be read (" + std::strerror(errno) + "): run as the owner of the key folder");
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
        refuse("鍵ファイル " + path + " が通常のファイルではありません", "the key file " + path + " is not a regular file");
    if (strict && st.st_uid != ::geteuid())
        refuse("鍵ファイル " + path + " の所有者がこのサービスのユーザーではありません。chown してください",
               "the key file " + path + " is owned by uid " + std::to_string(st.st_uid) + ", not by this service's user (uid " +
                   std::to_string(::geteuid()) + "): chown it");
    if (strict && (st.st_mode & 077))
        refuse("鍵ファイル " + path + " をグループや他のユーザーが読めます。chmod 600 にしてください",
               "the key file " + path + " must not be readable by group or others (mode " + octal(st.st_mode) + "): chmod 600");
    std::string bytes;
    char buf[kMaxKeyFile + 1];
    while (bytes.size() <= kMaxKeyFile) {
        auto n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) refuse("鍵ファイル " + path + " を読めません", "cannot read the key file " + path + ": " + std::strerror(errno));
        if (n == 0) break;
        bytes.append(buf, size_t(n));
    }
    crypto::secureZero(buf, sizeof buf);
    return bytes;
}

[[noreturn]] void damaged(std::string& bytes, const KeyName& key, const std::string& path) {
    crypto::secureZero(bytes);
    refuse(std::string(key.ja) + " " + path + " が壊れています", std::string(key.en) + " " + path + " is damaged");
}

// The key `key` of `size` bytes: the credential when the keys are credentials (never made here), else the
// key file, made with random bytes at the first start. A damaged key stops the box rather than being
// replaced: what it sealed would be lost.
std::string loadOrMake(const std::string& keyDir, const KeyName& key, size_t size) {
    bool folder = checkKeyFolder(keyDir);
    std::string path = keyDir + "/" + key.file;
    if (std::string credentials = credentialsDirectory(); !credentials.empty()) {
        // A raw key beside the credentials is one the root helper has not sealed yet (a restore's): using
        // either would be a guess, and the helper runs before every start.
        if (folder && ::access(path.c_str(), F_OK) == 0)
            refuse("鍵フォルダーに封印前の" + std::string(key.ja) + " " + path + " があります。サービスを再起動して封印させてください",
                   "an unsealed " + std::string(key.en) + " " + path + " lies beside the credentials: restart the service so that "
                   "kakehashi-keys seals it");
        std::string credential = credentials + "/" + key.file;
        auto bytes = readKey(credential, false);
        if (!bytes)
            refuse("封印された" + std::string(key.ja) + "が systemd の資格情報 " + credential +
                       " にありません。新しい鍵は作りません（ストアの暗号化データが読めなくなるため）",
                   "the sealed " + std::string(key.en) + " " + credential + " was not passed to the service (LoadCredentialEncrypted=" +
                       key.file + ":…); no new key is made, it would leave the store's sealed data unreadable");
        if (bytes->size() != size) damaged(*bytes, key, credential);
        return std::move(*bytes);
    }
    if (auto bytes = readKey(path, true)) {
        if (bytes->size() != size) damaged(*bytes, key, path);
        return std::move(*bytes);
    }
    if (folder && ::access((keyDir + "/" + kSealedNote).c_str(), F_OK) == 0)
        refuse("鍵フォルダー " + keyDir + " の鍵は封印されています（systemd-creds）。資格情報なしでは起動しません。"
               "サービスと同じく systemd から資格情報を渡して実行してください",
               "the keys of " + keyDir + " are sealed (systemd-creds) and this process has no $CREDENTIALS_DIRECTORY: run it as "
               "the service does, with LoadCredentialEncrypted= (README.md, Packaging); no new key is made");
    if (!folder && ::mkdir(keyDir.c_str(), 0700) != 0 && errno != EEXIST)
        refuse("鍵フォルダー " + keyDir + " を作れません", "cannot create the key folder " + keyDir + ": " + std::strerror(errno));
    checkKeyFolder(keyDir);  // an existing folder, or one made by another process meanwhile, is checked as well
    std::string bytes = crypto::randomBytes(size);
    base::writeFileDurably(path, bytes, 0600);
    return bytes;
}
}  // namespace

bool keysFromCredentials() { return !credentialsDirectory().empty(); }

void warnWhenKeysInClear(const std::string& keyDir) {
    if (keysFromCredentials()) return;
    log::warn("store.keys_in_clear",
              {{"message",
                "データ鍵と監査鍵は封印されずに鍵フォルダーにあります。このフォルダーを複製すればストアの患者データを読めます "
                "(the data and audit keys are not sealed: they lie in clear in the key folder, and a copy of it opens the store's "
                "patient data; seal them with systemd-creds, README.md, Packaging)"},
               {"keyDir", keyDir}});
}

DataKey DataKey::loadOrCreate(const std::string& keyDir) {
    std::string bytes = loadOrMake(keyDir, kDataKey, kBytes);
    DataKey key(bytes.substr(0, kKeyBytes), bytes.substr(kKeyBytes));
    crypto::secureZero(bytes);
    return key;
}

std::optional<std::string> DataKey::currentBytes(const std::string& keyDir) {
    std::string credentials = credentialsDirectory();
    bool sealed = !credentials.empty();
    if (!sealed) checkKeyFolder(keyDir);
    auto bytes = readKey((sealed ? credentials : keyDir) + "/" + kDataKeyName, !sealed);
    if (bytes && bytes->size() != kBytes) {
        crypto::secureZero(*bytes);
        return std::nullopt;
    }
    return bytes;
}

void DataKey::replace(const std::string& keyDir, std::string_view bytes) {
    if (bytes.size() != kBytes) throw std::invalid_argument("a data key is " + std::to_string(kBytes) + " bytes");
    if (!checkKeyFolder(keyDir) && ::mkdir(keyDir.c_str(), 0700) != 0 && errno != EEXIST)
        refuse("鍵フォルダー " + keyDir + " を作れません", "cannot create the key folder " + keyDir + ": " + std::strerror(errno));
    base::writeFileDurably(keyDir + "/" + kDataKeyName, bytes, 0600);
}

void DataKey::undoReplace(const std::string& keyDir, std::string_view previous) {
    std::string path = keyDir + "/" + kDataKeyName;
    // Sealed, the previous key is still the credential: the raw file only has to go.
    if (keysFromCredentials() || previous.empty()) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            refuse("鍵ファイル " + path + " を削除できません", "cannot remove the key file " + path + ": " + std::strerror(errno));
        base::syncFolder(keyDir);
        return;
    }
    base::writeFileDurably(path, previous, 0600);
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
    if (bytes.size() != kBytes) return false;
    // Both halves are always compared, so the time taken does not tell which half differed.
    const bool seal = crypto::constantTimeEqual(bytes.substr(0, kKeyBytes), sealKey_);
    const bool index = crypto::constantTimeEqual(bytes.substr(kKeyBytes), indexKey_);
    return seal && index;
}

AuditKey AuditKey::loadOrCreate(const std::string& keyDir) { return AuditKey(loadOrMake(keyDir, kAuditKey, kKeyBytes)); }

AuditKey::AuditKey(std::string key) : key_(std::move(key)) {}

AuditKey::~AuditKey() { crypto::secureZero(key_); }

std::string AuditKey::tag(std::string_view message) const { return crypto::hex(crypto::hmacSha256(key_, message)); }

}  // namespace kh::store

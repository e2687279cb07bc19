// Bundle signatures (Ed25519, OpenSSL 3 EVP). plugin.sig is two lines:
//   ed25519 <key id>        key id = first 16 hex digits of SHA-256 over the raw 32-byte public key
//   <base64 signature>      over the bundle digest's 64 hex characters
// The key id lets the box tell "signed by a key it does not trust" apart from "the bundle was changed".
// A bundle holds plain files and folders only: a symbolic link could lead the loader to unsigned code
// outside the bundle, so a bundle with one is not signed or verified. Hidden names (".git", ".DS_Store")
// are left out of the digest.
#include "plugins/signature.hpp"

#include "base/files.hpp"

#include "base/files.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "base/log.hpp"
#include "crypto/primitives.hpp"

namespace kh::plugins {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSignatureFile = "plugin.sig";
constexpr size_t kSignatureBytes = 64;

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char* u(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// ---- The bundle's file list ------------------------------------------------------------------------

bool isHidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// Relative paths ("lib/map.lua") of every file the signature covers, sorted bytewise.
std::vector<std::string> bundleFiles(const std::string& dir) {
    std::vector<std::string> files;
    auto root = fs::path(dir);
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        auto relative = it->path().lexically_relative(root).generic_string();
        if (isHidden(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink()) throw std::runtime_error("symbolic link in the bundle: " + relative);
        if (it->is_directory()) continue;
        if (!it->is_regular_file()) throw std::runtime_error("not a plain file: " + relative);
        if (relative != kSignatureFile) files.push_back(relative);
    }
    std::sort(files.begin(), files.end());
    return files;
}

// "<relative path>\0<hex SHA-256 of the content>\n" per file.
std::string digestText(const std::string& dir) {
    std::string text;
    for (const auto& relative : bundleFiles(dir)) {
        text += relative;
        text += '\0';
        text += crypto::hex(crypto::sha256(base::readFile(dir + "/" + relative)));
        text += '\n';
    }
    return text;
}

// ---- Keys ------------------------------------------------------------------------------------------

Bio openBio(const std::string& path, const char* mode) {
    Bio bio(BIO_new_file(path.c_str(), mode), &BIO_free);
    if (!bio) throw std::runtime_error("cannot open key file " + path);
    return bio;
}

int noPassphrase(char*, int, int, void*) { return -1; }  // never prompt on a terminal

Pkey requireEd25519(EVP_PKEY* key, const std::string& path) {
    Pkey owned(key, &EVP_PKEY_free);
    if (!owned) throw std::runtime_error("not a readable PEM key (encrypted keys are not supported): " + path);
    if (!EVP_PKEY_is_a(owned.get(), "ED25519")) throw std::runtime_error("not an Ed25519 key: " + path);
    return owned;
}

Pkey loadPrivateKey(const std::string& path) {
    auto bio = openBio(path, "r");
    return requireEd25519(PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr), path);
}

Pkey loadPublicKey(const std::string& path) {
    auto bio = openBio(path, "r");
    return requireEd25519(PEM_read_bio_PUBKEY(bio.get(), nullptr, &noPassphrase, nullptr), path);
}

std::string keyId(EVP_PKEY* key) {
    std::string raw(32, '\0');
    size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, u(raw), &length) != 1) throw std::runtime_error("cannot read public key");
    raw.resize(length);
    return crypto::hex(crypto::sha256(raw)).substr(0, 16);
}

std::string pem(EVP_PKEY* key, bool privatePart) {
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio) throw std::runtime_error("BIO_new failed");
    int ok = privatePart ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                         : PEM_write_bio_PUBKEY(bio.get(), key);
    if (ok != 1) throw std::runtime_error("cannot write PEM key");
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    std::string text(data, size_t(length));
    crypto::secureZero(data, size_t(length));
    return text;
}

// ---- Signatures ------------------------------------------------------------------------------------

MdCtx newMdCtx() {
    MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
    return ctx;
}

std::string sign(EVP_PKEY* key, const std::string& message) {
    auto ctx = newMdCtx();
    std::string signature(kSignatureBytes, '\0');
    size_t length = signature.size();
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), u(signature), &length, u(message), message.size()) != 1)
        throw std::runtime_error("Ed25519 signing failed");
    signature.resize(length);
    return signature;
}

bool verify(EVP_PKEY* key, const std::string& message, const std::string& signature) {
    auto ctx = newMdCtx();
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), u(signature), signature.size(), u(message), message.size()) == 1;
}

std::string base64(const std::string& bytes) {
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(u(text), u(bytes), int(bytes.size()));
    text.resize(size_t(length));
    return text;
}

std::optional<std::string> unbase64(const std::string& text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    auto body = text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    size_t padding = body == std::string::npos ? 0 : text.size() - body;
    if (padding > 2 || (padding && text.find_first_not_of('=', body) != std::string::npos)) return std::nullopt;
    std::string bytes(text.size() / 4 * 3, '\0');
    if (EVP_DecodeBlock(u(bytes), u(text), int(text.size())) < 0) return std::nullopt;
    bytes.resize(bytes.size() - padding);
    return bytes;
}

struct SignatureFile {
    std::string keyId;
    std::string signature;  // raw 64 bytes
};

std::optional<SignatureFile> parseSignatureFile(const std::string& text) {
    std::istringstream lines(text);
    std::string header, encoded, rest;
    std::getline(lines, header);
    std::getline(lines, encoded);
    for (auto* line : {&header, &encoded})
        if (!line->empty() && line->back() == '\r') line->pop_back();
    if (std::getline(lines, rest) && !rest.empty() && rest != "\r") return std::nullopt;
    if (header.size() != 24 || header.compare(0, 8, "ed25519 ") != 0) return std::nullopt;
    auto id = header.substr(8);
    if (id.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
    auto signature = unbase64(encoded);
    if (!signature || signature->size() != kSignatureBytes) return std::nullopt;
    return SignatureFile{id, *signature};
}

const std::string kUnsigned = "署名がありません";
const std::string kTampered =
    "署名が一致しません：内容が変更されています";
std::string unknownKey(const std::string& id) {
    return "信頼された鍵で署名されていません (not signed by a trusted key; key id " + id + ")";
}
const std::string kMalformed = "署名の形式が正しくありません";

// The trusted keys whose id is `id`; an unreadable trusted key is logged and left out.
std::vector<Pkey> trustedKeysWithId(const std::vector<std::string>& paths, const std::string& id) {
    std::vector<Pkey> keys;
    for (const auto& path : paths) {
        try {
            auto key = loadPublicKey(path);
            if (keyId(key.get()) == id) keys.push_back(std::move(key));
        } catch (const std::exception& e) {
            log::warn("plugin.trusted_key_unreadable", {{"path", path}, {"problem", e.what()}});
        }
    }
    return keys;
}

// The signature file's text, or nullopt when there is none. Throws when it is there but unreadable.
std::optional<std::string> readSignatureFile(const std::string& dir) {
    auto path = dir + "/" + kSignatureFile;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::nullopt;
        throw std::system_error(errno, std::generic_category(), "cannot read " + path);
    }
    if (!S_ISREG(st.st_mode)) throw std::runtime_error(std::string(kSignatureFile) + " is not a plain file");
    return base::readFile(path);
}

}  // namespace

std::string bundleDigest(const std::string& dir) { return crypto::hex(crypto::sha256(digestText(dir))); }

void signBundle(const std::string& dir, const std::string& privateKeyPemPath) {
    auto key = loadPrivateKey(privateKeyPemPath);
    auto signature = sign(key.get(), bundleDigest(dir));
    auto text = "ed25519 " + keyId(key.get()) + "\n" + base64(signature) + "\n";
    base::writeFileDurably(dir + "/" + kSignatureFile, text, 0644);
}

std::string verifyBundle(const std::string& dir, const std::vector<std::string>& trustedPublicKeyPemPaths) {
    try {
        auto text = readSignatureFile(dir);
        if (!text) return kUnsigned;
        auto signature = parseSignatureFile(*text);
        if (!signature) return kMalformed;
        auto keys = trustedKeysWithId(trustedPublicKeyPemPaths, signature->keyId);
        if (keys.empty()) return unknownKey(signature->keyId);
        auto digest = bundleDigest(dir);
        for (const auto& key : keys)
            if (verify(key.get(), digest, signature->signature)) return "";
        return kTampered;
    } catch (const std::exception& e) {
        return "署名を確認できません (cannot check the signature: " + std::string(e.what()) + ")";
    }
}

void generateSigningKey(const std::string& privateKeyPemPath, const std::string& publicKeyPemPath) {
    Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
    if (!key) throw std::runtime_error("Ed25519 key generation failed");
    auto privatePem = pem(key.get(), true);
    try {
        base::writeFileDurably(privateKeyPemPath, privatePem, 0600);
    } catch (...) {
        crypto::secureZero(privatePem);
        throw;
    }
    crypto::secureZero(privatePem);
    base::writeFileDurably(publicKeyPemPath, pem(key.get(), false), 0644);
}

}  // namespace kh::plugins

// Plugin bundle signatures. The digest covers every file of the bundle (sorted relative paths, each
// with its SHA-256) except the signature itself; plugin.sig holds an Ed25519 signature of that digest,
// base64. Vendors sign with a key kept off the box; the box trusts the public keys it is configured with.
#pragma once
#include <string>
#include <vector>

namespace kh::plugins {

std::string bundleDigest(const std::string& dir);  // hex SHA-256 over the bundle's file list
// Writes <dir>/plugin.sig (tmp + fsync + rename). Throws on an unreadable key.
void signBundle(const std::string& dir, const std::string& privateKeyPemPath);
// "" when the bundle is signed by one of the trusted public keys; otherwise why not (unsigned, tampered,
// unknown key), in Japanese and English.
std::string verifyBundle(const std::string& dir, const std::vector<std::string>& trustedPublicKeyPemPaths);
// Makes an Ed25519 key pair (PEM files, private 0600).
void generateSigningKey(const std::string& privateKeyPemPath, const std::string& publicKeyPemPath);

}  // namespace kh::plugins

// The TLS the box speaks on every link — the LAN API, the web admin and the central system: TLS 1.2 or
// newer, and in TLS 1.2 only AEAD suites with forward secrecy (AES-GCM, ChaCha20-Poly1305 over ECDHE).
// TLS 1.3's suites are all AEAD. No CBC, no SHA-1 MACs, no CCM-8, ARIA or Camellia.
#pragma once

namespace kh::crypto {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace kh::crypto

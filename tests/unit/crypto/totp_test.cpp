#include <catch2/catch.hpp>

#include "crypto/totp.hpp"

using namespace kh::crypto;

namespace {
const std::string kRfcSecret = "12345678901234567890";  // RFC 6238 appendix B, the SHA1 key
}

TEST_CASE("TOTP codes match the RFC 6238 SHA1 test vectors", "[crypto][totp]") {
    CHECK(totpCode(kRfcSecret, 59) == "287082");
    CHECK(totpCode(kRfcSecret, 1111111109) == "081804");
    CHECK(totpCode(kRfcSecret, 1111111111) == "050471");
    CHECK(totpCode(kRfcSecret, 1234567890) == "005924");
    CHECK(totpCode(kRfcSecret, 2000000000) == "279037");
    CHECK(totpCode(kRfcSecret, 20000000000) == "353130");
}

TEST_CASE("a TOTP code is found at its step, within the window and not beyond", "[crypto][totp]") {
    int64_t now = 1111111111;
    int64_t step = now / 30;
    CHECK(totpStepMatching(kRfcSecret, "050471", now) == step);
    CHECK(totpStepMatching(kRfcSecret, totpCode(kRfcSecret, now - 30), now) == step - 1);
    CHECK(totpStepMatching(kRfcSecret, totpCode(kRfcSecret, now + 30), now) == step + 1);
    CHECK_FALSE(totpStepMatching(kRfcSecret, totpCode(kRfcSecret, now - 60), now));
    CHECK(totpStepMatching(kRfcSecret, totpCode(kRfcSecret, now - 60), now, 2) == step - 2);
    CHECK_FALSE(totpStepMatching(kRfcSecret, totpCode(kRfcSecret, now - 30), now, 0));
    CHECK_FALSE(totpStepMatching("another secret", "050471", now));
    for (std::string bad : {"", "05047", "0504711", "05047a", " 50471", "050471\n"}) {
        CAPTURE(bad);
        CHECK_FALSE(totpStepMatching(kRfcSecret, bad, now));
    }
}

TEST_CASE("base32 matches the RFC 4648 test vectors without padding", "[crypto][totp]") {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI"}};
    for (const auto& [bytes, text] : vectors) {
        CHECK(base32Encode(bytes) == text);
        CHECK(base32Decode(text) == bytes);
    }
}

TEST_CASE("base32 decoding takes what people type and refuses what is not base32", "[crypto][totp]") {
    CHECK(base32Decode("MZXW6YTBOI======") == std::string("foobar"));
    CHECK(base32Decode("mzxw 6ytb oi") == std::string("foobar"));
    CHECK(base32Decode("MY======") == std::string("f"));
    CHECK_FALSE(base32Decode("MZXW1"));        // 1 is not in the alphabet
    CHECK_FALSE(base32Decode("MY==MY"));       // symbols after padding
    CHECK_FALSE(base32Decode("MZX"));          // 3 symbols hold no whole byte
    CHECK_FALSE(base32Decode("M"));
    std::string secret = newTotpSecret();
    CHECK(secret.size() == 20);
    CHECK(base32Encode(secret).size() == 32);
    CHECK(base32Decode(base32Encode(secret)) == secret);
    CHECK(newTotpSecret() != secret);
}

TEST_CASE("the otpauth URI names issuer and account, percent-encoded", "[crypto][totp]") {
    CHECK(otpauthUri("Kakehashi", "admin", kRfcSecret) ==
          "otpauth://totp/Kakehashi:admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Kakehashi"
          "&algorithm=SHA1&digits=6&period=30");
    CHECK(otpauthUri("Kakehashi", "山田 太郎", "x") ==
          "otpauth://totp/Kakehashi:%E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E?secret=PA&issuer=Kakehashi"
          "&algorithm=SHA1&digits=6&period=30");
    CHECK(otpauthUri("A&B:C", "a.b-c_d~e", "x").rfind("otpauth://totp/A%26B%3AC:a.b-c_d~e?secret=PA&issuer=A%26B%3AC", 0) ==
          0);
}

#include <catch2/catch.hpp>

#include "endpoint/pin_request.hpp"

using kh::cardreader::SecurePin;
using kh::endpoint::readPinRequest;

TEST_CASE("a PIN request is read straight into the PIN buffer", "[endpoint]") {
    SecurePin pin;
    bool confirm = true;
    std::string error;
    REQUIRE(readPinRequest(R"({"pin":"7391"})", pin, confirm, error));
    CHECK(pin.wellFormed());
    CHECK(std::string(pin.data(), pin.size()) == "7391");
    CHECK_FALSE(confirm);
    REQUIRE(readPinRequest(" { \"confirmLastTry\" : true , \"pin\" : \"0042\" } \n", pin, confirm, error));
    CHECK(confirm);
    CHECK(std::string(pin.data(), pin.size()) == "0042");
}

TEST_CASE("a malformed PIN is read, and left for the format check", "[endpoint]") {
    SecurePin pin;
    bool confirm = false;
    std::string error;
    REQUIRE(readPinRequest(R"({"pin":"12345"})", pin, confirm, error));
    CHECK_FALSE(pin.wellFormed());
    REQUIRE(readPinRequest(R"({"pin":""})", pin, confirm, error));
    CHECK_FALSE(pin.wellFormed());
}

TEST_CASE("anything but the two keys is refused, naming the problem and not the PIN", "[endpoint]") {
    for (const char* body : {"", "7391", "[]", R"({"pin":7391})", R"({"pin":"73\u0039"})", R"({"pin":"7391")",
                             R"({"pin":"7391","pin":"7391"})", R"({"pin":"7391","x":1})", R"({"pin":"7391"} {})",
                             R"({"confirmLastTry":true})", R"({"pin":"7391","confirmLastTry":"yes"})", "{}"}) {
        SecurePin pin;
        bool confirm = false;
        std::string error;
        CHECK_FALSE(readPinRequest(body, pin, confirm, error));
        CHECK_FALSE(error.empty());
        CHECK(error.find("7391") == std::string::npos);
    }
}

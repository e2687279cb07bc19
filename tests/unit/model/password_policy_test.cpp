#include <catch2/catch.hpp>

#include "model/password_policy.hpp"

using namespace kh::model;

TEST_CASE("the password policy names every problem, Japanese first", "[model][password]") {
    CHECK(passwordProblems("hashi-no-kakekata-42", "tanaka").empty());
    CHECK(passwordProblems("短いパスワード", "tanaka").size() == 1);           // 7 characters (21 bytes)
    CHECK(passwordProblems("日本語だけの長いパスワードです", "tanaka").empty());  // counted in characters
    CHECK(passwordProblems(std::string(129, 'x') + "y", "tanaka").size() == 1);
    CHECK(passwordProblems("my-name-is-TANAKA", "tanaka").size() == 1);
    CHECK(passwordProblems("123456789012345", "tanaka").size() == 1);
    CHECK(passwordProblems("aaaaaaaaaaaaaaa", "tanaka").size() == 1);
    CHECK(passwordProblems("ああああああああああああ", "tanaka").size() == 1);
    CHECK(passwordProblems("ああああああああああああい", "tanaka").empty());
    CHECK(passwordProblems("Password1234", "tanaka").size() == 1);
    auto many = passwordProblems("1234", "1234");
    CHECK(many.size() == 3);  // short, contains the name, digits only
    CHECK(many[0].rfind("パスワードは12文字以上", 0) == 0);
    CHECK(many[0] == "パスワードは12文字以上で入力してください");  // Japanese only, no English tail
}

TEST_CASE("the password policy takes well-known passwords in any case as too common", "[model][password]") {
    CHECK(passwordProblems("KakehaShi1234", "tanaka").size() == 1);
    CHECK(passwordProblems("kakehashi-no-hashi", "tanaka").empty());
    CHECK(passwordProblems("abc", "ab").size() == 1);  // a name under 3 characters is not looked for
}

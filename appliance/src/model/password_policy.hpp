// The rule an administrator's password must meet: 12 to 128 characters (counted in characters, so a
// Japanese password is not favoured by its bytes), not the user name, not digits only, not one character
// repeated, not one of the passwords every guessing list tries first.
#pragma once
#include <string>
#include <vector>

namespace kh::model {

// What is wrong with `password` for the account `username`, one natural sentence each (Japanese first);
// empty when it may be used.
std::vector<std::string> passwordProblems(const std::string& password, const std::string& username);

}  // namespace kh::model

// Which institution (医療機関等コード) a client certificate speaks for: its subject CN, or the code the
// --institution-map table gives for that CN. Codes must be 10 digits with a valid check digit.
#pragma once
#include <map>
#include <string>

namespace ksim {

class InstitutionMap {
public:
    // Parses "CN=CODE,CN=CODE"; false with a message on a bad entry.
    bool parse(const std::string& text, std::string& error);
    // The institution code, or empty when the CN is neither mapped nor a valid code itself.
    std::string institutionFor(const std::string& commonName) const;

private:
    std::map<std::string, std::string> byCommonName_;
};

}  // namespace ksim

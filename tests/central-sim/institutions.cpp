#include "institutions.hpp"

#include <sstream>

#include "codes.hpp"

namespace ksim {

bool InstitutionMap::parse(const std::string& text, std::string& error) {
    std::stringstream entries(text);
    std::string entry;
    while (std::getline(entries, entry, ',')) {
        entry = trimmed(entry);
        if (entry.empty()) continue;
        auto eq = entry.rfind('=');
        std::string cn = eq == std::string::npos ? "" : trimmed(entry.substr(0, eq));
        std::string code = eq == std::string::npos ? "" : trimmed(entry.substr(eq + 1));
        if (cn.empty() || !isValidInstitutionCode(code)) {
            error = "bad --institution-map entry '" + entry + "' (want CN=10-digit institution code)";
            return false;
        }
        byCommonName_[cn] = code;
    }
    return true;
}

std::string InstitutionMap::institutionFor(const std::string& commonName) const {
    auto it = byCommonName_.find(commonName);
    if (it != byCommonName_.end()) return it->second;
    return isValidInstitutionCode(commonName) ? commonName : std::string();
}

}  // namespace ksim

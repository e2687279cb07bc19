// Helpers shared by the spec message tests: names of children and field errors, and a round trip through
// the writer and the reader in a given encoding.
#pragma once
#include <catch2/catch.hpp>

#include <dirent.h>

#include <string>
#include <vector>

#include "spec/home_consent_messages.hpp"
#include "spec/medical_info_messages.hpp"
#include "spec/messages.hpp"
#include "spec/reference_number_messages.hpp"
#include "spec/xml.hpp"

namespace kh::spec::test {

// The real-shaped results the interface fixtures hold (tests/fixtures/interface/results), by name prefix.
inline const std::string kResultFixtures = std::string(KAKEHASHI_FIXTURES) + "/interface/results/";

inline std::vector<std::string> fixtures(const std::string& prefix) {
    std::vector<std::string> out;
    DIR* d = ::opendir(kResultFixtures.c_str());
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.compare(0, prefix.size(), prefix) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".xml") out.push_back(n);
    }
    ::closedir(d);
    return out;
}

inline std::vector<std::string> childNames(const XmlElement& e) {
    std::vector<std::string> names;
    for (const auto& c : e.children) names.push_back(c.name);
    return names;
}

inline std::vector<std::string> fieldNames(const std::vector<model::FieldError>& errors) {
    std::vector<std::string> names;
    for (const auto& e : errors) names.push_back(e.field);
    return names;
}

template <typename Message, typename Decode>
Message roundTrip(const Message& m, Encoding encoding, Decode decode) {
    const ParsedXml parsed = parseXml(writeXml(kh::spec::encode(m), encoding));
    CHECK(parsed.encoding == encoding);
    return decode(parsed.root);
}

}  // namespace kh::spec::test

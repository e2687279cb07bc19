// A document part kept whole: element names, text and children in the order they came. The XML codec
// (spec/) reads into it and writes from it, and results keep what the central system answered in it, so
// what Kakehashi does not model still reaches the receipt computer unchanged.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace kh::model {

struct Element {
    std::string name;                 // local name; a namespace prefix is dropped
    std::string text;                 // character data (UTF-8), untrimmed
    std::vector<Element> children;

    const Element* child(std::string_view name) const;      // first child with that name
    Element* child(std::string_view name);
    std::string childText(std::string_view name) const;     // its text, or "" when absent
    std::vector<const Element*> childrenNamed(std::string_view name) const;
    Element& add(std::string name, std::string text = {});  // append a child and return it
};

}  // namespace kh::model

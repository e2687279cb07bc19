// Navigation and building helpers of the XML tree (XmlElement) used by the message mappings.
#include "spec/xml.hpp"

namespace kh::spec {

const XmlElement* XmlElement::child(std::string_view wanted) const {
    for (const auto& c : children)
        if (c.name == wanted) return &c;
    return nullptr;
}

std::string XmlElement::childText(std::string_view wanted) const {
    const XmlElement* c = child(wanted);
    return c ? c->text : std::string();
}

std::vector<const XmlElement*> XmlElement::childrenNamed(std::string_view wanted) const {
    std::vector<const XmlElement*> found;
    for (const auto& c : children)
        if (c.name == wanted) found.push_back(&c);
    return found;
}

XmlElement& XmlElement::add(std::string childName, std::string childText) {
    children.push_back(XmlElement{std::move(childName), std::move(childText), {}});
    return children.back();
}

}  // namespace kh::spec

#include "model/element.hpp"

namespace kh::model {

const Element* Element::child(std::string_view wanted) const {
    for (const auto& c : children)
        if (c.name == wanted) return &c;
    return nullptr;
}

Element* Element::child(std::string_view wanted) {
    for (auto& c : children)
        if (c.name == wanted) return &c;
    return nullptr;
}

std::string Element::childText(std::string_view wanted) const {
    const Element* c = child(wanted);
    return c ? c->text : std::string();
}

std::vector<const Element*> Element::childrenNamed(std::string_view wanted) const {
    std::vector<const Element*> found;
    for (const auto& c : children)
        if (c.name == wanted) found.push_back(&c);
    return found;
}

Element& Element::add(std::string childName, std::string childText) {
    children.push_back(Element{std::move(childName), std::move(childText), {}});
    return children.back();
}

}  // namespace kh::model

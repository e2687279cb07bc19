// A small writer for the XmlMsg documents the simulator answers with: UTF-8, escaped text, two-space
// indentation, elements in the order they are written (strict in what it writes).
#pragma once
#include <string>
#include <vector>

namespace ksim {

class XmlWriter {
public:
    XmlWriter();  // starts with the XML declaration

    void open(const std::string& tag);
    void close();
    // <tag>value</tag>, or <tag/> when the value is empty.
    void leaf(const std::string& tag, const std::string& value);
    // Written only when the value is not empty.
    void leafIfSet(const std::string& tag, const std::string& value);
    // Appends a whole element exactly as given (a canned unit a test supplied), on lines of its own.
    void raw(const std::string& fragment);
    // Closes what is still open and returns the document.
    std::string finish();

private:
    void indent();

    std::string out_;
    std::vector<std::string> open_;
};

std::string xmlEscaped(const std::string& text);

}  // namespace ksim

#include "xml_writer.hpp"

namespace ksim {

std::string xmlEscaped(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default:
                // Control characters other than tab/newline cannot appear in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
                out += c;
        }
    }
    return out;
}

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

void XmlWriter::indent() { out_.append(open_.size() * 2, ' '); }

void XmlWriter::open(const std::string& tag) {
    indent();
    out_ += '<' + tag + ">\n";
    open_.push_back(tag);
}

void XmlWriter::close() {
    std::string tag = open_.back();
    open_.pop_back();
    indent();
    out_ += "</" + tag + ">\n";
}

void XmlWriter::leaf(const std::string& tag, const std::string& value) {
    indent();
    if (value.empty()) out_ += '<' + tag + "/>\n";
    else out_ += '<' + tag + '>' + xmlEscaped(value) + "</" + tag + ">\n";
}

void XmlWriter::leafIfSet(const std::string& tag, const std::string& value) {
    if (!value.empty()) leaf(tag, value);
}

void XmlWriter::raw(const std::string& fragment) {
    out_ += fragment;
    if (!fragment.empty() && fragment.back() != '\n') out_ += '\n';
}

std::string XmlWriter::finish() {
    while (!open_.empty()) close();
    return std::move(out_);
}

}  // namespace ksim

#include "endpoint/json_writer.hpp"

#include <cstdio>

namespace kh::endpoint {

void JsonWriter::comma() {
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
}

void JsonWriter::name(std::string_view key) {
    comma();
    if (!key.empty()) {
        string(key);
        out_ += ':';
    }
}

void JsonWriter::string(std::string_view s) {
    out_ += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out_ += buf;
            } else {
                out_ += char(c);  // UTF-8 passes through: the API speaks UTF-8
            }
        }
    }
    out_ += '"';
}

JsonWriter& JsonWriter::beginObject() {
    comma();
    out_ += '{';
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::object(std::string_view key) {
    name(key);
    out_ += '{';
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::endObject() {
    out_ += '}';
    first_.pop_back();
    return *this;
}

JsonWriter& JsonWriter::beginArray(std::string_view key) {
    name(key);
    out_ += '[';
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::endArray() {
    out_ += ']';
    first_.pop_back();
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view key, std::string_view value) {
    name(key);
    string(value);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view key, int64_t value) {
    name(key);
    out_ += std::to_string(value);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::fieldIfSet(std::string_view key, std::string_view value) {
    return value.empty() ? *this : field(key, value);
}

}  // namespace kh::endpoint

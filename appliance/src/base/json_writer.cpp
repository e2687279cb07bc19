#include "base/json_writer.hpp"

#include "base/json_string.hpp"


namespace kh::base {

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

void JsonWriter::string(std::string_view s) { appendJsonString(out_, s); }

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

}  // namespace kh::base

// The program's JSON writer: one string grown in place, escaped by base/json_string, no intermediate
// object tree (the answer path runs for every cached inquiry). Reading JSON is POCO's (Poco::JSON).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kh::base {

class JsonWriter {
public:
    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray(std::string_view key = {});
    JsonWriter& endArray();
    JsonWriter& object(std::string_view key);  // "key": { … — closed by endObject()
    JsonWriter& field(std::string_view key, std::string_view value);
    JsonWriter& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    JsonWriter& field(std::string_view key, int64_t value);
    JsonWriter& field(std::string_view key, bool value);
    JsonWriter& fieldIfSet(std::string_view key, std::string_view value);  // skipped when empty
    std::string take() { return std::move(out_); }

private:
    void comma();
    void name(std::string_view key);
    void string(std::string_view s);

    std::string out_;
    std::vector<bool> first_;  // per open container: nothing written in it yet
};

}  // namespace kh::base

#include <catch2/catch.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "base/json_writer.hpp"

using kh::base::JsonWriter;

TEST_CASE("the JSON writer escapes what must be escaped and nests correctly", "[endpoint][json]") {
    JsonWriter w;
    w.beginObject()
        .field("name", "山田\u3000\"太郎\"\\\n\x01")
        .field("n", int64_t(-3))
        .field("ok", true)
        .fieldIfSet("empty", "")
        .object("inner").field("a", "b").endObject()
        .beginArray("list");
    w.beginObject().field("x", int64_t(1)).endObject();
    w.beginObject().endObject();
    w.endArray().endObject();
    std::string json = w.take();
    CHECK(json.find("\"empty\"") == std::string::npos);
    // Whatever we write, a real parser reads back the same values.
    auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    CHECK(o->getValue<std::string>("name") == "山田\u3000\"太郎\"\\\n\x01");
    CHECK(o->getValue<int>("n") == -3);
    CHECK(o->getValue<bool>("ok"));
    CHECK(o->getObject("inner")->getValue<std::string>("a") == "b");
    CHECK(o->getArray("list")->size() == 2);
}

// A Lua plugin as an Adapter: builds the plugin's arguments (msg, result, ctx) as plain values, calls it in
// its sandbox one call at a time, and checks what comes back against the contract in plugins/README.md.
#include "plugins/lua_adapter.hpp"

#include "model/japan_date.hpp"
#include "plugins/host_library.hpp"
#include "plugins/sandbox.hpp"

namespace kh::plugins {
namespace {
using model::ErrorId;

constexpr size_t kMaxEntries = 10'000;

[[noreturn]] void contractBroken(const std::string& what) { throw AdapterError(ErrorId::PluginFailed, what); }

std::string optionalText(const Value& t, const char* key, const std::string& where) {
    const Value* v = t.field(key);
    if (v == nullptr || v->isNil()) return "";
    if (!v->isString()) contractBroken(where + "." + key + " must be a string");
    return v->text;
}

std::string requiredText(const Value& t, const char* key, const std::string& where) {
    const Value* v = t.field(key);
    if (v == nullptr || !v->isString()) contractBroken(where + "." + key + " must be a string");
    return v->text;
}

// {error = {field=, message=}, arbitraryIdentifier=}: an entry the plugin could not read.
DecodedEntry problemEntry(const Value& entry, const std::string& where) {
    const Value& error = *entry.field("error");
    if (!error.isTable()) contractBroken(where + ".error must be {field=, message=}");
    DecodedEntry out;
    out.errors.push_back(
        {requiredText(error, "field", where + ".error"), requiredText(error, "message", where + ".error")});
    out.arbitraryIdentifier = optionalText(entry, "arbitraryIdentifier", where);
    return out;
}

// An inquiry table, checked again here whatever the plugin did with kakehashi.record.inquiry.
DecodedEntry inquiryEntry(const Value& entry) {
    InquiryReading reading = readInquiry(entry);
    DecodedEntry out;
    out.arbitraryIdentifier = reading.inquiry.arbitraryIdentifier;
    out.errors = std::move(reading.errors);
    if (out.errors.empty()) out.inquiry = std::move(reading.inquiry);
    return out;
}

DecodedEntry decodedEntry(const Value& entry, size_t index) {
    const std::string where = "entries[" + std::to_string(index + 1) + "]";
    if (!entry.isTable()) contractBroken("decode_request: " + where + " must be a table");
    const Value* error = entry.field("error");
    return error != nullptr && !error->isNil() ? problemEntry(entry, "decode_request: " + where) : inquiryEntry(entry);
}

DecodedRequest decodedRequest(const Value& result) {
    const Value* entries = result.isTable() ? result.field("entries") : nullptr;
    if (entries == nullptr || !entries->isTable() || !entries->fields.empty() || entries->otherKeys)
        contractBroken("decode_request must return {entries = {…}, correlation = …}");
    if (entries->items.size() > kMaxEntries)
        throw AdapterError(ErrorId::TooManyEntries, "decode_request returned more than 10000 entries");
    DecodedRequest out;
    out.correlation = optionalText(result, "correlation", "decode_request: result");
    for (size_t i = 0; i < entries->items.size(); ++i) out.entries.push_back(decodedEntry(entries->items[i], i));
    return out;
}

bool plainFileName(const std::string& name) {
    return name.find_first_of(std::string("/\\\0", 3)) == std::string::npos && name != "." && name != "..";
}

ChannelMessage outputMessage(const Value& v, size_t index) {
    const std::string where = "encode_result: output[" + std::to_string(index + 1) + "]";
    if (!v.isTable()) contractBroken(where + " must be {name=, body=, contentType=}");
    ChannelMessage m{requiredText(v, "name", where), requiredText(v, "body", where),
                     optionalText(v, "contentType", where)};
    if (!plainFileName(m.name)) contractBroken(where + ".name must be a file name without a folder");
    return m;
}

std::vector<ChannelMessage> outputMessages(const Value& result) {
    if (!result.isTable() || !result.fields.empty() || result.otherKeys)
        contractBroken("encode_result must return an array of {name=, body=, contentType=}");
    std::vector<ChannelMessage> out;
    for (size_t i = 0; i < result.items.size(); ++i) out.push_back(outputMessage(result.items[i], i));
    return out;
}

// The host's own JSON (answers, events): a failure here is the host's, not the plugin's.
Value hostJson(const std::string& json, const char* what) {
    try {
        return parseJson(json);
    } catch (const std::exception& e) {
        throw AdapterError(ErrorId::Internal, std::string(what) + " is not valid JSON: " + e.what());
    }
}

Value text(const std::string& s) { return Value::fromString(s); }

// ctx = {plugin = {id, version}, settings = kakehashi.settings, today = "YYYYMMDD" (Japan time)}
Value callContext(const Manifest& manifest) {
    Value plugin = Value::table().set("id", text(manifest.id)).set("version", text(manifest.version));
    return Value::table()
        .set("plugin", std::move(plugin))
        .set("settings", hostSettings())
        .set("today", text(model::JapanDate::today().str()));
}
}  // namespace

LuaAdapter::LuaAdapter(const Manifest& manifest, const std::string& dir, const std::string& visibleSettingsJson,
                       SandboxLimits limits, std::shared_ptr<const std::atomic<bool>> stopping)
    : manifest_(manifest), settingsJson_(visibleSettingsJson), stopping_(std::move(stopping)) {
    try {
        sandbox_ = std::make_unique<Sandbox>(dir, limits);
        sandbox_->setStopSignal(stopping_.get());
        installHostLibrary(*sandbox_, {manifest_.id, manifest_.version, settingsJson_, manifest_.logMessages,
                                       manifest_.logFields});
        sandbox_->loadEntry(manifest_.entry);
    } catch (const AdapterError& e) {
        const std::string reason =
            e.id() == ErrorId::PluginFailed ? "" : std::string(model::errorInfo(e.id()).name) + ": ";
        throw AdapterError(ErrorId::PluginFailed, "the plugin did not load: " + reason + e.what());
    }
    for (const char* required : {"decode_request", "encode_result"})
        if (!sandbox_->hasFunction(required))
            throw AdapterError(ErrorId::PluginFailed, std::string(required) + " missing");
}

LuaAdapter::~LuaAdapter() = default;

// Calls wait for one another on the mutex: without this, a host stopping would wait for each of them.
void LuaAdapter::refuseWhenStopping() const {
    if (stopping_ && stopping_->load()) throw AdapterError(ErrorId::PluginRefused, kGatewayStopping);
}

DecodedRequest LuaAdapter::decodeRequest(const ChannelMessage& message) {
    Value msg = Value::table()
                    .set("name", text(message.name))
                    .set("body", text(message.body))
                    .set("contentType", text(message.contentType));
    std::lock_guard<std::mutex> lock(mutex_);
    refuseWhenStopping();
    return decodedRequest(sandbox_->call("decode_request", {std::move(msg), callContext(manifest_)}));
}

std::vector<ChannelMessage> LuaAdapter::encodeResult(const AnswerSet& answers) {
    Value list = Value::table();
    for (size_t i = 0; i < answers.answersJson.size(); ++i) list.append(hostJson(answers.answersJson[i], "an answer"));
    Value request =
        Value::table().set("name", text(answers.request.name)).set("contentType", text(answers.request.contentType));
    Value result = Value::table()
                       .set("request", std::move(request))
                       .set("correlation", text(answers.correlation))
                       .set("answers", std::move(list));
    std::lock_guard<std::mutex> lock(mutex_);
    refuseWhenStopping();
    return outputMessages(sandbox_->call("encode_result", {std::move(result), callContext(manifest_)}));
}

void LuaAdapter::onEvent(const std::string& eventJson) {
    Value event = hostJson(eventJson, "the event");
    std::lock_guard<std::mutex> lock(mutex_);
    refuseWhenStopping();
    if (sandbox_->hasFunction("on_event")) sandbox_->call("on_event", {std::move(event), callContext(manifest_)});
}

size_t LuaAdapter::memoryInUse() const { return sandbox_->memoryInUse(); }

}  // namespace kh::plugins

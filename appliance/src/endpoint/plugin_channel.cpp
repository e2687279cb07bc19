#include "endpoint/plugin_channel.hpp"

#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>


#include "base/files.hpp"
#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "endpoint/file_drop.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_answer.hpp"
#include "endpoint/webhook_client.hpp"
#include "plugins/settings_schema.hpp"
#include "services/result_codec.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ErrorId;

const char* kFileKind = "plugin-file";
const char* kWebhookKind = "plugin-webhook";

constexpr size_t kMaxVendorFileBytes = 32u * 1024 * 1024;

std::string errorFileNameFor(const std::string& leaf) {
    auto dot = leaf.rfind('.');
    return (dot == std::string::npos || dot == 0 ? leaf : leaf.substr(0, dot)) + ".err";
}

// Row names: "<plugin>/<folder>/<file>" for files, "<plugin>/http/<route>/<uuid>" for webhook requests.
struct RowName {
    std::string plugin, place, leaf;
};
RowName splitName(const std::string& name) {
    auto a = name.find('/'), b = name.rfind('/');
    return {name.substr(0, a), name.substr(a + 1, b - a - 1), name.substr(b + 1)};
}

std::string pluginOf(const store::InboundFile& f) { return f.channel.substr(std::string("plugin:").size()); }

const plugins::ChannelBinding* findBinding(const plugins::Manifest& m, const std::string& type, const std::string& where) {
    for (const auto& b : m.channels)
        if (b.type == type && (type == "file" ? b.folder == where : b.route == where)) return &b;
    return nullptr;
}

// The answers to a message's entries, in both forms adapters read: JSON (Lua) and canonical results (native).
struct AnswerBuilder {
    std::vector<std::string> json;
    std::vector<model::EligibilityResult> results;

    void answered(const services::Answer& a) {
        json.push_back(encodeAnswer(a));
        results.push_back(a.result);
    }
    // An entry the adapter marked invalid, or the central system refused.
    void refused(const model::EligibilityInquiry& q, ErrorId id, const std::string& detail) {
        answered(services::Answer{services::errorResult(q, id, detail), "local", false, store::nowSeconds()});
    }
    void queued(const model::EligibilityInquiry& q, const services::InquiryOutcome& out) {
        json.push_back(encodeQueued(out.ticket, out.requestId));
        results.push_back(services::errorResult(q, ErrorId::Queued, ""));
    }
};
}  // namespace

PluginChannel::PluginChannel(std::string shareRoot, int pollMillis, int settleMillis, plugins::PluginRegistry& registry,
                             store::InboundFiles& inbound, store::DeadLetters& deadLetters, store::Journal& journal,
                             services::EligibilityService& eligibility, Metrics& metrics)
    : shareRoot_(std::move(shareRoot)), settleMillis_(settleMillis), pollMillis_(pollMillis), registry_(registry),
      inbound_(inbound), deadLetters_(deadLetters), journal_(journal), eligibility_(eligibility), metrics_(metrics),
      watch_([this] { loop_.poke(); }) {}

void PluginChannel::start() {
    loop_.start(std::chrono::milliseconds(pollMillis_), [this] {
        try {
            scanOnce();
        } catch (const std::exception& e) {
            log::error("plugin_channel.scan_failed", {{"error", e.what()}});
        }
    });
}

void PluginChannel::stop() {
    watch_.stop();
    loop_.stop();
}

void PluginChannel::scanOnce() {
    for (const auto& p : registry_.status()) {
        if (p.state != "enabled") continue;
        for (const auto& b : p.manifest.channels)
            if (b.type == "file") takeFiles(p, b);
    }
    for (const char* state : {"accepted", "waiting"})
        for (const auto& f : inbound_.open(state, "plugin:")) {
            if (registry_.stopping()) return;  // the rest waits, recorded, for the next start
            attempt(f);
        }
}

// One message; whatever it throws stays with it (see FileDrop::attempt).
void PluginChannel::attempt(const store::InboundFile& f) {
    if (!retries_.due(f.id)) return;
    try {
        process(f);
        retries_.succeeded(f.id);
    } catch (const std::exception& e) {
        if (!retries_.giveUp(f.id, e)) {
            log::warn("plugin_file.answer_delayed", {{"channel", f.channel}, {"error", e.what()}});
            return;
        }
        try {
            inbound_.failed(f.id, e.what());
            metrics_.countFile("failed");
            log::error("plugin_file.unanswerable", {{"channel", f.channel}, {"inbound_id", std::to_string(f.id)}, {"error", e.what()}});
        } catch (const std::exception& stored) {
            log::error("plugin_file.fail_not_recorded", {{"channel", f.channel}, {"error", stored.what()}});
        }
    }
}

ShareInbox& PluginChannel::inboxFor(const std::string& folder) {
    auto& inbox = inboxes_[folder];
    if (!inbox)
        inbox = std::make_unique<ShareInbox>(shareRoot_ + "/" + folder + "/in", kMaxVendorFileBytes,
                                             std::chrono::milliseconds(settleMillis_));
    return *inbox;
}

void PluginChannel::takeFiles(const plugins::PluginStatus& plugin, const plugins::ChannelBinding& b) {
    std::string base = shareRoot_ + "/" + b.folder;
    for (const char* sub : {"", "/in", "/out", "/quarantine"}) ::mkdir((base + sub).c_str(), 0770);
    watch_.watch(base + "/in");
    auto wanted = [&](const std::string& n) { return fnmatch(b.pattern.c_str(), n.c_str(), FNM_PERIOD) == 0; };
    ShareInbox& inbox = inboxFor(b.folder);
    for (const auto& in : inbox.collect(wanted)) {
        try {
            take(plugin, b, inbox, in);
        } catch (const std::exception& e) {  // the store refused it: the file stays in in/ for the next pass
            log::error("plugin_file.take_failed", {{"plugin", plugin.id}, {"error", e.what()}});
        }
    }
}

// Recorded first: after a crash it is either still in in/ or in the store. What cannot be read (a link,
// a FIFO, a file over the limit) is answered with .err at once and kept as a dead letter.
void PluginChannel::take(const plugins::PluginStatus& plugin, const plugins::ChannelBinding& b, ShareInbox& inbox,
                         const IncomingFile& in) {
    std::string base = shareRoot_ + "/" + b.folder;
    std::string rowName = plugin.id + "/" + b.folder + "/" + in.name;
    if (in.refusal != IncomingFile::Refusal::None) {
        auto id = in.refusal == IncomingFile::Refusal::TooLarge ? ErrorId::TooLarge : ErrorId::NotAFile;
        const auto& info = model::errorInfo(id);
        deadLetters_.add("plugin:" + plugin.id, rowName, info.code, info.name, "");
        if (id == ErrorId::TooLarge) inbox.moveTo(in, base + "/quarantine", keptName(store::nowSeconds(), in.name));
        else inbox.remove(in);
        try {
            writeResultFile(base + "/out", errorFileNameFor(in.name), std::string(info.code) + " " + info.title + "\n");
        } catch (const std::exception& e) {
            log::warn("plugin_file.err_not_written", {{"plugin", plugin.id}, {"error", e.what()}});
        }
        log::warn("plugin_file.refused", {{"plugin", plugin.id}, {"file", in.name}, {"error", info.name}});
        return;
    }
    inbound_.accept(rowName, crypto::hex(crypto::sha256(in.body)), kFileKind, "bytes", in.body, "plugin:" + plugin.id);
    journal_.record({"in", "plugin:" + plugin.id, kFileKind, rowName, in.body});
    inbox.remove(in);
    log::info("plugin_file.taken", {{"plugin", plugin.id}, {"file", in.name}});
}

HttpReply PluginChannel::handleHttp(const std::string& pluginId, const std::string& route, HttpCall& call) {
    auto adapter = registry_.adapter(pluginId);
    if (!adapter) return problemReply(ErrorId::PluginRefused, "plugin " + pluginId + " is not enabled");
    plugins::Manifest manifest;
    for (const auto& p : registry_.status())
        if (p.id == pluginId) manifest = p.manifest;
    const auto* binding = findBinding(manifest, "http", route);
    if (!binding) return problemReply(ErrorId::NotFound, "no such adapter route");
    if (binding->delivery == "webhook") {
        std::string rowName = pluginId + "/http/" + route + "/" + crypto::uuid4();
        int64_t id = inbound_.accept(rowName, crypto::hex(crypto::sha256(call.body + rowName)), kWebhookKind,
                                     call.headers["content-type"], call.body, "plugin:" + pluginId);
        loop_.poke();
        return HttpReply{202, "application/json",
                         "{\"status\":\"accepted\",\"message\":\"結果はコールバックURLへ送信します\",\"id\":" + std::to_string(id) + "}",
                         {}};
    }
    plugins::ChannelMessage msg{route, call.body, call.headers["content-type"]};
    try {
        auto decoded = adapter->decodeRequest(msg);
        AnswerBuilder answers;
        for (const auto& e : decoded.entries) {
            if (!e.inquiry) {
                model::EligibilityInquiry echo;
                echo.arbitraryIdentifier = e.arbitraryIdentifier;
                answers.refused(echo, ErrorId::InvalidField, model::describe(e.errors));
                continue;
            }
            auto out = eligibility_.inquire(*e.inquiry, "", eligibility_.policy().liveWait);
            if (out.kind == services::InquiryOutcome::Kind::Answered) answers.answered(*out.answer);
            else if (out.kind == services::InquiryOutcome::Kind::Queued) answers.queued(*e.inquiry, out);
            else answers.refused(*e.inquiry, out.error, out.detail);
        }
        auto outputs = adapter->encodeResult({msg, decoded.correlation, answers.json, answers.results});
        if (outputs.empty()) return HttpReply{204, "application/json", "", {}};
        return HttpReply{200, outputs[0].contentType.empty() ? "application/json" : outputs[0].contentType, outputs[0].body, {}};
    } catch (const plugins::AdapterError& e) {
        if (registry_.stopping()) return problemReply(e.id(), e.what());  // not the message's fault: no dead letter
        deadLetters_.add("plugin:" + pluginId, route, model::errorInfo(e.id()).code, e.what(), call.body);
        log::warn("plugin.message_failed", {{"plugin", pluginId}, {"error", model::errorInfo(e.id()).name}});
        return problemReply(e.id(), e.what());
    }
}

std::string PluginChannel::statusJson() {
    JsonWriter w;
    w.beginObject().beginArray("plugins");
    for (const auto& p : registry_.status()) {
        w.beginObject()
            .field("id", p.id)
            .field("version", p.version)
            .fieldIfSet("name", p.manifest.name)
            .fieldIfSet("description", p.manifest.description)
            .field("state", p.state)
            .field("unsigned", p.unsignedInDevelopment)
            .field("builtIn", p.builtIn)
            .fieldIfSet("problem", p.problem);
        w.beginArray("channels");
        for (const auto& b : p.manifest.channels)
            w.beginObject().field("type", b.type).fieldIfSet("folder", b.folder).fieldIfSet("route", b.route).endObject();
        w.endArray().endObject();
    }
    w.endArray().endObject();
    return w.take();
}

plugins::AnswerSet PluginChannel::answerEntries(const plugins::ChannelMessage& msg, const plugins::DecodedRequest& decoded,
                                                std::vector<int64_t>& tickets, bool& complete) {
    AnswerBuilder answers;
    tickets.resize(decoded.entries.size(), 0);
    complete = true;
    for (size_t i = 0; i < decoded.entries.size(); ++i) {
        const auto& e = decoded.entries[i];
        if (!e.inquiry) {
            model::EligibilityInquiry echo;
            echo.arbitraryIdentifier = e.arbitraryIdentifier;
            answers.refused(echo, ErrorId::InvalidField, model::describe(e.errors));
            continue;
        }
        auto out = tickets[i] > 0 ? eligibility_.follow(tickets[i], *e.inquiry)
                                  : eligibility_.inquire(*e.inquiry, "", std::chrono::milliseconds(0));
        if (out.kind == services::InquiryOutcome::Kind::Queued) {
            tickets[i] = out.ticket;
            complete = false;
            answers.queued(*e.inquiry, out);
        } else if (out.kind == services::InquiryOutcome::Kind::Answered) {
            answers.answered(*out.answer);
        } else {
            answers.refused(*e.inquiry, out.error, out.detail);
        }
    }
    return {msg, decoded.correlation, std::move(answers.json), std::move(answers.results)};
}

void PluginChannel::process(const store::InboundFile& f) {
    auto adapter = registry_.adapter(pluginOf(f));
    if (!adapter) return;  // disabled or refused: the message waits, recorded, until the plugin is back
    auto name = splitName(f.name);
    plugins::ChannelMessage msg{f.kind == kFileKind ? name.leaf : name.place.substr(5), f.body,
                                f.kind == kFileKind ? "" : f.encoding};
    try {
        auto decoded = adapter->decodeRequest(msg);
        std::vector<int64_t> tickets = f.tickets;
        bool complete = false;
        auto answers = answerEntries(msg, decoded, tickets, complete);
        if (!complete) {
            inbound_.waitForEach(f.id, tickets);
            return;
        }
        auto outputs = adapter->encodeResult(answers);
        if (deliver(f, outputs)) inbound_.answered(f.id);
    } catch (const plugins::AdapterError& e) {
        if (registry_.stopping()) return;  // cut short by the shutdown: handled again after the next start
        deadLetter(f, e.id(), e.what());
    }
}

bool PluginChannel::deliver(const store::InboundFile& f, const std::vector<plugins::ChannelMessage>& outputs) {
    auto name = splitName(f.name);
    for (const auto& out : outputs) journal_.record({"out", f.channel, f.kind, name.leaf + " → " + out.name, out.body});
    if (f.kind == kFileKind) {
        for (const auto& out : outputs) writeResultFile(shareRoot_ + "/" + name.place + "/out", out.name, out.body);
        metrics_.countFile("plugin-answered");
        return true;
    }
    std::string settings = registry_.config().settings.count(name.plugin) ? registry_.config().settings.at(name.plugin) : "{}";
    std::string url = plugins::secretSetting(settings, "callbackUrl");
    std::string token = plugins::secretSetting(settings, "callbackToken");
    for (const auto& out : outputs) {
        auto result = pushWebhook(url, token, out.contentType, out.body);
        if (!result.delivered) {
            log::warn("plugin_webhook.retry", {{"plugin", name.plugin}, {"problem", result.problem}});
            return false;  // stays accepted; pushed again on the next pass
        }
    }
    log::info("plugin_webhook.delivered", {{"plugin", name.plugin}, {"outputs", std::to_string(outputs.size())}});
    return true;
}

void PluginChannel::deadLetter(const store::InboundFile& f, ErrorId id, const std::string& detail) {
    const auto& info = model::errorInfo(id);
    auto name = splitName(f.name);
    deadLetters_.add(f.channel, f.name, info.code, detail, f.body);
    if (f.kind == kFileKind) {
        std::string base = shareRoot_ + "/" + name.place;
        try {
            base::writeFileDurably(base + "/quarantine/" + keptName(f.id, name.leaf), f.body, 0640);
        } catch (const std::exception& e) {
            log::warn("plugin_file.quarantine_failed", {{"plugin", name.plugin}, {"error", e.what()}});
        }
        writeResultFile(base + "/out", errorFileNameFor(name.leaf), std::string(info.code) + " " + info.title + "\n" + detail + "\n");
    }
    inbound_.answered(f.id);
    metrics_.countFile("plugin-dead-letter");
    log::warn("plugin.message_failed", {{"plugin", name.plugin}, {"error", info.name}});
}

}  // namespace kh::endpoint

#include "admin/firmware_routes.hpp"

#include <Poco/JSON/Parser.h>

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;
using services::FirmwareFields;

std::string value(const FirmwareFields& f, const char* key) { return services::fieldOf(f, key); }

// A count written by the updater or the gateway; 0 when it is not one.
int64_t number(const std::string& digits) {
    if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoll(digits);
}

// Seconds since 1970, shown in Japan time.
std::string timeText(const std::string& seconds) {
    int64_t s = number(seconds);
    return s ? model::japanIso8601(model::fromUnixSeconds(s)) : "";
}

std::string member(const Poco::JSON::Object::Ptr& o, const char* key) {
    if (!o || !o->has(key) || o->isNull(key)) return "";
    return o->get(key).toString();
}

Poco::JSON::Object::Ptr objectMember(const Poco::JSON::Object::Ptr& o, const char* key) {
    return o && o->has(key) ? o->getObject(key) : nullptr;
}

// The slots from `rauc status --detailed --output-format=json`: {"booted": "A", "slots": [{"rootfs.0":
// {"bootname", "state", "boot_status", "slot_status": {"bundle": {"version"}, "installed": {"timestamp"}}}}]}.
// Unreadable or missing: no slots (the page says the state is not known yet). The slot the image was
// written to was never installed by RAUC and has no bundle version: the booted one has the release's.
void writeSlots(JsonWriter& w, const std::string& raucJson, const std::string& releaseVersion) {
    Poco::JSON::Object::Ptr root;
    try {
        if (!raucJson.empty()) root = Poco::JSON::Parser().parse(raucJson).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        log::warn("firmware.rauc-status-unreadable", {});
    }
    w.field("bootedSlot", member(root, "booted"));
    w.beginArray("slots");
    auto slots = root && root->has("slots") ? root->getArray("slots") : nullptr;
    for (size_t i = 0; slots && i < slots->size(); ++i) {
        auto entry = slots->getObject(unsigned(i));
        if (!entry) continue;
        for (const auto& [name, v] : *entry) {
            if (v.type() != typeid(Poco::JSON::Object::Ptr)) continue;
            auto slot = v.extract<Poco::JSON::Object::Ptr>();
            auto status = objectMember(slot, "slot_status");
            std::string version = member(objectMember(status, "bundle"), "version");
            if (version.empty() && member(slot, "state") == "booted") version = releaseVersion;
            w.beginObject()
                .field("name", name)
                .field("bootname", member(slot, "bootname"))
                .field("state", member(slot, "state"))
                .field("bootStatus", member(slot, "boot_status"))
                .field("version", version)
                .field("installedAt", member(objectMember(status, "installed"), "timestamp"))
                .endObject();
        }
    }
    w.endArray();
}

HttpReply view(services::FirmwareUpdates& firmware, const std::string& gatewayVersion, int status = 200) {
    auto s = firmware.state();
    JsonWriter w;
    w.beginObject()
        .field("available", s.available)
        .field("version", gatewayVersion)
        .field("maxBundleBytes", int64_t(firmware.settings().maxBundleBytes));
    if (!s.release.empty())
        w.object("release")
            .field("version", value(s.release, "KAKEHASHI_VERSION"))
            .field("package", value(s.release, "KAKEHASHI_PACKAGE"))
            .field("built", value(s.release, "KAKEHASHI_BUILT"))
            .endObject();
    if (s.bundle)
        w.object("bundle")
            .field("size", number(value(*s.bundle, "size")))
            .field("sha256", value(*s.bundle, "sha256"))
            .field("uploadedAt", timeText(value(*s.bundle, "uploadedAt")))
            .field("uploadedBy", value(*s.bundle, "uploadedBy"))
            .endObject();
    if (s.update) {
        const auto& u = *s.update;
        w.object("update");
        for (const char* key : {"id", "action", "state", "sha256", "version", "compatible", "target", "message"})
            w.field(key, value(u, key));
        w.field("at", timeText(value(u, u.count("at") ? "at" : "requestedAt")));
        w.endObject();
    }
    writeSlots(w, s.raucStatusJson, value(s.release, "KAKEHASHI_VERSION"));
    w.endObject();
    return {status, "application/json", w.take(), {}};
}

uint64_t contentLength(const AdminCall& call) {
    const auto& h = call.http.headers;
    if (h.count("transfer-encoding"))
        throw KakehashiError(ErrorId::LengthRequired, "send the bundle with a Content-Length, not in chunks");
    auto it = h.find("content-length");
    if (it == h.end() || it->second.empty() || it->second.size() > 19 ||
        it->second.find_first_not_of("0123456789") != std::string::npos)
        throw KakehashiError(ErrorId::LengthRequired, "send the bundle with a Content-Length");
    return std::stoull(it->second);
}

}  // namespace

std::vector<AdminRoute> firmwareRoutes(services::FirmwareUpdates& firmware, store::AuditLog& audit,
                                       std::string gatewayVersion) {
    auto& f = firmware;
    auto version = std::move(gatewayVersion);
    AdminRoute upload{"PUT", "/admin/api/firmware/bundle",
                      "Upload a signed update bundle (.raucb) as the raw body; the box then checks its signature",
                      Permission::ManageSettings, nullptr};
    upload.receive = [&f, &audit, version](AdminCall& call, std::istream& body) {
        uint64_t length = contentLength(call);
        FirmwareFields info;
        try {
            info = f.receive(body, length, call.actor());
        } catch (const KakehashiError& e) {
            audit.append(call.actor(), "admin.firmware-upload-refused", "firmware", e.info().name);
            throw;
        }
        audit.append(call.actor(), "admin.firmware-uploaded", "firmware",
                     "sha256=" + value(info, "sha256") + " size=" + value(info, "size"));
        return view(f, version, 201);
    };
    return {
        {"GET", "/admin/api/firmware", "Running version, slots, the uploaded bundle and the update's progress",
         Permission::ManageSettings, [&f, version](AdminCall&) { return view(f, version); }},
        std::move(upload),
        {"DELETE", "/admin/api/firmware/bundle", "Discard the uploaded bundle", Permission::ManageSettings,
         [&f, &audit, version](AdminCall& call) {
             f.discard();
             audit.append(call.actor(), "admin.firmware-discarded", "firmware", "");
             return view(f, version);
         }},
        {"POST", "/admin/api/firmware/install",
         "Install the checked bundle into the other slot and reboot into it: {sha256}", Permission::ManageSettings,
         [&f, &audit, version](AdminCall& call) {
             std::string sha = endpoint::stringMember(endpoint::jsonObject(call.http.body), "sha256");
             f.requestInstall(sha, call.actor());
             audit.append(call.actor(), "admin.firmware-install-requested", "firmware", "sha256=" + sha);
             return view(f, version, 202);
         }},
    };
}

}  // namespace kh::admin

#include "control_handlers.hpp"

#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "api_handlers.hpp"
#include "codes.hpp"
#include "conformance_handlers.hpp"
#include "control_call.hpp"
#include "event_log.hpp"
#include "home_reception.hpp"
#include "identity_handlers.hpp"
#include "http_io.hpp"
#include "json_io.hpp"
#include "routes.hpp"

namespace ksim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

struct ControlRoute {
    const char* method;
    const char* path;  // a pattern: {name} segments are captured into ControlCall::params
    const char* summary;
    ControlHandler handle;
};

StoredAnswer json(int status, const Object::Ptr& object) { return jsonAnswer(status, object); }

Object::Ptr okObject() {
    Object::Ptr o = new Object;
    o->set("ok", true);
    return o;
}

StoredAnswer health(const ControlCall&, SimState&) { return json(200, okObject()); }

long queryNumber(const ControlCall& call, const char* name, long fallback, long max) {
    try {
        long value = std::stol(queryParameter(call.request, name, std::to_string(fallback)));
        return value < 0 ? 0 : value > max ? max : value;
    } catch (const std::exception&) {
        return fallback;
    }
}

// ?offset=0&limit=100 (≤ 10000), optional filters ?kind=shaho|kokuho|koki|kohi&validity=1|2|4|5.
StoredAnswer population(const ControlCall& call, SimState& state) {
    std::string kind = queryParameter(call.request, "kind", "");
    std::string validity = queryParameter(call.request, "validity", "");
    long offset = queryNumber(call, "offset", 0, 1L << 30), limit = queryNumber(call, "limit", 100, 10000);
    Array::Ptr persons = new Array;
    long matched = 0;
    for (const Person& p : state.population.persons()) {
        if (!kind.empty() && kind != kindName(p.kind)) continue;
        if (!validity.empty() && validity != std::string(1, p.validity)) continue;
        if (matched++ >= offset && static_cast<long>(persons->size()) < limit)
            persons->add(personJson(p, state.population));
    }
    Object::Ptr o = new Object;
    o->set("total", matched);
    o->set("offset", offset);
    o->set("persons", persons);
    return json(200, o);
}

StoredAnswer requests(const ControlCall&, SimState& state) {
    Array::Ptr list = new Array;
    for (const LogEntry& e : state.requests.entries()) {
        Object::Ptr o = new Object;
        o->set("requestId", e.requestId);
        o->set("method", e.method);
        o->set("path", e.path);
        o->set("institution", e.institution);
        o->set("bodySha256", e.bodySha256);
        o->set("firstStatus", e.firstStatus);
        o->set("lastStatus", e.lastStatus);
        o->set("timesSeen", e.timesSeen);
        o->set("acted", e.acted);
        o->set("conflicts", e.conflicts);
        list->add(o);
    }
    Object::Ptr o = new Object;
    o->set("requests", list);
    return json(200, o);
}

Object::Ptr faultsJson(const FaultSettings& f) {
    Object::Ptr o = new Object;
    o->set("latencyMs", f.latencyMs);
    o->set("errorRate", f.errorRate);
    o->set("dropRate", f.dropRate);
    o->set("malformedRate", f.malformedRate);
    o->set("outage", f.outage);
    o->set("slowBatchMs", f.slowBatchMs);
    return o;
}

StoredAnswer getFaults(const ControlCall&, SimState& state) { return json(200, faultsJson(state.faults.settings())); }

double rate(const Object::Ptr& in, const std::string& key) {
    double v = in->getValue<double>(key);
    if (v < 0.0 || v > 1.0) throw std::out_of_range(key + " must be between 0 and 1");
    return v;
}

int milliseconds(const Object::Ptr& in, const std::string& key) {
    int v = in->getValue<int>(key);
    if (v < 0 || v > 3600000) throw std::out_of_range(key + " must be between 0 and 3600000");
    return v;
}

// Changes only the keys given; unknown keys are refused so a typo does not pass silently.
FaultSettings mergedFaults(FaultSettings f, const Object::Ptr& in) {
    for (const auto& [key, value] : *in) {
        if (key == "latencyMs") f.latencyMs = milliseconds(in, key);
        else if (key == "errorRate") f.errorRate = rate(in, key);
        else if (key == "dropRate") f.dropRate = rate(in, key);
        else if (key == "malformedRate") f.malformedRate = rate(in, key);
        else if (key == "outage") f.outage = in->getValue<bool>(key);
        else if (key == "slowBatchMs") f.slowBatchMs = milliseconds(in, key);
        else throw std::invalid_argument("unknown fault " + key);
    }
    return f;
}

StoredAnswer setFaults(const ControlCall& call, SimState& state) {
    FaultSettings merged;
    try {
        Poco::JSON::Parser parser;
        auto in = parser.parse(call.body).extract<Object::Ptr>();
        merged = mergedFaults(state.faults.settings(), in);
    } catch (const Poco::Exception& e) {
        return jsonError(400, "bad faults: " + e.displayText());
    } catch (const std::exception& e) {
        return jsonError(400, std::string("bad faults: ") + e.what());
    }
    state.faults.set(merged);
    logEvent("sim.faults", {{"latencyMs", std::to_string(merged.latencyMs)},
                            {"errorRate", std::to_string(merged.errorRate)},
                            {"dropRate", std::to_string(merged.dropRate)},
                            {"malformedRate", std::to_string(merged.malformedRate)},
                            {"outage", merged.outage ? "true" : "false"},
                            {"slowBatchMs", std::to_string(merged.slowBatchMs)}});
    return json(200, faultsJson(merged));
}

StoredAnswer reset(const ControlCall&, SimState& state) {
    state.requests.clear();
    state.batches.clear();
    state.faults.reset();
    state.consents.clear();
    state.outpatientConsents.clear();
    state.canned.clear();
    state.challenges.clear();
    logEvent("sim.reset", {});
    return json(200, okObject());
}

StoredAnswer routes(const ControlCall&, SimState&);

const std::vector<ControlRoute>& controlRoutes() {
    static const std::vector<ControlRoute> table = {
        {"GET", "/sim/health", "liveness", health},
        {"GET", "/sim/population", "persons of the synthetic population (offset, limit, kind, validity)", population},
        {"GET", "/sim/requests", "the log of X-Request-Ids seen", requests},
        {"GET", "/sim/faults", "current faults", getFaults},
        {"POST", "/sim/faults", "change faults (only the keys given)", setFaults},
        {"POST", "/sim/reset", "clear the request log, batches, faults, consents, withdrawals, reference numbers, outpatient consents and canned answers set by tests, PIN tries, identity challenges and verifications", reset},
        {"GET", "/sim/routes", "this table and the API's", routes},
        {"GET", "/home-reception/{token}", "the simulated マイナ在宅受付Web page of an institution", homeReceptionPage},
        {"POST", "/sim/home-reception/{token}/consent", "a patient consents (identifiers, scopes, PIN)", homeReceptionConsent},
        {"POST", "/sim/home-reception/{token}/withdraw", "a patient withdraws every consent at the institution", homeReceptionWithdraw},
        {"GET", "/sim/home-reception/url", "the home-reception URL of ?institution=CODE", homeReceptionUrl},
        {"GET", "/sim/consents", "consents, withdrawals and reference numbers", listConsents},
        {"POST", "/sim/consents/{consentId}/expire", "move a consent's examination date to yesterday", expireConsent},
        {"POST", "/sim/canned", "serve a given OQSsiquc01res (or BulkConfirmUnit) for a person's checks", putCanned},
        {"GET", "/sim/canned", "the canned answers and how often each was served", listCanned},
        {"DELETE", "/sim/canned", "forget every canned answer", clearCanned},
        {"POST", "/sim/outpatient-consent", "set a person's outpatient consent block (scopes, availableTime)", setOutpatientConsent},
        {"DELETE", "/sim/outpatient-consent", "forget every outpatient consent block set by tests", clearOutpatientConsents},
        {"GET", "/sim/identity/holder", "the person a JPKI certificate serial (?serial=HEX) stands for", identityHolder},
        {"GET", "/sim/identity/verifications", "the identity verifies processed, in order", identityVerifications},
        {"POST", "/sim/identity/replay-next-challenge", "?institution=CODE: its next challenge repeats its last nonce (a replayed answer)", identityReplayNext},
    };
    return table;
}

StoredAnswer routes(const ControlCall&, SimState&) {
    Array::Ptr api = new Array, control = new Array;
    for (const ApiRoute& r : apiRoutes()) {
        Object::Ptr o = new Object;
        o->set("method", r.method);
        o->set("path", r.pattern);
        o->set("summary", r.summary);
        o->set("implemented", r.implemented);
        api->add(o);
    }
    for (const ControlRoute& r : controlRoutes()) {
        Object::Ptr o = new Object;
        o->set("method", r.method);
        o->set("path", r.path);
        o->set("summary", r.summary);
        control->add(o);
    }
    Object::Ptr o = new Object;
    o->set("api", api);
    o->set("control", control);
    return json(200, o);
}

StoredAnswer dispatch(const std::string& method, const std::string& path, ControlCall& call, SimState& state) {
    bool pathKnown = false;
    for (const ControlRoute& r : controlRoutes()) {
        std::vector<std::string> captured;
        if (!matchPath(r.path, path, captured)) continue;
        pathKnown = true;
        if (method == r.method) {
            call.params = std::move(captured);
            return r.handle(call, state);
        }
    }
    return pathKnown ? jsonError(405, "method not allowed") : jsonError(404, "no such control endpoint");
}

class ControlRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ControlRequestHandler(SimState& state) : state_(state) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        ControlCall call{request, {}, {}};
        StoredAnswer answer;
        if (readBody(request, call.body, 1024 * 1024) != BodyRead::Ok) {
            response.setKeepAlive(false);
            answer = jsonError(413, "body too large");
        } else {
            try {
                answer = dispatch(request.getMethod(), requestPath(request), call, state_);
            } catch (const std::exception&) {
                logEvent("control.exception", {{"path", requestPath(request)}});
                answer = jsonError(500, "internal error of the simulator");
            }
        }
        sendAnswer(response, answer, kJsonContentType);
    }

private:
    SimState& state_;
};

class ControlHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ControlHandlerFactory(SimState& state) : state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ControlRequestHandler(state_);  // POCO owns and deletes the handler
    }

private:
    SimState& state_;
};

}  // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr makeControlHandlerFactory(SimState& state) {
    return new ControlHandlerFactory(state);
}

}  // namespace ksim

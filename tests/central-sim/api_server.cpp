#include "api_server.hpp"

#include <cctype>
#include <chrono>
#include <thread>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "api_handlers.hpp"
#include "event_log.hpp"
#include "http_io.hpp"
#include "routes.hpp"
#include "tls.hpp"

namespace ksim {

namespace {

constexpr std::size_t kBodyCap = 64u * 1024 * 1024;
const char* const kXml = "application/xml; charset=UTF-8";

bool isValidRequestId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') return false;
    return true;
}

const ApiRoute* findRoute(const std::string& method, const std::string& path,
                          std::vector<std::string>& params, bool& pathKnown) {
    pathKnown = false;
    for (const ApiRoute& route : apiRoutes()) {
        std::vector<std::string> captured;
        if (!matchPath(route.pattern, path, captured)) continue;
        pathKnown = true;
        if (method == route.method) {
            params = std::move(captured);
            return &route;
        }
    }
    return nullptr;
}

// What the log line says about one request.
struct Exchange {
    std::string method, path, requestId, institution, outcome = "processed";  // empty logs as "-"
    int status = 0;
};

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ApiRequestHandler(SimState& state) : state_(state) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        auto started = std::chrono::steady_clock::now();
        Exchange x;
        x.method = request.getMethod();
        x.path = requestPath(request);
        try {
            serve(request, response, x);
        } catch (...) {
            x.outcome = "exception";
            if (!response.sent()) send(response, errorAnswer(SimError::Internal), x);
        }
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        logEvent("api.request", {{"id", x.requestId}, {"method", x.method}, {"path", x.path},
                                 {"institution", x.institution}, {"status", std::to_string(x.status)},
                                 {"outcome", x.outcome}, {"ms", std::to_string(ms.count())}});
    }

private:
    void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, Exchange& x);
    bool applyFaults(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ApiRoute* route, Exchange& x);
    StoredAnswer process(const ApiRoute* route, bool pathKnown, const ApiCall& call);
    StoredAnswer processOnce(const ApiRoute* route, bool pathKnown, const ApiCall& call, Exchange& x);

    void send(Poco::Net::HTTPServerResponse& response, const StoredAnswer& answer, Exchange& x) {
        x.status = answer.status;
        if (!x.requestId.empty()) response.set("X-Request-Id", x.requestId);
        sendAnswer(response, answer, kXml);
    }

    SimState& state_;
};

void ApiRequestHandler::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                              Exchange& x) {
    std::string body;
    BodyRead read = readBody(request, body, kBodyCap);
    if (read != BodyRead::Ok) {
        x.outcome = read == BodyRead::TooLarge ? "too-large" : "read-failed";
        response.setKeepAlive(false);
        if (read == BodyRead::TooLarge) send(response, errorAnswer(SimError::BodyTooLarge), x);
        return;
    }
    if (x.path.rfind("/v1/", 0) != 0) return send(response, errorAnswer(SimError::UnknownPath), x);
    std::string id = request.get("X-Request-Id", "");
    if (!isValidRequestId(id)) return send(response, errorAnswer(SimError::MissingRequestId), x);
    x.requestId = id;
    ApiCall call{x.method, x.path, id, state_.institutions.institutionFor(peerCommonName(request)), std::move(body),
                 {}, queryParameters(request)};
    x.institution = call.institution;
    state_.requests.arrive({{call.institution, id}, x.method, x.path, sha256Hex(call.body)});
    bool pathKnown = false;
    const ApiRoute* route = findRoute(x.method, x.path, call.params, pathKnown);
    if (applyFaults(request, response, route, x)) return;
    send(response, processOnce(route, pathKnown, call, x), x);
}

// Latency first, then at most one of: outage/drop (no answer), 503, malformed 200 (truncated XML, or
// truncated JSON on a JSON endpoint). A refused request does not act, so its retry with the same
// X-Request-Id is processed normally.
bool ApiRequestHandler::applyFaults(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                                    const ApiRoute* route, Exchange& x) {
    RequestKey key{x.institution, x.requestId};
    FaultSettings settings = state_.faults.settings();
    if (settings.latencyMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(settings.latencyMs));
    switch (state_.faults.decide()) {
        case FaultAction::None:
            return false;
        case FaultAction::Drop:
            x.outcome = "fault-drop";
            state_.requests.refused(key, 0);
            dropConnection(request, response);
            return true;
        case FaultAction::Error: {
            x.outcome = "fault-error";
            StoredAnswer answer = errorAnswer(SimError::Unavailable);
            answer.headers.push_back({"Retry-After", "1"});
            state_.requests.refused(key, answer.status);
            send(response, answer, x);
            return true;
        }
        case FaultAction::Malformed:
            x.outcome = "fault-malformed";
            state_.requests.refused(key, 200);
            if (route && route->json)
                send(response, {200, "{\"truncated\": [", {{"Content-Type", "application/json; charset=UTF-8"}}}, x);
            else
                send(response, {200, malformedDocument(), {}}, x);
            return true;
    }
    return false;
}

// Idempotency: a POST whose id already acted gets the stored answer; a GET is evaluated afresh.
StoredAnswer ApiRequestHandler::processOnce(const ApiRoute* route, bool pathKnown, const ApiCall& call, Exchange& x) {
    bool safe = route && route->safe;
    RequestKey key{call.institution, call.requestId};
    StoredAnswer answer;
    if (safe) {
        answer = process(route, pathKnown, call);
        state_.requests.answeredAfresh(key, answer.status);
        return answer;
    }
    if (state_.requests.claimOrReplay(key, answer)) {
        x.outcome = "replayed";
        return answer;
    }
    try {
        answer = process(route, pathKnown, call);
    } catch (...) {
        state_.requests.abandon(key, 500);
        throw;
    }
    state_.requests.complete(key, answer);
    return answer;
}

StoredAnswer ApiRequestHandler::process(const ApiRoute* route, bool pathKnown, const ApiCall& call) {
    if (!route) return errorAnswer(pathKnown ? SimError::MethodNotAllowed : SimError::UnknownPath);
    if (call.institution.empty()) return errorAnswer(SimError::UnknownInstitution);
    return route->handle(call, state_);
}

class ApiHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ApiHandlerFactory(SimState& state) : state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ApiRequestHandler(state_);  // POCO owns and deletes the handler
    }

private:
    SimState& state_;
};

}  // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr makeApiHandlerFactory(SimState& state) {
    return new ApiHandlerFactory(state);
}

}  // namespace ksim

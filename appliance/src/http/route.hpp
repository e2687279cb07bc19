// A route of a listener, declared once: method, path pattern, how large a body it takes, who may call
// it (its access check, run before any of the body is buffered), and what answers it — at once on a
// worker, from a stream (a large upload), or later without holding a thread (a long poll).
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/signal.hpp"
#include "http/message.hpp"

namespace kh::http {

constexpr size_t kSmallBody = 64u * 1024;  // what most routes take: an inquiry is a few hundred bytes

// An answer that may not be ready yet. `ready(false)` answers when it can (nullopt: not yet); it is asked
// again whenever `changes` fires and once more with `ready(true)` at the deadline, when it must answer.
struct LongPoll {
    base::Signal* changes = nullptr;
    std::chrono::steady_clock::time_point deadline;
    std::function<std::optional<Reply>(bool final)> ready;
};

struct Route {
    std::string method;
    std::string pattern;  // "/api/v1/eligibility/batches/{id}"
    std::string name;     // for metrics: the pattern, unless set
    size_t bodyLimit = kSmallBody;
    // Runs on a worker before the body is used (bodies above a small size are not even read before it
    // lets the call in); fills Request::caller / context. Null: anyone may call.
    std::function<std::optional<Reply>(Request&)> admit;
    std::function<Reply(Request&)> handle;                     // the usual case: a buffered body
    std::function<Reply(Request&, std::istream& body)> receive;  // a body streamed to the handler
    std::function<LongPoll(Request&)> longPoll;                // an answer that may come later
    // The body carries a PIN: read into one small buffer (Content-Length required), never kept, and the
    // buffers that held it wiped once the handler is done.
    bool secretBody = false;
    // Cheap and never blocking (health, readiness, static files): answered on the network thread.
    bool inline_ = false;
};

// A path cut at '/', empty segments dropped.
std::vector<std::string> pathSegments(const std::string& path);
bool isParameter(const std::string& segment);  // "{name}"
// True when `path` fits `pattern`; fills params. A parameter never matches "", "." or "..".
bool matchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params);

class Router {
public:
    explicit Router(std::vector<Route> routes);
    enum class Miss { None, NotFound, MethodNotAllowed };
    // The route for the request's method and path (params filled), or why there is none.
    const Route* find(Request& request, Miss& miss) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
    std::vector<std::vector<std::string>> patterns_;
};

}  // namespace kh::http

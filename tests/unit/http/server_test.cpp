#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <limits>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "http/problem.hpp"
#include "http/server.hpp"

using namespace kh;
using namespace std::chrono_literals;

namespace {

// A raw client socket: what misbehaving clients do cannot be done with a well-behaved HTTP library.
class Client {
public:
    explicit Client(unsigned short port, const char* from = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval t{30, 0};  // only a guard against a hang; every test waits for an event
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, from, &local.sin_addr);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    bool connected() const { return connected_; }
    bool send(const std::string& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size()); }
    // One response: its head and a Content-Length body. Empty when the server closed the connection.
    std::string response() {
        std::string head;
        while (head.find("\r\n\r\n") == std::string::npos) {
            char c;
            if (::recv(fd_, &c, 1, 0) != 1) return {};
            head += c;
        }
        auto at = head.find("Content-Length: ");
        size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
        std::string body(length, '\0');
        size_t got = 0;
        while (got < length) {
            auto n = ::recv(fd_, body.data() + got, length - got, 0);
            if (n <= 0) return {};
            got += size_t(n);
        }
        return head + body;
    }
    bool closedByServer() {
        char c;
        return ::recv(fd_, &c, 1, 0) == 0;
    }
    int status() {
        auto r = response();
        return r.size() > 12 ? std::stoi(r.substr(9, 3)) : 0;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

std::string get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: box\r\n\r\n"; }

http::Route route(const char* method, const char* pattern, std::function<http::Reply(http::Request&)> handle) {
    http::Route r;
    r.method = method;
    r.pattern = pattern;
    r.handle = std::move(handle);
    return r;
}

http::Reply ok(http::Request&) { return http::jsonReply(200, "{\"ok\":true}"); }

struct Running {
    http::Server server;
    Running(http::ServerSettings s, std::vector<http::Route> routes) : server(std::move(s), std::move(routes)) { server.start(); }
    ~Running() { server.stop(); }
    unsigned short port() const { return server.port(); }
};

http::ServerSettings settings() {
    http::ServerSettings s;
    s.listen = "127.0.0.1:0";
    s.workerThreads = 2;
    s.networkThreads = 1;
    return s;
}

}  // namespace

TEST_CASE("a client sending its head a byte at a time is cut off while others are served") {
    auto s = settings();
    s.limits.headerTimeout = 1s;
    Running r(s, {route("GET", "/healthz", ok)});
    Client slow(r.port());
    std::string head = get("/healthz");
    REQUIRE(slow.send(head.substr(0, 1)));
    Client other(r.port());
    REQUIRE(other.send(get("/healthz")));
    CHECK(other.status() == 200);
    // Keep dribbling until the server gives up; it must, long before the head could be whole.
    size_t sent = 1;
    while (sent < head.size() - 4 && slow.send(head.substr(sent, 1))) {
        ++sent;
        std::this_thread::sleep_for(200ms);
        if (sent > 30) break;
    }
    CHECK(slow.closedByServer());
    CHECK(sent < head.size() - 4);
}

TEST_CASE("a thousand idle connections do not delay a new request") {
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;  // both ends of 1,000 connections live in this process
    ::setrlimit(RLIMIT_NOFILE, &files);
    REQUIRE(files.rlim_cur >= 2100);  // both ends of every connection
    auto s = settings();
    s.limits.maxConnectionsPerAddress = 2000;
    Running r(s, {route("GET", "/healthz", ok)});
    std::vector<std::unique_ptr<Client>> idle;
    for (int i = 0; i < 1000; ++i) {
        idle.push_back(std::make_unique<Client>(r.port()));
        REQUIRE(idle.back()->send(get("/healthz")));
        REQUIRE(idle.back()->status() == 200);  // kept alive, now idle
    }
    Client fresh(r.port());
    REQUIRE(fresh.send(get("/healthz")));
    CHECK(fresh.status() == 200);
    // Answered while every idle connection was still open and usable.
    CHECK(r.server.openConnections() >= 1001);
    REQUIRE(idle.front()->send(get("/healthz")));
    CHECK(idle.front()->status() == 200);
}

TEST_CASE("long polls held by 200 clients hold no worker: the rest of the API is answered") {
    base::Signal changed;
    std::atomic<bool> released{false};
    http::Route poll;
    poll.method = "GET";
    poll.pattern = "/wait";
    poll.longPoll = [&](http::Request&) {
        return http::LongPoll{&changed, std::chrono::steady_clock::now() + 120s, [&](bool) -> std::optional<http::Reply> {
                                  if (!released) return std::nullopt;
                                  return http::jsonReply(200, "{\"changed\":true}");
                              }};
    };
    auto s = settings();
    s.workerThreads = 1;
    Running r(s, {poll, route("GET", "/healthz", ok)});
    std::vector<std::unique_ptr<Client>> waiting;
    for (int i = 0; i < 200; ++i) {
        waiting.push_back(std::make_unique<Client>(r.port()));
        REQUIRE(waiting.back()->send(get("/wait")));
    }
    Client other(r.port());
    REQUIRE(other.send(get("/healthz")));
    CHECK(other.status() == 200);
    released = true;
    changed.notify();
    for (auto& c : waiting) CHECK(c->status() == 200);
}

TEST_CASE("ambiguous framing is refused and the connection closed") {
    Running r(settings(), {route("POST", "/x", ok)});
    Client both(r.port());
    REQUIRE(both.send("POST /x HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
    int status = both.status();
    CHECK((status == 400 || status == 0));
    CHECK(both.closedByServer());
    Client twice(r.port());
    REQUIRE(twice.send("POST /x HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"));
    CHECK(twice.status() == 400);
    CHECK(twice.closedByServer());
    Client differing(r.port());
    REQUIRE(differing.send("POST /x HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"));
    CHECK(differing.status() == 400);
    CHECK(differing.closedByServer());
}

TEST_CASE("a large body is not read before the access check lets the caller in, nor past the route's limit") {
    std::atomic<int> handled{0};
    auto guarded = route("POST", "/upload", [&](http::Request&) {
        ++handled;
        return http::jsonReply(200, "{}");
    });
    guarded.bodyLimit = 16u * 1024 * 1024;
    guarded.admit = [](http::Request& req) -> std::optional<http::Reply> {
        if (req.header("authorization") == "Bearer good") return std::nullopt;
        return http::problemReply(model::ErrorId::Unauthorized);
    };
    Running r(settings(), {guarded, route("POST", "/small", ok)});
    // The head announces 15 MB and no byte of it follows: the refusal comes anyway.
    Client stranger(r.port());
    REQUIRE(stranger.send("POST /upload HTTP/1.1\r\nHost: b\r\nContent-Length: 15000000\r\n\r\n"));
    CHECK(stranger.status() == 401);
    CHECK(stranger.closedByServer());
    // Over the route's own limit (64 KiB by default): refused from the head.
    Client big(r.port());
    REQUIRE(big.send("POST /small HTTP/1.1\r\nHost: b\r\nContent-Length: 100000\r\n\r\n"));
    CHECK(big.status() == 413);
    // A client let in sends its body and is answered.
    Client known(r.port());
    std::string body(200000, 'x');
    REQUIRE(known.send("POST /upload HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer good\r\nContent-Length: 200000\r\n\r\n" + body));
    CHECK(known.status() == 200);
    CHECK(handled == 1);
}

TEST_CASE("one address may hold only so many connections; others still get in") {
    auto s = settings();
    s.limits.maxConnectionsPerAddress = 3;
    Running r(s, {route("GET", "/healthz", ok)});
    std::vector<std::unique_ptr<Client>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<Client>(r.port()));
        REQUIRE(held.back()->send(get("/healthz")));
        REQUIRE(held.back()->status() == 200);
    }
    Client fourth(r.port());
    CHECK(fourth.closedByServer());
    Client elsewhere(r.port(), "127.0.0.2");
    REQUIRE(elsewhere.send(get("/healthz")));
    CHECK(elsewhere.status() == 200);
}

TEST_CASE("a request rate per caller answers 429 with Retry-After beyond it") {
    auto s = settings();
    s.rate = {0.01, 2};  // two at once, then one every 100 s
    Running r(s, {route("GET", "/healthz", ok)});
    Client c(r.port());
    for (int i = 0; i < 2; ++i) {
        REQUIRE(c.send(get("/healthz")));
        CHECK(c.status() == 200);
    }
    REQUIRE(c.send(get("/healthz")));
    auto third = c.response();
    CHECK(third.substr(9, 3) == "429");
    CHECK(third.find("Retry-After: ") != std::string::npos);
}

TEST_CASE("a streamed body reaches its handler in parts, and pipelined requests are answered in order") {
    std::atomic<size_t> received{0};
    http::Route upload;
    upload.method = "PUT";
    upload.pattern = "/bundle";
    upload.bodyLimit = std::numeric_limits<size_t>::max();
    upload.receive = [&](http::Request&, std::istream& body) {
        char buf[4096];
        size_t n = 0;
        while (body.read(buf, sizeof buf) || body.gcount() > 0) n += size_t(body.gcount());
        received = n;
        return http::jsonReply(200, "{\"bytes\":" + std::to_string(n) + "}");
    };
    Running r(settings(), {upload, route("GET", "/healthz", ok)});
    Client c(r.port());
    std::string body(5u * 1024 * 1024, 'b');
    REQUIRE(c.send("PUT /bundle HTTP/1.1\r\nHost: b\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
    for (size_t at = 0; at < body.size(); at += 65536) REQUIRE(c.send(body.substr(at, 65536)));
    CHECK(c.status() == 200);
    CHECK(received == body.size());
    REQUIRE(c.send(get("/healthz") + get("/healthz")));
    CHECK(c.status() == 200);
    CHECK(c.status() == 200);
}

// The one HTTP(S) server of the box, under the LAN API, the staff page and the web admin: event-driven
// (Boost.Beast on Asio), so a building's worth of idle keep-alive connections, slow clients and long
// polls costs no thread each. A few network threads read and write; handlers that may block run on a
// bounded worker pool; a long poll holds no thread at all.
//
// Fair to every client: a request head must arrive whole within headerTimeout of its first byte (a
// client sending a byte every few seconds is cut off), a kept-alive connection may idle for idleTimeout,
// each source address may hold maxConnectionsPerAddress connections and the server maxConnections; a
// route's body limit is checked against Content-Length before a byte of the body is read, and bodies
// larger than a few KiB are read only after the route's access check let the caller in. A request with
// both Content-Length and Transfer-Encoding, or with Content-Length twice, is refused and the connection
// closed (RFC 9112 §6.3). HTTPS speaks TLS 1.2+ with AEAD suites only (crypto/tls_policy.hpp).
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/route.hpp"

namespace kh::http {

struct Limits {
    std::chrono::seconds headerTimeout{10};  // the whole request head, from its first byte (and the TLS handshake)
    std::chrono::seconds idleTimeout{65};    // a kept-alive connection between requests
    std::chrono::seconds bodyTimeout{30};    // a body, or (streamed) each part of it
    std::chrono::seconds writeTimeout{30};
    size_t maxHeaderBytes = 16u * 1024;
    size_t preAuthBodyBytes = 16u * 1024;  // bodies up to this are read before the access check
    size_t maxConnections = 20000;
    size_t maxConnectionsPerAddress = 256;
};

// An optional request rate per caller (an API client, else the address): 429 with Retry-After beyond it.
struct RateLimit {
    double perSecond = 0;  // 0: off
    double burst = 0;
};

struct ServerSettings {
    std::string listen = "127.0.0.1:8080";  // address:port ("0.0.0.0:8443", "[::]:8443")
    std::string certFile, keyFile;          // both set: HTTPS
    int workerThreads = 16;
    int networkThreads = 2;
    Limits limits;
    RateLimit rate;
    std::string name = "http";  // in log events: http | admin
    std::vector<std::pair<std::string, std::string>> replyHeaders;  // on every reply, before the reply's own
    std::function<void(const std::string& route, int status)> onReply;  // metrics; "unmatched" for no route
};

class Server {
public:
    // Binds the listener; throws std::runtime_error (the address is taken, the certificate does not load).
    Server(ServerSettings settings, std::vector<Route> routes);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    void start();
    // Stops accepting, closes every connection (long polls end at once), lets running handlers finish.
    void stop();
    unsigned short port() const;
    size_t openConnections() const;
    const std::vector<Route>& routes() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace kh::http

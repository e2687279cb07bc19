// The LAN HTTP server (POCO): reads a bounded body, finds the route, checks the client's bearer token and
// address allow-list, runs the handler, journals the exchange before answering, and counts it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "endpoint/metrics.hpp"
#include "endpoint/routes.hpp"
#include "store/api_clients.hpp"
#include "store/journal.hpp"

#include <Poco/Net/ServerSocket.h>

namespace Poco::Net {
class HTTPServer;
class HTTPServerResponse;
}

namespace kh::endpoint {

struct HttpServerSettings {
    std::string listen = "127.0.0.1:8080";
    std::string certFile, keyFile;  // both set: HTTPS (TLS 1.2 or newer) instead of plain HTTP
    int threads = 64;
    size_t maxBodyBytes = 16u * 1024 * 1024;
};

class HttpServer {
public:
    HttpServer(HttpServerSettings settings, std::vector<Route> routes, store::ApiClients& clients, store::Journal& journal,
               Metrics& metrics);
    ~HttpServer();
    void start();
    void stop();
    unsigned short port() const;

private:
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Plain HTTP, or HTTPS with the given certificate: TLS 1.2 or newer, no client certificate asked.
Poco::Net::ServerSocket listeningSocket(const HttpServerSettings& settings);
// Writes a reply with the headers every answer carries (nosniff, no-store) and its own.
void sendReply(Poco::Net::HTTPServerResponse& res, const HttpReply& reply);
// Reads at most `max` bytes of a request body; false when it is longer.
bool readBody(std::istream& in, size_t max, std::string& out);

// Is `address` inside one of `cidrs` ("192.168.1.0/24", "10.0.0.5")? An empty list allows any address.
bool addressAllowed(const std::string& address, const std::vector<std::string>& cidrs);

}  // namespace kh::endpoint

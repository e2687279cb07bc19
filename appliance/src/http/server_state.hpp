// Inside the server (server.cpp, connection.hpp): what every connection shares — the settings, the
// router, the worker pool, the TLS context, and the count of open connections per source address.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "http/rate_limiter.hpp"
#include "http/server.hpp"
#include "http/worker_pool.hpp"

namespace kh::http {

// What the server can close from outside (on stop).
class OpenConnection {
public:
    virtual ~OpenConnection() = default;
    virtual void shutDown() = 0;  // from any thread
};

struct Server::State : std::enable_shared_from_this<Server::State> {
    State(ServerSettings s, std::vector<Route> routes);

    ServerSettings settings;
    Router router;
    boost::asio::io_context io;
    std::optional<boost::asio::ssl::context> tls;
    boost::asio::ip::tcp::acceptor acceptor;
    WorkerPool pool;
    std::optional<RateLimiter> rates;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};

    // Admission of a new connection from `address`: false when over a limit.
    bool enter(const std::string& address, uint64_t& id);
    void track(uint64_t id, std::weak_ptr<OpenConnection> c);
    void leave(uint64_t id, const std::string& address);
    size_t open() const;
    void closeAll();

private:
    mutable std::mutex mutex_;
    uint64_t nextId_ = 1;
    size_t total_ = 0;
    std::unordered_map<std::string, size_t> perAddress_;
    std::unordered_map<uint64_t, std::weak_ptr<OpenConnection>> open_;
};

}  // namespace kh::http

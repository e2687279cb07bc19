#include "http/server.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

#include "crypto/tls_policy.hpp"
#include "http/connection.hpp"

namespace kh::http {
namespace detail {

std::string decodePercent(const std::string& s, bool plusIsSpace) {
    std::string out;
    out.reserve(s.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plusIsSpace) {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

Request requestFromHead(const bhttp::request_parser<bhttp::empty_body>::value_type& head, const std::string& address) {
    Request r;
    r.method = std::string(head.method_string());
    std::string target(head.target());
    auto question = target.find('?');
    r.path = decodePercent(target.substr(0, question), false);
    if (question != std::string::npos) {
        std::string query = target.substr(question + 1);
        size_t at = 0;
        while (at <= query.size()) {
            size_t end = query.find('&', at);
            if (end == std::string::npos) end = query.size();
            std::string pair = query.substr(at, end - at);
            if (!pair.empty()) {
                auto eq = pair.find('=');
                r.query[decodePercent(pair.substr(0, eq), true)] =
                    eq == std::string::npos ? std::string() : decodePercent(pair.substr(eq + 1), true);
            }
            at = end + 1;
        }
    }
    for (const auto& field : head) {
        std::string name(field.name_string());
        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        auto [it, fresh] = r.headers.emplace(name, std::string(field.value()));
        if (!fresh) it->second += (name == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    r.remoteAddress = address;
    return r;
}

Reply runHandler(const Route& route, Request& request) {
    try {
        return route.handle(request);
    } catch (const model::KakehashiError& e) {
        return problemReply(e.id(), e.what());
    } catch (const std::exception& e) {
        log::error("http.failed", {{"route", route.name}, {"error", e.what()}});
        return problemReply(model::ErrorId::Internal);
    }
}

// The listener's own headers first (every reply: no sniffing, no caching; the admin's security headers);
// the reply's own may replace them, and a cookie may repeat.
bhttp::response<bhttp::string_body> toResponse(const ServerSettings& settings, const Reply& reply, unsigned version,
                                               bool keepAlive) {
    bhttp::response<bhttp::string_body> res{bhttp::int_to_status(unsigned(reply.status)), version};
    res.result(unsigned(reply.status));
    res.set(bhttp::field::content_type, reply.contentType);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "no-store");
    for (const auto& [k, v] : settings.replyHeaders) res.set(k, v);
    for (const auto& [k, v] : reply.headers) {
        if (beast::iequals(k, "Connection")) continue;  // the server decides (keepAlive)
        if (beast::iequals(k, "Set-Cookie")) res.insert(k, v);
        else res.set(k, v);
    }
    res.body() = reply.body;
    res.keep_alive(keepAlive);
    res.prepare_payload();
    return res;
}

}  // namespace detail

namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::endpoint endpointOf(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("listen: address:port expected: " + listen);
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec) throw std::runtime_error("listen: not an address: " + listen);
    return {address, static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)))};
}

asio::ssl::context tlsContext(const ServerSettings& s) {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    // An idle TLS connection gives its read and write buffers back: thousands of them stay cheap.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_cipher_list(native, crypto::kTls12Ciphers) != 1) throw std::runtime_error("TLS: cipher list refused");
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(s.certFile, ec);
    if (!ec) ctx.use_private_key_file(s.keyFile, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS: the certificate or key does not load: " + s.certFile + ", " + s.keyFile);
    if (SSL_CTX_check_private_key(native) != 1) throw std::runtime_error("TLS: the key is not the certificate's: " + s.keyFile);
    return ctx;
}

template <class Stream, class... Args>
void open(const std::shared_ptr<Server::State>& state, uint64_t id, std::string address, Args&&... args) {
    auto c = std::make_shared<detail::Connection<Stream>>(state, id, std::move(address), std::forward<Args>(args)...);
    state->track(id, c);
    c->begin();
}

void accept(const std::shared_ptr<Server::State>& state) {
    state->acceptor.async_accept(asio::make_strand(state->io), [state](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || state->stopping) return;
        if (!ec) {
            boost::system::error_code peerError;
            auto peer = socket.remote_endpoint(peerError);
            std::string address = peerError ? std::string() : peer.address().to_string();
            uint64_t id = 0;
            if (!peerError && state->enter(address, id)) {
                socket.set_option(tcp::no_delay(true), peerError);
                if (state->tls) open<detail::TlsStream>(state, id, std::move(address), boost::beast::tcp_stream(std::move(socket)), *state->tls);
                else open<detail::PlainStream>(state, id, std::move(address), std::move(socket));
            }  // over a limit: the socket closes here, before anything is read
        } else if (ec == asio::error::no_descriptors) {
            log::warn("http.out_of_descriptors", {});
        }
        accept(state);
    });
}
}  // namespace

Server::State::State(ServerSettings s, std::vector<Route> routes)
    : settings(std::move(s)), router(std::move(routes)), io(settings.networkThreads), acceptor(io),
      pool(size_t(std::max(1, settings.workerThreads))) {
    if (!settings.certFile.empty() && !settings.keyFile.empty()) tls.emplace(tlsContext(settings));
    if (settings.rate.perSecond > 0) rates.emplace(settings.rate.perSecond, settings.rate.burst);
}

bool Server::State::enter(const std::string& address, uint64_t& id) {
    std::lock_guard<std::mutex> l(mutex_);
    size_t& mine = perAddress_[address];
    if (total_ >= settings.limits.maxConnections || mine >= settings.limits.maxConnectionsPerAddress) {
        if (mine == 0) perAddress_.erase(address);
        return false;
    }
    ++mine;
    ++total_;
    id = nextId_++;
    return true;
}

void Server::State::track(uint64_t id, std::weak_ptr<OpenConnection> c) {
    std::lock_guard<std::mutex> l(mutex_);
    open_[id] = std::move(c);
}

void Server::State::leave(uint64_t id, const std::string& address) {
    std::lock_guard<std::mutex> l(mutex_);
    open_.erase(id);
    --total_;
    auto it = perAddress_.find(address);
    if (it != perAddress_.end() && --it->second == 0) perAddress_.erase(it);
}

size_t Server::State::open() const {
    std::lock_guard<std::mutex> l(mutex_);
    return total_;
}

void Server::State::closeAll() {
    std::vector<std::shared_ptr<OpenConnection>> all;
    {
        std::lock_guard<std::mutex> l(mutex_);
        for (auto& [id, weak] : open_)
            if (auto c = weak.lock()) all.push_back(std::move(c));
    }
    for (auto& c : all) c->shutDown();
}

Server::Server(ServerSettings settings, std::vector<Route> routes)
    : state_(std::make_shared<State>(std::move(settings), std::move(routes))) {
    auto endpoint = endpointOf(state_->settings.listen);
    auto& a = state_->acceptor;
    a.open(endpoint.protocol());
    a.set_option(asio::socket_base::reuse_address(true));
    boost::system::error_code ec;
    a.bind(endpoint, ec);
    if (ec) throw std::runtime_error(state_->settings.listen + ": " + ec.message());
    a.listen(asio::socket_base::max_listen_connections);
}

Server::~Server() { stop(); }

void Server::start() {
    accept(state_);
    for (int i = 0; i < std::max(1, state_->settings.networkThreads); ++i)
        state_->threads.emplace_back([state = state_] { state->io.run(); });
}

void Server::stop() {
    if (state_->stopping.exchange(true)) return;
    asio::post(state_->io, [state = state_] {
        boost::system::error_code ignored;
        state->acceptor.close(ignored);
    });
    state_->closeAll();
    state_->pool.stop();
    // Closed connections finish their last steps on the network threads, which then run out of work and
    // end. Should one not (a connection accepted in the last instant), the loop is stopped after a while.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (state_->open() > 0 && std::chrono::steady_clock::now() < deadline) {
        state_->closeAll();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    state_->io.stop();
    for (auto& t : state_->threads)
        if (t.joinable()) t.join();
}

unsigned short Server::port() const { return state_->acceptor.local_endpoint().port(); }
size_t Server::openConnections() const { return state_->open(); }
const std::vector<Route>& Server::routes() const { return state_->router.routes(); }

}  // namespace kh::http

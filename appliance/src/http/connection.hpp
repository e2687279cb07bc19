// Inside the server: one client connection, plain or TLS, from its first byte to its close. Every step
// runs on the connection's strand (network threads); access checks and handlers run on the worker pool
// and hand their reply back to the strand. Nothing here blocks a network thread.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "http/body_pipe.hpp"
#include "http/problem.hpp"
#include "http/server_state.hpp"

namespace kh::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr size_t kSecretBodyMax = 256;        // a PIN request
constexpr size_t kStreamPart = 64u * 1024;    // a streamed body is read in parts of this
constexpr size_t kLingerBytes = 1u << 20;     // read away after a refusal, so the client sees the answer
constexpr std::chrono::seconds kLingerTime{2};

std::string decodePercent(const std::string& s, bool plusIsSpace);
Request requestFromHead(const bhttp::request_parser<bhttp::empty_body>::value_type& head, const std::string& address);
Reply runHandler(const Route& route, Request& request);  // exceptions become problems
bhttp::response<bhttp::string_body> toResponse(const ServerSettings& settings, const Reply& reply, unsigned version,
                                               bool keepAlive);

template <class Stream>
class Connection : public OpenConnection, public std::enable_shared_from_this<Connection<Stream>> {
public:
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

    template <class... StreamArgs>
    Connection(std::shared_ptr<Server::State> state, uint64_t id, std::string address, StreamArgs&&... streamArgs)
        : state_(std::move(state)), id_(id), address_(std::move(address)), stream_(std::forward<StreamArgs>(streamArgs)...),
          timer_(stream_.get_executor()) {}

    ~Connection() override {
        if (subscription_) poll_.changes->unsubscribe(subscription_);
        if (pipe_) pipe_->fail();
        state_->leave(id_, address_);
    }

    void begin() {
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            if constexpr (kTls) self->handshake();
            else self->awaitRequest(true);
        });
    }

    void shutDown() override {
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close(); });
    }

private:
    auto& lowest() { return beast::get_lowest_layer(stream_); }
    const Limits& limits() const { return state_->settings.limits; }

    // --- reading a request ---------------------------------------------------------------------------

    void handshake() {
        if constexpr (kTls) {
            lowest().expires_after(limits().headerTimeout);
            stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (ec) return self->close();
                self->awaitRequest(true);
            });
        }
    }

    bool dataWaiting() {
        if (buffer_.size() > 0) return true;
        if constexpr (kTls) return SSL_pending(stream_.native_handle()) > 0;
        return false;
    }

    // Between requests the connection may idle (a new one only briefly); the head's own deadline starts
    // with its first byte, so a client dribbling a byte every few seconds is cut off.
    void awaitRequest(bool first) {
        if (closed_) return;
        if (dataWaiting()) return readHead();
        if constexpr (kTls) {
            // TLS may hold a request already read from the socket (with the handshake's last record), so
            // its first bytes are read through the stream; the head's own deadline starts after them.
            lowest().expires_after(first ? limits().headerTimeout : limits().idleTimeout);
            stream_.async_read_some(buffer_.prepare(1024), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                if (ec) return self->close();
                self->buffer_.commit(n);
                self->readHead();
            });
            return;
        }
        timer_.expires_after(first ? limits().headerTimeout : limits().idleTimeout);
        timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->close();  // idle too long
        });
        lowest().socket().async_wait(asio::ip::tcp::socket::wait_read, [self = this->shared_from_this()](beast::error_code ec) {
            self->timer_.cancel();
            if (ec || self->closed_) return self->close();
            self->readHead();
        });
    }

    void readHead() {
        head_.emplace();
        head_->header_limit(std::uint32_t(limits().maxHeaderBytes));
        head_->body_limit(std::numeric_limits<std::uint64_t>::max());  // each route's own limit is checked against Content-Length below
        lowest().expires_after(limits().headerTimeout);
        bhttp::async_read_header(stream_, buffer_, *head_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            self->onHead(ec);
        });
    }

    void onHead(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
            ec == asio::error::eof || ec == asio::error::connection_reset)
            return close();
        closeAfter_ = false;
        if (ec == bhttp::error::header_limit) return refuseAndClose(431, model::ErrorId::TooLarge, "リクエストヘッダーが大きすぎます");
        if (ec) return refuseAndClose(400, model::ErrorId::MalformedRequest, "");
        const auto& head = head_->get();
        request_ = requestFromHead(head, address_);
        version_ = head.version();
        keepAlive_ = head.keep_alive();
        // RFC 9112 §6.3: a message with both framings, or two lengths, cannot be framed; never guess.
        if (head.count(bhttp::field::content_length) > 1)
            return refuseAndClose(400, model::ErrorId::MalformedRequest, "Content-Length が重複しています");
        if (head.count(bhttp::field::content_length) && head.count(bhttp::field::transfer_encoding))
            return refuseAndClose(400, model::ErrorId::MalformedRequest, "Content-Length と Transfer-Encoding が両方あります");
        bodyPending_ = head_->chunked() || (head_->content_length() && *head_->content_length() > 0);
        Router::Miss miss;
        route_ = state_->router.find(request_, miss);
        if (!route_) {
            if (bodyPending_) closeAfter_ = true;
            return reply(problemReply(miss == Router::Miss::MethodNotAllowed ? model::ErrorId::MethodNotAllowed
                                                                             : model::ErrorId::NotFound),
                         "unmatched");
        }
        auto length = head_->content_length();
        if (length && *length > route_->bodyLimit) {
            closeAfter_ = true;
            return reply(problemReply(model::ErrorId::TooLarge, "上限 " + std::to_string(route_->bodyLimit) + " バイト"));
        }
        if (route_->secretBody) return readSecretBody();
        if (route_->receive) return onWorker(&Connection::admitThenStream);
        if (!bodyPending_) return answer();
        if (length && *length <= limits().preAuthBodyBytes) return readBody(false);
        onWorker(&Connection::admitThenRead);
    }

    // A small body (or one the caller was let in for): the whole of it, within the route's limit.
    void readBody(bool admitted) {
        continueIfExpected();
        body_.emplace(std::move(*head_));
        body_->body_limit(route_->bodyLimit);
        lowest().expires_after(limits().bodyTimeout);
        bhttp::async_read(stream_, buffer_, *body_, [self = this->shared_from_this(), admitted](beast::error_code ec, size_t) {
            if (ec == bhttp::error::body_limit) {
                self->closeAfter_ = true;
                return self->reply(problemReply(model::ErrorId::TooLarge, "上限 " + std::to_string(self->route_->bodyLimit) + " バイト"));
            }
            if (ec) return self->close();
            self->request_.body = std::move(self->body_->get().body());
            self->body_.reset();
            self->bodyRead_ = true;
            if (admitted) self->onWorker(&Connection::handleAdmitted);
            else self->answer();
        });
    }

    // A PIN: its exact length, into one buffer; the network buffer that held it is wiped.
    void readSecretBody() {
        auto length = head_->content_length();
        if (head_->chunked() || !length) {
            closeAfter_ = bodyPending_;
            return reply(problemReply(model::ErrorId::LengthRequired));
        }
        if (*length > kSecretBodyMax) {
            closeAfter_ = true;
            return reply(problemReply(model::ErrorId::TooLarge, "上限 " + std::to_string(kSecretBodyMax) + " バイト"));
        }
        size_t want = size_t(*length);
        lowest().expires_after(limits().bodyTimeout);
        fillBuffer(want, [self = this->shared_from_this(), want] {
            auto bytes = self->buffer_.data();
            self->request_.body.reserve(kSecretBodyMax);
            self->request_.body.assign(static_cast<const char*>(bytes.data()), want);
            crypto::secureZero(bytes.data(), want);
            self->buffer_.consume(want);
            self->bodyRead_ = true;
            self->answer();
        });
    }

    // Reads until the buffer holds `want` bytes, then `then()`; closes on any error or timeout.
    void fillBuffer(size_t want, std::function<void()> then) {
        if (buffer_.size() >= want) return then();
        stream_.async_read_some(buffer_.prepare(std::max<size_t>(want - buffer_.size(), 512)),
                                [self = this->shared_from_this(), want, then = std::move(then)](beast::error_code ec, size_t n) mutable {
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->fillBuffer(want, std::move(then));
                                });
    }

    void continueIfExpected() {
        if (!beast::iequals(request_.header("expect"), "100-continue")) return;
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::error_code ignored;
        lowest().expires_after(limits().writeTimeout);
        asio::write(stream_, asio::buffer(kContinue, sizeof kContinue - 1), ignored);  // a few bytes into the socket buffer
    }

    // --- access check and handler on a worker -------------------------------------------------------

    using Step = void (Connection::*)();
    void onWorker(Step step) {
        state_->pool.post([self = this->shared_from_this(), step] { ((*self).*step)(); });
    }

    // On a worker: the route's access check, then the optional rate limit. A refusal is the reply.
    std::optional<Reply> admit() {
        try {
            if (route_->admit)
                if (auto refused = route_->admit(request_)) return refused;
        } catch (const model::KakehashiError& e) {
            return problemReply(e.id(), e.what());
        } catch (const std::exception& e) {
            log::error("http.admit_failed", {{"listener", state_->settings.name}, {"route", route_->name}, {"error", e.what()}});
            return problemReply(model::ErrorId::Internal);
        }
        if (state_->rates) {
            if (int wait = state_->rates->admit(request_.caller.empty() ? request_.remoteAddress : request_.caller)) {
                auto r = problemReply(model::ErrorId::TooManyRequests);
                r.headers.push_back({"Retry-After", std::to_string(wait)});
                return r;
            }
        }
        return std::nullopt;
    }

    void answer() {
        if (route_->inline_ && !route_->admit && !state_->rates) return reply(runHandler(*route_, request_));
        onWorker(&Connection::admitAndHandle);
    }

    void admitAndHandle() {
        if (auto refused = admit()) return replyFromWorker(std::move(*refused));
        handleAdmitted();
    }

    void handleAdmitted() {
        if (route_->longPoll) return startLongPoll();
        Reply r = runHandler(*route_, request_);
        if (route_->secretBody) crypto::secureZero(request_.body);
        replyFromWorker(std::move(r));
    }

    void admitThenRead() {
        if (auto refused = admit()) {
            closeAfter_ = true;
            return replyFromWorker(std::move(*refused));
        }
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->readBody(true); });
    }

    void replyFromWorker(Reply r) {
        asio::post(stream_.get_executor(), [self = this->shared_from_this(), r = std::move(r)]() mutable { self->reply(std::move(r)); });
    }

    // --- a streamed body ---------------------------------------------------------------------------------

    void admitThenStream() {
        if (auto refused = admit()) {
            closeAfter_ = bodyPending_;
            return replyFromWorker(std::move(*refused));
        }
        std::weak_ptr<Connection> weak = this->shared_from_this();
        pipe_ = std::make_shared<BodyPipe>([weak] {
            if (auto self = weak.lock()) asio::post(self->stream_.get_executor(), [self] { self->readPart(); });
        });
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->startStream(); });
        Reply r = runReceiver(*route_, request_, *pipe_);
        asio::post(stream_.get_executor(), [self = this->shared_from_this(), r = std::move(r)]() mutable {
            if (self->pipe_ && self->pipe_->complete()) self->bodyRead_ = true;
            else self->closeAfter_ = true;  // body left unread
            self->pipe_.reset();
            self->reply(std::move(r));
        });
    }

    Reply runReceiver(const Route& route, Request& request, BodyPipe& pipe) {
        try {
            return route.receive(request, pipe.stream());
        } catch (const model::KakehashiError& e) {
            return problemReply(e.id(), e.what());
        } catch (const std::exception& e) {
            log::error("http.receive_failed", {{"listener", state_->settings.name}, {"route", route.name}, {"error", e.what()}});
            return problemReply(model::ErrorId::Internal);
        }
    }

    void startStream() {
        if (!pipe_) return;
        if (!bodyPending_) return pipe_->finish();
        continueIfExpected();
        stream_body_.emplace(std::move(*head_));
        stream_body_->body_limit(route_->bodyLimit);
        readPart();
    }

    void readPart() {
        if (!pipe_ || !stream_body_ || closed_ || readingPart_) return;
        if (stream_body_->is_done()) return pipe_->finish();
        readingPart_ = true;
        part_.resize(kStreamPart);
        stream_body_->get().body().data = part_.data();
        stream_body_->get().body().size = part_.size();
        lowest().expires_after(limits().bodyTimeout);
        bhttp::async_read(stream_, buffer_, *stream_body_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            self->readingPart_ = false;
            if (!self->pipe_) return;
            if (ec == bhttp::error::need_buffer) ec = {};
            if (ec) return self->pipe_->fail();
            size_t got = self->part_.size() - self->stream_body_->get().body().size;
            bool room = self->pipe_->push(self->part_.substr(0, got));
            if (self->stream_body_->is_done()) return self->pipe_->finish();
            if (room) self->readPart();
        });
    }

    // --- long polls ------------------------------------------------------------------------------------

    // On a worker: answer now if the state allows, else wait for its signal or the deadline, holding no thread.
    void startLongPoll() {
        LongPoll poll;
        std::optional<Reply> now;
        try {
            poll = route_->longPoll(request_);
            now = poll.ready(false);
        } catch (const model::KakehashiError& e) {
            now = problemReply(e.id(), e.what());
        } catch (const std::exception& e) {
            log::error("http.poll_failed", {{"listener", state_->settings.name}, {"route", route_->name}, {"error", e.what()}});
            now = problemReply(model::ErrorId::Internal);
        }
        if (now || !poll.changes) return replyFromWorker(now ? std::move(*now) : problemReply(model::ErrorId::Internal));
        asio::post(stream_.get_executor(), [self = this->shared_from_this(), poll = std::move(poll)]() mutable {
            self->wait(std::move(poll));
        });
    }

    void wait(LongPoll poll) {
        if (closed_) return;
        poll_ = std::move(poll);
        waiting_ = true;
        std::weak_ptr<Connection> weak = this->shared_from_this();
        subscription_ = poll_.changes->subscribe([weak] {
            if (auto self = weak.lock()) asio::post(self->stream_.get_executor(), [self] { self->recheck(false); });
        });
        timer_.expires_at(poll_.deadline);
        timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->recheck(true);
        });
        recheck(false);  // a change between the first look and the subscription is not missed
    }

    void recheck(bool final) {
        if (!waiting_) return;
        if (checking_) {
            recheckAgain_ = true;
            finalDue_ = finalDue_ || final;
            return;
        }
        checking_ = true;
        state_->pool.post([self = this->shared_from_this(), final] {
            std::optional<Reply> r;
            try {
                r = self->poll_.ready(final);
            } catch (const std::exception& e) {
                r = problemReply(model::ErrorId::Internal);
            }
            if (final && !r) r = problemReply(model::ErrorId::Internal);
            asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->checked(std::move(r)); });
        });
    }

    void checked(std::optional<Reply> r) {
        checking_ = false;
        if (!waiting_) return;
        if (r) {
            stopWaiting();
            return reply(std::move(*r));
        }
        if (recheckAgain_) {
            recheckAgain_ = false;
            bool final = finalDue_;
            finalDue_ = false;
            recheck(final);
        }
    }

    void stopWaiting() {
        waiting_ = false;
        timer_.cancel();
        if (subscription_) poll_.changes->unsubscribe(subscription_);
        subscription_ = 0;
    }

    // --- writing the reply and what follows --------------------------------------------------------------

    void refuseAndClose(int status, model::ErrorId id, const std::string& detail) {
        closeAfter_ = true;
        keepAlive_ = false;
        version_ = 11;
        Reply r = problemReply(id, detail);
        r.status = status;
        reply(std::move(r), "unmatched");
    }

    void reply(Reply r, const std::string& routeName = "") {
        if (closed_) return;
        if (state_->settings.onReply) state_->settings.onReply(!routeName.empty() ? routeName : route_ ? route_->name : "unmatched", r.status);
        for (const auto& [k, v] : r.headers)
            if (beast::iequals(k, "Connection") && beast::iequals(v, "close")) closeAfter_ = true;
        bool keep = keepAlive_ && !closeAfter_ && !state_->stopping;
        response_.emplace(toResponse(state_->settings, r, version_, keep));
        lowest().expires_after(limits().writeTimeout);
        bhttp::async_write(stream_, *response_, [self = this->shared_from_this(), keep](beast::error_code ec, size_t) {
            self->response_.reset();
            if (ec) return self->close();
            if (!keep) return self->bodyPending_ && !self->bodyRead_ ? self->linger() : self->close();
            self->finishRequest();
            self->awaitRequest(false);
        });
    }

    void finishRequest() {
        request_ = Request{};
        route_ = nullptr;
        head_.reset();
        bodyPending_ = bodyRead_ = false;
        // An idle connection keeps no buffer beyond a small one: thousands of them stay cheap.
        if (buffer_.capacity() > 4096 && buffer_.size() == 0) buffer_.shrink_to_fit();
    }

    // After refusing a request whose body was not read: read some of it away so that the client, still
    // sending, receives the answer instead of a reset; then close.
    void linger() {
        lingered_ = 0;
        lingerUntil_ = std::chrono::steady_clock::now() + kLingerTime;
        lingerRead();
    }

    void lingerRead() {
        if (lingered_ >= kLingerBytes || std::chrono::steady_clock::now() >= lingerUntil_) return close();
        part_.resize(kStreamPart);
        lowest().expires_at(lingerUntil_);
        stream_.async_read_some(asio::buffer(part_), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
            if (ec) return self->close();
            self->lingered_ += n;
            self->lingerRead();
        });
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        if (waiting_) stopWaiting();
        if (pipe_) pipe_->fail();
        timer_.cancel();
        beast::error_code ignored;
        lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    std::shared_ptr<Server::State> state_;
    uint64_t id_;
    std::string address_;
    Stream stream_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::empty_body>> head_;
    std::optional<bhttp::request_parser<bhttp::string_body>> body_;
    std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_body_;
    std::optional<bhttp::response<bhttp::string_body>> response_;
    std::shared_ptr<BodyPipe> pipe_;
    std::string part_;
    Request request_;
    const Route* route_ = nullptr;
    unsigned version_ = 11;
    bool keepAlive_ = true, closeAfter_ = false, bodyPending_ = false, bodyRead_ = false, closed_ = false, readingPart_ = false;
    LongPoll poll_;
    base::Signal::Subscription subscription_ = 0;
    bool waiting_ = false, checking_ = false, recheckAgain_ = false, finalDue_ = false;
    size_t lingered_ = 0;
    std::chrono::steady_clock::time_point lingerUntil_;
};

}  // namespace kh::http::detail

#include <catch2/catch.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "endpoint/api_listener.hpp"
#include "store/journal.hpp"
#include "../temp_dir.hpp"

using namespace kh;

namespace {

struct Posted {
    int status = 0;
    std::string body;
};

Posted post(unsigned short port, const std::string& path, const std::string& token, const std::string& body) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    req.setContentType("application/json");
    req.setContentLength(std::streamsize(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    Posted out;
    Poco::StreamCopier::copyToString(session.receiveResponse(res), out.body);
    out.status = int(res.getStatus());
    return out;
}

// Every journalled exchange, opened with the data key.
std::vector<std::string> journalled(store::Store& s) {
    std::vector<std::string> out;
    auto conn = s.db().lock();
    auto st = conn.prepare("SELECT correlation, payload_sealed FROM journal ORDER BY id");
    while (st.step()) out.push_back(s.key().open(st.blob(1), "journal:" + st.text(0)));
    return out;
}

}  // namespace

TEST_CASE("a body that carries a PIN reaches its handler but is never journalled", "[endpoint]") {
    auto dir = test::tempDir("secret-body");
    store::Store s(dir + "/kakehashi.db", dir + "/keys");
    store::Journal journal(s);
    store::ApiClients clients(s);
    endpoint::Metrics metrics;
    std::string token = clients.issue("tablet", {});
    std::string seen;
    std::vector<endpoint::Route> routes = {
        {"POST", "/pin", "a PIN", endpoint::Access::ApiClient,
         [&seen](endpoint::HttpCall& call) {
             seen = call.body;
             return endpoint::HttpReply{200, "application/json", "{\"ok\":true}", {}};
         },
         /*secretBody=*/true},
        {"POST", "/other", "anything else", endpoint::Access::ApiClient,
         [](endpoint::HttpCall&) { return endpoint::HttpReply{200, "application/json", "{}", {}}; }},
    };
    http::ServerSettings settings;
    settings.listen = "127.0.0.1:0";
    settings.workerThreads = 2;
    auto server = endpoint::apiListener(settings, routes, clients, journal, metrics, "");
    server->start();

    CHECK(post(server->port(), "/pin", token, R"({"pin":"7391"})").status == 200);
    CHECK(seen == R"({"pin":"7391"})");
    CHECK(post(server->port(), "/other", token, R"({"note":"journalled"})").status == 200);
    CHECK(post(server->port(), "/pin", token, std::string(300, '7')).status == 413);  // small limit for PINs
    CHECK(post(server->port(), "/other", "kkh_wrong", "{}").status == 401);
    server->stop();

    auto rows = journalled(s);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].find("7391") == std::string::npos);
    CHECK(rows[0].find("not journalled") != std::string::npos);
    CHECK(rows[1].find("journalled") != std::string::npos);
}

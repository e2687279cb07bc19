#include "http_io.hpp"

#include <istream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

namespace ksim {

BodyRead readBody(Poco::Net::HTTPServerRequest& request, std::string& body, std::size_t cap) {
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(cap))
        return BodyRead::TooLarge;
    try {
        std::istream& in = request.stream();
        char chunk[65536];
        while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
            body.append(chunk, static_cast<std::size_t>(in.gcount()));
            if (body.size() > cap) return BodyRead::TooLarge;
        }
    } catch (const Poco::Exception&) {
        return BodyRead::Failed;
    }
    // A client that went away mid-body (killed, or its link cut) leaves the stream at end of file, not in
    // error. A real server never acts on such a fragment; acting on it would store the fragment's refusal
    // (400) as the answer to its X-Request-Id and replay that refusal to the client's complete resend.
    if (request.hasContentLength() && static_cast<Poco::Int64>(body.size()) != request.getContentLength64())
        return BodyRead::Failed;
    return BodyRead::Ok;
}

std::string requestPath(const Poco::Net::HTTPServerRequest& request) {
    try {
        return Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
        return request.getURI();
    }
}

std::vector<std::pair<std::string, std::string>> queryParameters(const Poco::Net::HTTPServerRequest& request) {
    try {
        auto parameters = Poco::URI(request.getURI()).getQueryParameters();
        return {parameters.begin(), parameters.end()};
    } catch (const Poco::Exception&) {
        return {};
    }
}

std::string queryParameter(const Poco::Net::HTTPServerRequest& request, const std::string& name,
                           const std::string& fallback) {
    try {
        for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters())
            if (key == name) return value;
    } catch (const Poco::Exception&) {
    }
    return fallback;
}

void sendAnswer(Poco::Net::HTTPServerResponse& response, const StoredAnswer& answer,
                const std::string& contentType) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    std::string type = contentType;
    for (const auto& [name, value] : answer.headers) {
        if (name == "Content-Type") type = value;
        else response.set(name, value);
    }
    response.setContentType(type);
    response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    response.send().write(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
}

void dropConnection(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    response.setKeepAlive(false);
    try {
        auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        impl.socket().shutdown();
    } catch (const std::exception&) {  // already closed
    }
}

}  // namespace ksim

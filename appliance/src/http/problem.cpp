#include "http/problem.hpp"

#include "base/json_writer.hpp"

namespace kh::http {

std::string encodeProblem(model::ErrorId id, const std::string& detail, const std::vector<model::FieldError>& fieldErrors) {
    const auto& info = model::errorInfo(id);
    base::JsonWriter w;
    w.beginObject()
        .field("type", std::string("urn:kakehashi:problem:") + info.name)
        .field("title", info.title)
        .field("status", int64_t(info.httpStatus))
        .field("code", info.code)
        .fieldIfSet("detail", detail);
    if (!fieldErrors.empty()) {
        w.beginArray("errors");
        for (const auto& fe : fieldErrors) w.beginObject().field("field", fe.field).field("message", fe.message).endObject();
        w.endArray();
    }
    w.endObject();
    return w.take();
}

Reply problemReply(model::ErrorId id, const std::string& detail, const std::vector<model::FieldError>& fields) {
    return Reply{model::errorInfo(id).httpStatus, "application/problem+json", encodeProblem(id, detail, fields), {}};
}

}  // namespace kh::http

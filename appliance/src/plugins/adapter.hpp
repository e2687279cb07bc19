// The adapter contract: what turns a channel's message (a vendor file, an HTTP body) into canonical
// inquiries and their answers back into the channel's format. The native spec-XML adapter and every Lua
// plugin implement this one interface, so a channel does not care which it is bound to.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "model/errors.hpp"

namespace kh::plugins {

// A message as a channel sees it.
struct ChannelMessage {
    std::string name;         // file name, or the HTTP route's sub-path
    std::string body;         // raw bytes
    std::string contentType;  // "" for files
};

// One entry the adapter found: an inquiry, or a problem with that entry (which is answered with an error
// result and never sent upstream).
struct DecodedEntry {
    std::optional<model::EligibilityInquiry> inquiry;
    std::vector<model::FieldError> errors;  // non-empty when the entry is invalid
    std::string arbitraryIdentifier;        // echoed in the answer either way
};

struct DecodedRequest {
    std::vector<DecodedEntry> entries;
    std::string correlation;  // the adapter's own id for the message (e.g. a vendor batch id)
};

// One answer per entry, in order: the same JSON object the HTTP API answers with (see json_answer),
// so plugins and HTTP clients see one shape.
struct AnswerSet {
    ChannelMessage request;                 // the message being answered
    std::string correlation;
    std::vector<std::string> answersJson;   // one JSON object per entry (what Lua plugins see)
    std::vector<model::EligibilityResult> results;  // the same answers as canonical results (native adapters)
};

// A plugin failure: the message goes to the dead letters with this error; the process is never harmed.
class AdapterError : public std::runtime_error {
public:
    AdapterError(model::ErrorId id, std::string detail) : std::runtime_error(std::move(detail)), id_(id) {}
    model::ErrorId id() const { return id_; }

private:
    model::ErrorId id_;
};

class Adapter {
public:
    virtual ~Adapter() = default;
    virtual std::string id() const = 0;
    // Throws AdapterError.
    virtual DecodedRequest decodeRequest(const ChannelMessage& message) = 0;
    // Zero or more output messages (files to write, or one HTTP/webhook body). Throws AdapterError.
    virtual std::vector<ChannelMessage> encodeResult(const AnswerSet& answers) = 0;
    // Optional notifications (batch-ready, consent-registered, …). Default: ignored.
    virtual void onEvent(const std::string& /*eventJson*/) {}
};

}  // namespace kh::plugins

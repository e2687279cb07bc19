#include "upstream/outbox.hpp"

#include <functional>

#include "model/errors.hpp"
#include "spec/messages.hpp"
#include "spec/reference_number_messages.hpp"
#include "spec/stored_result.hpp"

namespace kh::upstream {
namespace {
constexpr const char* kInquiry = "inquiry";
constexpr const char* kBatchUpload = "batch-upload";
constexpr const char* kReferenceNumbers = "reference-numbers";

std::string xml(const spec::XmlElement& doc) { return spec::writeXml(doc, spec::Encoding::Utf8); }

// <Refused><Code/><Message/></Refused>: a refusal kept with the queued call, for whoever waits for it.
std::string storedRefusal(const Failure& f) {
    spec::XmlElement root{"Refused", {}, {}};
    root.add("Code", f.code);
    root.add("Message", f.message);
    return xml(root);
}

Failure refusalFrom(const store::OutboundItem& item) {
    Failure f{Failure::Kind::Refused, "", item.error, item.httpStatus, 0, ""};
    try {
        auto doc = spec::parseXml(item.response);
        if (doc.root.name == "Refused") {
            f.code = doc.root.childText("Code");
            f.message = doc.root.childText("Message");
        } else if (doc.root.name == "XmlMsg") {  // kept by an earlier release: the refusing document itself
            if (const auto* h = doc.root.child("MessageHeader")) {
                f.code = h->childText("ErrorCode");
                f.message = h->childText("ErrorMessage");
            }
        }
    } catch (const std::exception&) {
    }
    if (f.message.empty()) f.message = item.error;
    return f;
}

template <typename T>
Outbox::Attempt attemptOf(const Outcome<T>& out, const std::function<std::string(const T&)>& store) {
    Outbox::Attempt a;
    if (out.ok()) {
        a.kind = Outbox::Attempt::Kind::Answered;
        a.response = store(*out.answer);
        a.status = 200;
        return a;
    }
    const Failure& f = out.failure;
    a.error = f.message.empty() ? f.code : (f.code.empty() ? f.message : f.code + " " + f.message);
    a.status = f.status;
    a.retryAfterSeconds = f.retryAfterSeconds;
    if (f.kind == Failure::Kind::Unreachable) {
        a.kind = Outbox::Attempt::Kind::Retry;
        return a;
    }
    a.kind = Outbox::Attempt::Kind::Refused;
    a.response = storedRefusal(f);
    a.error = "refused by the central system" + (f.code.empty() ? std::string() : " (" + f.code + ")");
    return a;
}

std::vector<model::ReferenceNumberRegistration> registrationsIn(const std::string& call) {
    auto doc = spec::parseXml(call);
    if (doc.root.child("MessageBody") && doc.root.child("MessageBody")->childrenNamed("ReferenceNumberRegistrationInfo").size() == 1 &&
        !doc.root.child("MessageBody")->child("BulkRegistrationUnit"))
        return {spec::decodeReferenceNumberRequest(doc.root).registration};
    return spec::decodeReferenceNumberBatchRequest(doc.root).registrations;
}
}  // namespace

int64_t Outbox::queueInquiry(const model::EligibilityInquiry& q, const std::string& fileIdentifier, const std::string& owner) {
    if (owner != "eligibility")
        if (auto queued = queue_.findByOwner(owner)) return *queued;
    spec::SingleInquiryRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifier}, q};
    return queue_.enqueue(kInquiry, owner, xml(spec::encode(req)));
}

std::string Outbox::batchUploadCall(const std::vector<model::EligibilityInquiry>& entries, const std::string& fileIdentifier) const {
    return xml(spec::encode(spec::BatchUploadRequest{{model::JapanDate::today().str(), institutionCode_, fileIdentifier}, entries}));
}

std::string Outbox::referenceNumbersCall(const std::vector<model::ReferenceNumberRegistration>& entries,
                                         const std::string& fileIdentifier) const {
    spec::RequestHeader header{"", institutionCode_, fileIdentifier};
    if (entries.size() == 1) return xml(spec::encode(spec::ReferenceNumberRequest{header, entries.front()}));
    return xml(spec::encode(spec::ReferenceNumberBatchRequest{header, entries}));
}

bool Outbox::known(int64_t ticket) { return queue_.get(ticket).has_value(); }

std::string Outbox::requestId(int64_t ticket) {
    auto item = queue_.get(ticket);
    return item ? item->requestId : std::string();
}

std::optional<Outcome<model::EligibilityResult>> Outbox::inquiry(int64_t ticket) {
    auto item = queue_.get(ticket);
    if (!item) return Outcome<model::EligibilityResult>::refused("", "受付の記録がありません");
    if (item->state == "pending") return std::nullopt;
    if (item->state != "done") return Outcome<model::EligibilityResult>::failed(refusalFrom(*item));
    try {
        auto doc = spec::parseXml(item->response);
        if (doc.root.name == "XmlMsg") {  // kept by an earlier release: the answering document itself
            auto answer = spec::decodeSingleInquiryResponse(doc.root);
            if (!answer.result) return Outcome<model::EligibilityResult>::refused(answer.header.errorCode, answer.header.errorMessage);
            return Outcome<model::EligibilityResult>::of(std::move(*answer.result));
        }
        return Outcome<model::EligibilityResult>::of(spec::parseResult(item->response));
    } catch (const std::exception&) {
        return Outcome<model::EligibilityResult>::refused("", "the kept answer is unreadable");
    }
}

std::optional<Outcome<BatchReceipt>> Outbox::batchUpload(int64_t ticket) {
    auto item = queue_.get(ticket);
    if (!item) return Outcome<BatchReceipt>::refused("", "受付の記録がありません");
    if (item->state == "pending") return std::nullopt;
    if (item->state != "done") return Outcome<BatchReceipt>::failed(refusalFrom(*item));
    try {
        auto doc = spec::parseXml(item->response);
        if (doc.root.name == "XmlMsg") {
            auto accepted = spec::decodeBatchAcceptedResponse(doc.root);
            return Outcome<BatchReceipt>::of({accepted.receptionNumber, accepted.receptionDateTime});
        }
        return Outcome<BatchReceipt>::of({doc.root.childText("ReceptionNumber"), doc.root.childText("ReceptionDateTime")});
    } catch (const std::exception&) {
        return Outcome<BatchReceipt>::refused("", "the kept answer is unreadable");
    }
}

std::optional<Outcome<std::vector<model::ReferenceNumberResult>>> Outbox::referenceNumbers(int64_t ticket) {
    using Results = std::vector<model::ReferenceNumberResult>;
    auto item = queue_.get(ticket);
    if (!item) return Outcome<Results>::refused("", "受付の記録がありません");
    if (item->state == "pending") return std::nullopt;
    if (item->state != "done") return Outcome<Results>::failed(refusalFrom(*item));
    try {
        return Outcome<Results>::of(spec::decodeReferenceNumberResponse(spec::parseXml(item->response).root).results);
    } catch (const std::exception&) {
        return Outcome<Results>::refused("", "the kept answer is unreadable");
    }
}

std::optional<std::vector<model::ReferenceNumberRegistration>> Outbox::referenceNumberEntries(int64_t ticket) {
    auto item = queue_.get(ticket);
    if (!item || item->kind != kReferenceNumbers) return std::nullopt;
    try {
        return registrationsIn(item->body);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

Outbox::Attempt Outbox::deliver(const store::OutboundItem& item, CentralClient& client, SendTurn* turn) const {
    Attempt unknown;
    unknown.kind = Attempt::Kind::Refused;
    unknown.error = "unknown message kind " + item.kind;  // written by a newer version, or damaged
    try {
        auto doc = spec::parseXml(item.body);
        if (item.kind == kInquiry) {
            auto req = spec::decodeSingleInquiryRequest(doc.root);
            return attemptOf<model::EligibilityResult>(client.inquire(item.requestId, req.inquiry, req.header.arbitraryFileIdentifier, turn),
                                                       [](const model::EligibilityResult& r) { return spec::serialiseResult(r); });
        }
        if (item.kind == kBatchUpload) {
            auto req = spec::decodeBatchUploadRequest(doc.root);
            return attemptOf<BatchReceipt>(client.uploadBatch(item.requestId, req.inquiries, req.header.arbitraryFileIdentifier, turn),
                                           [](const BatchReceipt& r) {
                                               spec::XmlElement root{"Receipt", {}, {}};
                                               root.add("ReceptionNumber", r.receptionNumber);
                                               root.add("ReceptionDateTime", r.receivedAt);
                                               return xml(root);
                                           });
        }
        if (item.kind == kReferenceNumbers) {
            auto header = spec::decodeAnyRequestHeader(doc.root);
            using Results = std::vector<model::ReferenceNumberResult>;
            return attemptOf<Results>(client.registerReferenceNumbers(item.requestId, registrationsIn(item.body), header.arbitraryFileIdentifier,
                                                                turn),
                                      [](const Results& results) {
                                          spec::ReferenceNumberResponse res;
                                          res.results = results;
                                          return xml(spec::encode(res));
                                      });
        }
    } catch (const model::KakehashiError& e) {
        unknown.error = std::string("the queued call is unreadable: ") + e.info().name;
    }
    return unknown;
}

}  // namespace kh::upstream

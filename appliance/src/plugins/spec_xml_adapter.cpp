#include "plugins/spec_xml_adapter.hpp"

#include "model/japan_date.hpp"
#include "spec/messages.hpp"

namespace kh::plugins {
namespace {
constexpr size_t kMaxEntries = 10000;

spec::ParsedXml parse(const std::string& body) {
    try {
        return spec::parseXml(body);
    } catch (const model::KakehashiError& e) {
        throw AdapterError(e.id(), e.what());
    }
}
}  // namespace

Manifest SpecXmlAdapter::manifest() {
    Manifest m;
    m.id = "spec-xml";
    m.name = "外部インターフェイスXML（標準）";
    m.description = "資格確認端末と同じ標準の XML を HTTP で受け付けます（本機に組み込み）。";
    m.version = "1.0.0";
    m.kind = "adapter";
    m.channels.push_back({"http", "", "", "inquiries", "response"});
    return m;
}

DecodedRequest SpecXmlAdapter::decodeRequest(const ChannelMessage& message) {
    auto doc = parse(message.body);
    const auto* body = doc.root.child("MessageBody");
    if (doc.root.name != "XmlMsg" || !body) throw AdapterError(model::ErrorId::UnknownMessage, "XmlMsg/MessageBody expected");
    DecodedRequest out;
    if (const auto* header = doc.root.child("MessageHeader")) out.correlation = header->childText("ArbitraryFileIdentifier");
    auto infos = body->childrenNamed("QualificationConfirmSearchInfo");
    if (infos.empty()) throw AdapterError(model::ErrorId::EmptyRequest, "no QualificationConfirmSearchInfo");
    if (infos.size() > kMaxEntries) throw AdapterError(model::ErrorId::TooManyEntries, "at most 10000 entries");
    for (const auto* info : infos) {
        DecodedEntry e;
        auto q = spec::decodeSearchInfo(*info);
        e.arbitraryIdentifier = q.arbitraryIdentifier;
        e.errors = model::validate(q);
        if (e.errors.empty()) e.inquiry = q;
        out.entries.push_back(std::move(e));
    }
    return out;
}

std::vector<ChannelMessage> SpecXmlAdapter::encodeResult(const AnswerSet& answers) {
    auto request = parse(answers.request.body);
    spec::ResultHeader header;
    header.processExecutionTime = model::japanTimestamp();
    header.confirmationDate = model::JapanDate::today().str();
    if (const auto* h = request.root.child("MessageHeader")) {
        header.institutionCode = h->childText("MedicalInstitutionCode");
        header.arbitraryFileIdentifier = h->childText("ArbitraryFileIdentifier");
    }
    header.characterCodeIdentifier = request.encoding == spec::Encoding::ShiftJis ? "1" : "0";
    std::string contentType = request.encoding == spec::Encoding::ShiftJis ? "application/xml; charset=Shift_JIS"
                                                                            : "application/xml; charset=UTF-8";
    if (answers.results.size() == 1) {
        spec::SingleInquiryResponse res{header, answers.results[0]};
        return {{"OQSsiquc01res.xml", spec::writeXml(spec::encode(res), request.encoding), contentType}};
    }
    spec::BatchResultResponse res;
    res.header = header;
    res.units = answers.results;
    return {{"OQSmuquc02res.xml", spec::writeXml(spec::encode(res), request.encoding), contentType}};
}

}  // namespace kh::plugins

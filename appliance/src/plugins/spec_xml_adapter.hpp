// The native adapter for the official external-interface XML (C++, the fast path), behind the same
// Adapter interface as Lua plugins: a body holding one or more QualificationConfirmSearchInfo entries is
// answered with an OQSsiquc01res document (one entry) or an OQSmuquc02res-shaped one (several), in the
// request's encoding.
#pragma once
#include "plugins/adapter.hpp"
#include "plugins/manifest.hpp"

namespace kh::plugins {

class SpecXmlAdapter : public Adapter {
public:
    static Manifest manifest();  // id "spec-xml", HTTP route "inquiries"
    std::string id() const override { return "spec-xml"; }
    DecodedRequest decodeRequest(const ChannelMessage& message) override;
    std::vector<ChannelMessage> encodeResult(const AnswerSet& answers) override;
};

}  // namespace kh::plugins

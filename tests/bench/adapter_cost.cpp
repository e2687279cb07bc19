// Measures what a Lua adapter costs per message over the native spec-XML path: one inquiry decoded from
// the vendor format and its answer encoded back, against the same work done by the native codec.
// Prints "<name> <microseconds per message>" lines for scripts/bench.
#include <chrono>
#include <cstdio>
#include <string>

#include "endpoint/json_answer.hpp"
#include "plugins/lua_adapter.hpp"
#include "plugins/manifest.hpp"
#include "plugins/settings_schema.hpp"
#include "services/result_codec.hpp"
#include "spec/messages.hpp"

namespace {
using Clock = std::chrono::steady_clock;

kh::services::Answer sampleAnswer() {
    kh::model::EligibilityResult r;
    r.validity = kh::model::Validity::Valid;
    r.validityRaw = "1";
    r.inquiry.arbitraryIdentifier = "P0001";
    kh::model::EligibilityRecord rec;
    rec.insurerNumber = "01130012";
    rec.name = "試験　花子";
    rec.nameKana = "ｼｹﾝ ﾊﾅｺ";
    rec.birthDate = "19800101";
    rec.partialContributionRatio = "030";
    r.records = {rec};
    return {r, "cache", false, 1795620600};
}

template <typename F>
double microsPerCall(int n, F f) {
    for (int i = 0; i < n / 10; ++i) f();  // warm-up
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: adapter_cost <plugins dir> [iterations]\n");
        return 2;
    }
    int n = argc > 2 ? std::atoi(argv[2]) : 20000;
    std::string dir = std::string(argv[1]) + "/csv-sjis";
    auto manifest = kh::plugins::loadManifest(dir);
    kh::plugins::LuaAdapter adapter(manifest, dir, kh::plugins::visibleSettings(manifest.settingsSchemaJson, "{}"));
    std::string csv = kh::spec::utf8ToCp932("患者番号,保険者番号,記号,番号,枝番,生年月日\r\nP0001,01130012,,5678,01,S55.1.1\r\n");
    std::string answerJson = kh::endpoint::encodeAnswer(sampleAnswer());

    double lua = microsPerCall(n, [&] {
        kh::plugins::ChannelMessage msg{"a.csv", csv, ""};
        auto decoded = adapter.decodeRequest(msg);
        adapter.encodeResult({msg, decoded.correlation, {answerJson}, {}});
    });

    kh::spec::SingleInquiryRequest req;
    req.header = {"20261125", "1312345679", "F1"};
    req.inquiry.insured = {"01130012", "", "5678", "01", "19800101"};
    req.inquiry.arbitraryIdentifier = "P0001";
    std::string xml = kh::spec::writeXml(kh::spec::encode(req), kh::spec::Encoding::ShiftJis);
    double native = microsPerCall(n, [&] {
        auto parsed = kh::spec::parseXml(xml);
        auto decoded = kh::spec::decodeSingleInquiryRequest(parsed.root);
        kh::spec::SingleInquiryResponse res;
        res.header.institutionCode = decoded.header.institutionCode;
        res.result = sampleAnswer().result;
        kh::spec::writeXml(kh::spec::encode(res), kh::spec::Encoding::ShiftJis);
    });
    std::printf("lua_adapter_us %.2f\nnative_spec_xml_us %.2f\nlua_over_native_us %.2f\n", lua, native, lua - native);
    return 0;
}

#include "upstream/terminal_client.hpp"

#include <functional>

#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "spec/home_consent_messages.hpp"
#include "spec/medical_aid_messages.hpp"
#include "spec/medical_info_messages.hpp"
#include "spec/reference_number_messages.hpp"

namespace kh::upstream {
namespace {

constexpr auto kSecondPhasePause = std::chrono::milliseconds(1000);

std::string xml(const spec::XmlElement& doc) { return spec::writeXml(doc, spec::Encoding::Utf8); }

// What a call carries as ArbitraryFileIdentifier: the caller's, else the request file's own id, so that no
// two request files (two polls of one batch, two checks of one patient) are ever the same bytes.
std::string fileIdentifierFor(const std::string& given, const std::string& requestId) {
    if (!given.empty()) return given;
    std::string id;
    for (char c : requestId)
        if (std::isalnum(static_cast<unsigned char>(c))) id += char(std::tolower(static_cast<unsigned char>(c)));
    return id;
}

template <typename T>
Outcome<T> unsupported(const std::string& message) {
    return Outcome<T>::failed({Failure::Kind::Unsupported, "", message, 0, 0, ""});
}

// A result header whose SegmentOfResult is not 1 (正常終了) nor 2 (処理中) refuses the whole message.
bool refusedWhole(const spec::ResultHeader& h) { return !h.segmentOfResult.empty() && h.segmentOfResult != "1" && h.segmentOfResult != "2"; }

// The code and message a refusing result names (ErrorCode / ErrorMessage, else the processing result's).
Failure refusalIn(const spec::XmlElement& root) {
    Failure f{Failure::Kind::Refused, "", "", 0, 0, ""};
    if (const auto* header = root.child("MessageHeader")) {
        f.code = header->childText("ErrorCode");
        f.message = header->childText("ErrorMessage");
    }
    if (f.code.empty()) {
        if (const auto* body = root.child("MessageBody")) {
            f.code = body->childText("ProcessingResultCode");
            f.message = body->childText("ProcessingResultMessage");
        }
    }
    if (f.message.empty()) f.message = "資格確認端末が要求を処理できませんでした";
    return f;
}

std::string trimmedLine(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    // A UTF-8 byte-order mark as a whole: its bytes one by one would also eat the lead byte of a character
    // such as "（" (EF BC 88).
    if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);
    size_t first = s.find_first_not_of(" \t");
    return first == std::string::npos ? "" : s.substr(first);
}

bool validUtf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += n;
    }
    return true;
}

// At most `bytes` bytes of `s`, never cutting a character in two.
std::string utf8Prefix(const std::string& s, size_t bytes) {
    if (s.size() <= bytes) return s;
    while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) >> 6) == 2) --bytes;
    return s.substr(0, bytes);
}

// A request-level failure: <request base>.err. Its format is not public; Kakehashi keeps its first line as the
// message (UTF-8, or Shift_JIS as the terminal's Windows may write it) and a `code=` line as the code.
Failure errFailure(const TerminalAnswer& a) {
    std::string text = a.bytes;
    if (!validUtf8(text)) {
        try {
            text = spec::cp932ToUtf8(a.bytes);
        } catch (const std::exception&) {
            text.clear();  // neither: only the file's name is said
        }
    }
    Failure f{Failure::Kind::Refused, "", "", 0, 0, ""};
    size_t at = 0;
    while (at <= text.size()) {
        size_t end = text.find('\n', at);
        std::string line = trimmedLine(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (line.compare(0, 5, "code=") == 0 && f.code.empty()) f.code = line.substr(5, 64);
        else if (f.message.empty() && !line.empty() && line.find('=') == std::string::npos) f.message = utf8Prefix(line, 600);
        if (end == std::string::npos) break;
        at = end + 1;
    }
    if (f.message.empty()) f.message = "資格確認端末がエラーを返しました（" + a.fileName + "）";
    return f;
}

// An answer document, decoded; a .err, a PDF where XML was due, or a document of the wrong shape are final
// refusals: the same answer would be read again on every retry.
template <typename T>
Outcome<T> decoded(const Outcome<TerminalAnswer>& got, const std::function<Outcome<T>(const spec::XmlElement&)>& decode) {
    if (!got.ok()) return Outcome<T>::failed(got.failure);
    if (got.answer->kind == TerminalAnswer::Kind::Err) return Outcome<T>::failed(errFailure(*got.answer));
    if (got.answer->kind == TerminalAnswer::Kind::Pdf) return Outcome<T>::refused("", "資格確認端末がXMLでなくPDFを返しました");
    try {
        return decode(spec::parseXml(got.answer->bytes).root);
    } catch (const model::KakehashiError& e) {
        return Outcome<T>::refused("", std::string("資格確認端末の結果を読めませんでした (") + e.info().name + ")");
    }
}

Outcome<BatchReceipt> receipt(const spec::XmlElement& root) {
    auto accepted = spec::decodeBatchAcceptedResponse(root);
    if (refusedWhole(accepted.header)) return Outcome<BatchReceipt>::failed(refusalIn(root));
    if (accepted.receptionNumber.empty()) return Outcome<BatchReceipt>::refused("", "受付番号がありません");
    return Outcome<BatchReceipt>::of({accepted.receptionNumber, accepted.receptionDateTime});
}

const char* downloadPrefix(BatchKind kind) {
    switch (kind) {
    case BatchKind::Qualifications: return "OQSmuquc02";
    case BatchKind::ConsentHomeVisit: return "OQSmuhvq02";
    case BatchKind::ConsentOnline: return "OQSmuonq02";
    case BatchKind::MedicalAid: return "OQSmutic02";
    }
    return "OQSmuquc02";
}
}  // namespace

TerminalClient::TerminalClient(std::unique_ptr<ShareFolder> share, store::TerminalRequests& ledger, TerminalOptions options,
                               std::string institutionCode)
    : share_(std::move(share)), exchange_(*share_, ledger, options), face_(*share_, options.poll),
      institutionCode_(std::move(institutionCode)) {}

TerminalClient::~TerminalClient() { stop(); }

void TerminalClient::start() {
    exchange_.start();
    if (faceHandler_) face_.start(faceHandler_);
}

void TerminalClient::stop() {
    face_.stop();
    exchange_.stop();
}

Outcome<model::EligibilityResult> TerminalClient::inquire(const std::string& requestId, const model::EligibilityInquiry& q,
                                                          const std::string& fileIdentifier, SendTurn* turn) {
    spec::SingleInquiryRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifierFor(fileIdentifier, requestId)}, q};
    auto got = exchange_.exchange(requestId, "OQSsiquc01", xml(spec::encode(req)), true, turn);
    return decoded<model::EligibilityResult>(got, [](const spec::XmlElement& root) {
        auto answer = spec::decodeSingleInquiryResponse(root);
        if (refusedWhole(answer.header) || !answer.result) return Outcome<model::EligibilityResult>::failed(refusalIn(root));
        return Outcome<model::EligibilityResult>::of(std::move(*answer.result));
    });
}

Outcome<BatchReceipt> TerminalClient::uploadBatch(const std::string& requestId, const std::vector<model::EligibilityInquiry>& entries,
                                                  const std::string& fileIdentifier, SendTurn* turn) {
    spec::BatchUploadRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifierFor(fileIdentifier, requestId)}, entries};
    return decoded<BatchReceipt>(exchange_.exchange(requestId, "OQSmuquc01", xml(spec::encode(req)), true, turn), receipt);
}

// A poll changes nothing at the terminal: a fresh request (and name) each time.
Outcome<BatchDownload> TerminalClient::downloadBatch(const std::string& receptionNumber, BatchKind kind) {
    const std::string requestId = crypto::uuid7();
    spec::BatchDownloadRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifierFor("", requestId)}, receptionNumber};
    auto got = exchange_.exchange(requestId, downloadPrefix(kind), xml(spec::encode(req)), false, nullptr);
    return decoded<BatchDownload>(got, [](const spec::XmlElement& root) {
        auto result = spec::decodeBatchResultResponse(root);
        if (refusedWhole(result.header)) return Outcome<BatchDownload>::failed(refusalIn(root));
        if (result.header.segmentOfResult == "2") return Outcome<BatchDownload>::of({true, 1, {}});
        return Outcome<BatchDownload>::of({false, 0, std::move(result.units)});
    });
}

Outcome<std::vector<model::ReferenceNumberResult>> TerminalClient::registerReferenceNumbers(
    const std::string& requestId, const std::vector<model::ReferenceNumberRegistration>& entries, const std::string& fileIdentifier,
    SendTurn* turn) {
    using Results = std::vector<model::ReferenceNumberResult>;
    spec::RequestHeader header{"", institutionCode_, fileIdentifierFor(fileIdentifier, requestId)};
    const bool single = entries.size() == 1;
    const std::string body = single ? xml(spec::encode(spec::ReferenceNumberRequest{header, entries.front()}))
                                    : xml(spec::encode(spec::ReferenceNumberBatchRequest{header, entries}));
    auto got = exchange_.exchange(requestId, single ? "OQSsiimm01" : "OQSmuimm01", body, true, turn);
    std::string reception;
    auto first = decoded<Results>(got, [&reception](const spec::XmlElement& root) {
        auto answer = spec::decodeReferenceNumberResponse(root);
        if (refusedWhole(answer.header)) return Outcome<Results>::failed(refusalIn(root));
        if (!answer.results.empty()) return Outcome<Results>::of(std::move(answer.results));
        reception = spec::decodeBatchAcceptedResponse(root).receptionNumber;
        if (reception.empty()) reception = answer.receptionNumber;
        if (reception.empty()) return Outcome<Results>::refused("", "照会番号登録の結果がありません");
        return Outcome<Results>::of({});
    });
    if (!first.ok() || reception.empty()) return first;
    // The first phase was answered with a reception number. It is kept in res/ until this queued call is
    // recorded, so a retry after a restart reads it again and comes back here.
    return referenceNumberResults(reception);
}

Outcome<std::vector<model::ReferenceNumberResult>> TerminalClient::referenceNumberResults(const std::string& receptionNumber) {
    using Results = std::vector<model::ReferenceNumberResult>;
    auto deadline = std::chrono::steady_clock::now() + exchange_.options().answerTimeout;
    for (;;) {
        const std::string requestId = crypto::uuid7();
        spec::ReferenceNumberDownloadRequest req{{"", institutionCode_, fileIdentifierFor("", requestId)}, receptionNumber};
        bool processing = false;
        auto got = decoded<Results>(exchange_.exchange(requestId, "OQSmuimm02", xml(spec::encode(req)), false, nullptr),
                                    [&processing](const spec::XmlElement& root) {
                                        auto answer = spec::decodeReferenceNumberResponse(root);
                                        if (refusedWhole(answer.header)) return Outcome<Results>::failed(refusalIn(root));
                                        processing = answer.header.segmentOfResult == "2";
                                        return Outcome<Results>::of(std::move(answer.results));
                                    });
        if (!got.ok() || !processing) return got;
        if (std::chrono::steady_clock::now() >= deadline || !exchange_.pause(kSecondPhasePause))
            return Outcome<Results>::unreachable("照会番号の一括登録は資格確認端末でまだ処理中です");
    }
}

Outcome<BatchReceipt> TerminalClient::requestConsentList(const std::string& requestId, const ConsentListQuery& q) {
    spec::ConsentListRequest req;
    req.header = {"", institutionCode_, fileIdentifierFor(q.fileIdentifier, requestId)};
    req.consentDateFrom = q.consentFrom;
    req.consentDateTo = q.consentTo;
    req.examinationDateFrom = q.examinationFrom;
    req.examinationDateTo = q.examinationTo;
    req.medicalTreatmentFlag = model::medicalTreatmentCode(q.treatment);
    const char* prefix = q.treatment == model::MedicalTreatment::Online ? "OQSmuonq01" : "OQSmuhvq01";
    return decoded<BatchReceipt>(exchange_.exchange(requestId, prefix, xml(spec::encode(req)), false, nullptr), receipt);
}

Outcome<BatchReceipt> TerminalClient::requestMedicalAidList(const std::string& requestId, const std::string& month,
                                                            const std::string& fileIdentifier) {
    spec::MedicalAidListRequest req{{"", institutionCode_, fileIdentifierFor(fileIdentifier, requestId)}, month};
    return decoded<BatchReceipt>(exchange_.exchange(requestId, "OQSmutic01", xml(spec::encode(req)), false, nullptr), receipt);
}

// YZKsiquc01 (medication) or TKKsiquc01 (checkups): the result as received, XML or (FileCategory 1) PDF.
Outcome<model::MedicalInfoResult> TerminalClient::medicalInfo(const std::string& requestId, const model::MedicalInfoRequest& r) {
    using Result = Outcome<model::MedicalInfoResult>;
    if (r.scope == model::ConsentScope::Clinical)
        return unsupported<model::MedicalInfoResult>("診療情報は資格確認端末のファイル連携では照会できません（薬剤情報・特定健診等情報のみ）");
    model::MedicalInfoRequest mine = r;
    mine.institutionCode = institutionCode_;
    mine.arbitraryFileIdentifier = fileIdentifierFor(r.arbitraryFileIdentifier, requestId);
    const char* prefix = r.scope == model::ConsentScope::Checkup ? "TKKsiquc01" : "YZKsiquc01";
    auto got = exchange_.exchange(requestId, prefix, xml(spec::encode(mine)), false, nullptr);
    if (!got.ok()) return Result::failed(got.failure);
    const TerminalAnswer& a = *got.answer;
    if (a.kind == TerminalAnswer::Kind::Err) return Result::failed(errFailure(a));
    try {
        if (a.kind == TerminalAnswer::Kind::Xml) {
            auto root = spec::parseXml(a.bytes).root;
            const auto* header = root.child("MessageHeader");
            if (header && header->childText("SegmentOfResult") == "9") {
                Failure f = refusalIn(root);
                f.document = a.bytes;
                return Result::failed(std::move(f));
            }
        }
        auto result = spec::decodeMedicalInfoResult(a.bytes, a.kind == TerminalAnswer::Kind::Pdf ? 1 : 2);
        if (result.processingStatus != "1") {
            auto refused = Result::refused(result.processingCode, result.processingMessage);
            refused.failure.document = a.bytes;  // passed on whole, as central-v1 does
            return refused;
        }
        return Result::of(std::move(result));
    } catch (const model::KakehashiError& e) {
        return Result::refused("", std::string("資格確認端末の結果を読めませんでした (") + e.info().name + ")");
    }
}

Outcome<WithdrawalPage> TerminalClient::withdrawals(const std::string&) {
    return unsupported<WithdrawalPage>("資格確認端末のファイル連携には同意の取消しを知らせるものがありません（同意は期限で終わります）");
}

Outcome<std::string> TerminalClient::homeReceptionUrl() {
    return unsupported<std::string>(
        "資格確認端末経由の接続ではマイナ在宅受付WebのURLを取得できません。Web管理画面で設定してください");
}

Outcome<IdentityChallenge> TerminalClient::identityChallenge(const std::string&) {
    return unsupported<IdentityChallenge>("資格確認端末経由の接続では暗証番号による本人確認ができません");
}

Outcome<IdentityVerdict> TerminalClient::identityVerify(const std::string&, const IdentityProof&) {
    return unsupported<IdentityVerdict>("資格確認端末経由の接続では暗証番号による本人確認ができません");
}

Outcome<bool> TerminalClient::probe() { return exchange_.probe(); }

}  // namespace kh::upstream

#include "endpoint/file_drop.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "base/files.hpp"
#include "crypto/primitives.hpp"
#include "base/log.hpp"
#include "model/errors.hpp"
#include "spec/medical_info_messages.hpp"
#include "spec/reference_number_messages.hpp"
#include "store/data_key.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;


// Sniff the declared encoding so even a rejected file is answered in the receipt computer's encoding.
std::string sniffEncoding(const std::string& body) {
    std::string head = body.substr(0, 200);
    for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
    for (const char* name : {"shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "ms_kanji"})
        if (head.find(name) != std::string::npos) return "shift_jis";
    return "utf-8";
}

bool isReferenceNumberKind(spec::MessageKind kind) {
    return kind == spec::MessageKind::ReferenceNumberSingle || kind == spec::MessageKind::ReferenceNumberUpload;
}

// OQSsiimm01req (one ReferenceNumberRegistrationInfo) or OQSmuimm01req (several), as one list.
struct ReferenceNumberFile {
    spec::RequestHeader header;
    std::vector<model::ReferenceNumberRegistration> entries;
};

ReferenceNumberFile decodeReferenceNumberFile(const std::string& name, const spec::XmlElement& root) {
    if (spec::kindFromFileName(name) == spec::MessageKind::ReferenceNumberSingle) {
        auto req = spec::decodeReferenceNumberRequest(root);
        return {req.header, {req.registration}};
    }
    auto req = spec::decodeReferenceNumberBatchRequest(root);
    return {req.header, req.registrations};
}
}  // namespace

FileDrop::FileDrop(FileDropSettings settings, store::InboundFiles& inbound, store::Journal& journal,
                   services::EligibilityService& eligibility, services::BatchService& batches, Metrics& metrics,
                   services::ReferenceNumberService* referenceNumbers, HomeConsentFiles* homeConsent,
                   MedicalAidFiles* medicalAid)
    : settings_(std::move(settings)), inbound_(inbound), journal_(journal), eligibility_(eligibility), batches_(batches),
      referenceNumbers_(referenceNumbers), homeConsent_(homeConsent), medicalAid_(medicalAid), metrics_(metrics),
      inbox_(settings_.root + "/req", settings_.maxFileBytes, std::chrono::milliseconds(settings_.settleMillis),
             std::chrono::milliseconds(settings_.emptyGraceMillis)),
      watch_([this] { loop_.poke(); }) {
    for (const char* sub : {"", "/req", "/res", "/quarantine"}) ::mkdir((settings_.root + sub).c_str(), 0770);
}

FileDrop::~FileDrop() { stop(); }

void FileDrop::start() { loop_.start(std::chrono::milliseconds(settings_.pollMillis), [this] { pass(); }); }

void FileDrop::stop() {
    watch_.stop();
    loop_.stop();
}

void FileDrop::pass() {
    try {
        scanOnce();
    } catch (const std::exception& e) {
        log::error("file.scan_failed", {{"error", e.what()}});
    }
}

void FileDrop::scanOnce() {
    watch_.watch(inbox_.dir());
    takeCompleteFiles();
    for (const auto& f : inbound_.open("accepted")) attempt(f, &FileDrop::answerAccepted);
    for (const auto& f : inbound_.open("waiting")) attempt(f, &FileDrop::answerWaiting);
}

void FileDrop::takeCompleteFiles() {
    for (const auto& in : inbox_.collect([](const std::string&) { return true; })) {
        try {
            take(in);
        } catch (const std::exception& e) {  // the store refused it: the file stays in req/ for the next pass
            log::error("file.take_failed", {{"file", in.name}, {"error", e.what()}});
        }
    }
}

// Record first, then remove from req/: after a crash the file is either still in req/ or in the store.
void FileDrop::take(const IncomingFile& in) {
    using Refusal = IncomingFile::Refusal;
    auto kind = spec::kindFromFileName(in.name);
    std::string kindName = in.refusal == Refusal::TooLarge                                          ? "too-large"
                           : in.refusal == Refusal::NotRegular || in.refusal == Refusal::Linked ? "not-a-file"
                           : kind == spec::MessageKind::Unknown                                     ? "unknown"
                                                                                                    : in.name.substr(0, 13);
    // A refused entry has no content to tell it apart: its inode and size do.
    std::string sha = crypto::hex(crypto::sha256(in.body)) +
                      (in.refusal == Refusal::None ? "" : "-" + std::to_string(in.inode) + "-" + std::to_string(in.size));
    int64_t id = inbound_.accept(in.name, sha, kindName, sniffEncoding(in.body), in.body);
    journal_.record({"in", "file", kindName, in.name, in.body});
    if (in.refusal == Refusal::TooLarge) inbox_.moveTo(in, settings_.root + "/quarantine", keptName(id, in.name));
    else inbox_.remove(in);
    log::info("file.taken", {{"file", in.name}, {"inbound_id", std::to_string(id)}, {"bytes", std::to_string(in.size)}});
}

// One step for one file; whatever it throws stays with that file.
void FileDrop::attempt(const store::InboundFile& f, Step step) {
    if (!retries_.due(f.id)) return;
    try {
        try {
            (this->*step)(f);
        } catch (const KakehashiError& e) {
            reject(f, e.id(), e.what());
        }
        retries_.succeeded(f.id);
    } catch (const std::exception& e) {
        setBack(f, e);
    }
}

void FileDrop::setBack(const store::InboundFile& f, const std::exception& e) {
    if (!retries_.giveUp(f.id, e)) {
        log::warn("file.answer_delayed", {{"file", f.name}, {"attempt", std::to_string(retries_.attempts(f.id))}, {"error", e.what()}});
        return;
    }
    try {
        inbound_.failed(f.id, e.what());
    } catch (const std::exception& stored) {
        log::error("file.fail_not_recorded", {{"file", f.name}, {"error", stored.what()}});
        return;
    }
    metrics_.countFile("failed");
    log::error("file.unanswerable", {{"file", f.name}, {"inbound_id", std::to_string(f.id)}, {"error", e.what()}});
}

void FileDrop::answerAccepted(const store::InboundFile& f) {
    if (f.kind == "too-large") return reject(f, ErrorId::TooLarge, "上限 " + std::to_string(settings_.maxFileBytes) + " バイト");
    if (f.kind == "not-a-file") return reject(f, ErrorId::NotAFile, "");
    if (f.kind == "unknown") return reject(f, ErrorId::BadFileName, "OQS…req_<識別子>.xml の形式で置いてください");
    {
        auto doc = spec::parseXml(f.body);
        doc.encoding = encodingOf(f);  // what every answer below is written in
        switch (spec::kindFromFileName(f.name)) {
        case spec::MessageKind::SingleInquiry: return answerSingle(f, doc);
        case spec::MessageKind::BatchUpload: return answerBatchUpload(f, doc);
        case spec::MessageKind::BatchDownload: return answerBatchDownload(f, doc);
        case spec::MessageKind::ReferenceNumberSingle:
        case spec::MessageKind::ReferenceNumberUpload:
            if (referenceNumbers_) return answerReferenceNumbers(f, doc);
            return reject(f, ErrorId::UnknownMessage, "");
        case spec::MessageKind::ReferenceNumberDownload:
            if (referenceNumbers_) return answerReferenceNumberResults(f, doc);
            return reject(f, ErrorId::UnknownMessage, "");
        default: break;
        }
        if (auto a = homeConsentAnswer(f, doc)) return writeBytes(f, a->name, a->bytes, a->outcome);
        if (auto a = medicalAidAnswer(f, doc)) return writeBytes(f, a->name, a->bytes, a->outcome);
        return reject(f, ErrorId::UnknownMessage, "");
    }
}

// 居宅同意取得型 files: consent lists (two phases) and medication / checkup information.
std::optional<FileAnswer> FileDrop::homeConsentAnswer(const store::InboundFile& f, const spec::ParsedXml& doc) {
    if (!homeConsent_) return std::nullopt;
    switch (spec::kindFromFileName(f.name)) {
    case spec::MessageKind::ConsentListUpload: return homeConsent_->consentListUpload(f.name, doc);
    case spec::MessageKind::ConsentListDownload: return homeConsent_->consentListDownload(f.name, doc);
    case spec::MessageKind::MedicationInfo: return homeConsent_->medicalInfo(f.name, doc, model::ConsentScope::Medication);
    case spec::MessageKind::CheckupInfo: return homeConsent_->medicalInfo(f.name, doc, model::ConsentScope::Checkup);
    default: return std::nullopt;
    }
}

std::optional<FileAnswer> FileDrop::medicalAidAnswer(const store::InboundFile& f, const spec::ParsedXml& doc) {
    if (!medicalAid_) return std::nullopt;
    switch (spec::kindFromFileName(f.name)) {
    case spec::MessageKind::MedicalAidUpload: return medicalAid_->listUpload(f.name, doc);
    case spec::MessageKind::MedicalAidDownload: return medicalAid_->listDownload(f.name, doc);
    default: return std::nullopt;
    }
}

// The encoding results are written in: the share's setting, else the request's own.
spec::Encoding FileDrop::encodingOf(const store::InboundFile& f) const {
    const std::string& chosen = settings_.resultEncoding == "request" ? f.encoding : settings_.resultEncoding;
    return chosen == "shift_jis" ? spec::Encoding::ShiftJis : spec::Encoding::Utf8;
}

spec::ResultHeader FileDrop::headerFor(const store::InboundFile& f, const spec::RequestHeader& req) const {
    return spec::answerHeader(req, encodingOf(f));
}

void FileDrop::answerSingle(const store::InboundFile& f, const spec::ParsedXml& doc) {
    auto req = spec::decodeSingleInquiryRequest(doc.root);
    if (req.header.institutionCode != eligibility_.policy().institutionCode)
        return reject(f, ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto errors = model::validate(req.inquiry);
    if (!errors.empty()) return reject(f, ErrorId::InvalidField, model::describe(errors));
    // Named after the file: killed after queuing and before noting the ticket, the file is answered again after
    // the restart, and finds the call it queued the first time.
    auto out = eligibility_.inquire(req.inquiry, req.header.arbitraryFileIdentifier, std::chrono::milliseconds(0),
                                    "file:" + std::to_string(f.id));
    bool waitForLive = out.kind == services::InquiryOutcome::Kind::Answered && out.answer->stale &&
                       !settings_.answerFromCacheWhenDown && out.ticket;
    if (out.kind == services::InquiryOutcome::Kind::Queued || waitForLive) {
        inbound_.waitFor(f.id, out.ticket);
        return;
    }
    writeSingle(f, req, out);
}

void FileDrop::answerWaiting(const store::InboundFile& f) {
    if (isReferenceNumberKind(spec::kindFromFileName(f.name))) return followReferenceNumbers(f);
    auto req = spec::decodeSingleInquiryRequest(spec::parseXml(f.body).root);
    auto out = eligibility_.follow(f.ticket, req.inquiry);
    if (out.kind != services::InquiryOutcome::Kind::Queued) writeSingle(f, req, out);
}

void FileDrop::writeSingle(const store::InboundFile& f, const spec::SingleInquiryRequest& req,
                           const services::InquiryOutcome& out) {
    if (out.kind == services::InquiryOutcome::Kind::Refused) {
        if (!out.centralCode.empty()) return rejectAsCentral(f, out.centralCode, out.centralMessage);
        return reject(f, out.error, out.detail);
    }
    spec::SingleInquiryResponse res;
    res.header = headerFor(f, req.header);
    res.result = out.answer->result;
    // The file format has no "stale" flag, and the answer is the central system's, unchanged: its
    // ProcessExecutionTime says when it was given, so an answer kept from before an outage shows its age.
    const auto& answered = out.answer->result.answeredAt;
    res.header.processExecutionTime = !answered.empty() ? answered : model::japanTimestamp(model::fromUnixSeconds(out.answer->confirmedAt));
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), out.answer->stale ? "cache-stale" : out.answer->source.c_str());
}

void FileDrop::answerBatchUpload(const store::InboundFile& f, const spec::ParsedXml& doc) {
    auto req = spec::decodeBatchUploadRequest(doc.root);
    if (req.header.institutionCode != eligibility_.policy().institutionCode)
        return reject(f, ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto batch = batches_.submit("file:" + std::to_string(f.id), req.header.arbitraryFileIdentifier, req.inquiries);
    spec::BatchAcceptedResponse res;
    res.header = headerFor(f, req.header);
    res.receptionNumber = batch.receptionNumber;
    res.receptionDateTime = model::japanTimestamp(model::fromUnixSeconds(batch.receivedAt));
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), "batch-accepted");
}

void FileDrop::answerBatchDownload(const store::InboundFile& f, const spec::ParsedXml& doc) {
    auto req = spec::decodeBatchDownloadRequest(doc.root);
    auto view = batches_.view(req.receptionNumber);
    if (!view || view->batch.institutionCode != eligibility_.policy().institutionCode)
        return reject(f, ErrorId::UnknownReception, "ReceptionNumber");
    spec::BatchResultResponse res;
    res.header = headerFor(f, req.header);
    res.header.arbitraryFileIdentifier = view->batch.fileIdentifier;
    res.receptionNumber = req.receptionNumber;
    if (!view->done) res.header.segmentOfResult = "2";  // 処理中: ask again later
    res.units = std::move(view->units);
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), view->done ? "batch-result" : "batch-processing");
}

// 照会番号登録: registered through the service without waiting. One entry (OQSsiimm01) waits on its ticket and
// is answered with its result; several (OQSmuimm01) are answered at once with a reception number, the results
// being asked for with OQSmuimm02, as the terminal does it.
void FileDrop::answerReferenceNumbers(const store::InboundFile& f, const spec::ParsedXml& doc) {
    auto req = decodeReferenceNumberFile(f.name, doc.root);
    if (req.header.institutionCode != referenceNumbers_->policy().institutionCode)
        return reject(f, ErrorId::WrongInstitution, "MedicalInstitutionCode");
    auto out = referenceNumbers_->registerEntries(req.entries, std::chrono::milliseconds(0),
                                                  req.header.arbitraryFileIdentifier);
    const bool upload = spec::kindFromFileName(f.name) == spec::MessageKind::ReferenceNumberUpload;
    if (out.kind == services::RegistrationOutcome::Kind::Queued || upload) {
        // The row keeps the ticket: what OQSmuimm02 follows, and what a restart follows for OQSsiimm01.
        inbound_.waitFor(f.id, out.ticket);
        if (upload) writeReferenceNumberReception(f, req.header);
        return;
    }
    writeReferenceNumbers(f, req.header, out);
}

// The reception number of an OQSmuimm01 file names the file's own row, which keeps the request and its ticket.
static std::string referenceNumberReception(int64_t inboundId) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "R%010lld", static_cast<long long>(inboundId));
    return buf;
}

static int64_t inboundIdOfReception(const std::string& reception) {
    if (reception.size() != 11 || reception[0] != 'R' || reception.find_first_not_of("0123456789", 1) != std::string::npos)
        return 0;
    return std::stoll(reception.substr(1));
}

void FileDrop::writeReferenceNumberReception(const store::InboundFile& f, const spec::RequestHeader& req) {
    spec::ReferenceNumberAcceptedResponse res;
    res.header = headerFor(f, req);
    res.receptionNumber = referenceNumberReception(f.id);
    res.receptionDateTime = model::japanTimestamp();
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), "reference-numbers-accepted");
}

// OQSmuimm02: the registration's results once the central system answered, else SegmentOfResult 2 (処理中).
void FileDrop::answerReferenceNumberResults(const store::InboundFile& f, const spec::ParsedXml& doc) {
    auto req = spec::decodeBatchDownloadRequest(doc.root);
    const int64_t uploadId = inboundIdOfReception(req.receptionNumber);
    auto upload = uploadId ? inbound_.get(uploadId) : std::nullopt;
    // A row past its retention period has no body left: its reception number has expired.
    if (!upload || upload->body.empty() || spec::kindFromFileName(upload->name) != spec::MessageKind::ReferenceNumberUpload)
        return reject(f, ErrorId::UnknownReception, "ReceptionNumber");
    auto sent = decodeReferenceNumberFile(upload->name, spec::parseXml(upload->body).root);
    if (sent.header.institutionCode != referenceNumbers_->policy().institutionCode)
        return reject(f, ErrorId::UnknownReception, "ReceptionNumber");
    auto out = referenceNumbers_->follow(upload->ticket, sent.entries);
    if (out.kind == services::RegistrationOutcome::Kind::NotFound) return reject(f, ErrorId::UnknownReception, "ReceptionNumber");
    spec::ReferenceNumberBatchResultResponse res;
    res.header = headerFor(f, req.header);
    res.header.arbitraryFileIdentifier = sent.header.arbitraryFileIdentifier;
    res.receptionNumber = req.receptionNumber;
    const bool processing = out.kind == services::RegistrationOutcome::Kind::Queued;
    if (processing) {
        res.header.segmentOfResult = "2";
    } else {
        for (size_t i = 0; i < sent.entries.size() && i < out.results.size(); ++i) {
            const auto& r = out.results[i];
            res.units.push_back({sent.entries[i], {r.referenceNumber, r.status == "registered" ? "1" : "2", r.code, r.message}});
        }
    }
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), processing ? "reference-numbers-processing" : "reference-numbers");
}

void FileDrop::followReferenceNumbers(const store::InboundFile& f) {
    if (!referenceNumbers_) return;  // only when the service was configured away after a restart: keep waiting
    auto req = decodeReferenceNumberFile(f.name, spec::parseXml(f.body).root);
    // Stopped between recording the ticket and writing the reception number: write it now.
    if (spec::kindFromFileName(f.name) == spec::MessageKind::ReferenceNumberUpload) return writeReferenceNumberReception(f, req.header);
    auto out = referenceNumbers_->follow(f.ticket, req.entries);
    if (out.kind == services::RegistrationOutcome::Kind::NotFound) return reject(f, ErrorId::Internal, "受付の記録がありません");
    if (out.kind != services::RegistrationOutcome::Kind::Queued) writeReferenceNumbers(f, req.header, out);
}

// OQSsiimm01res: the entry's ReferenceNumberRegistrationResult.
void FileDrop::writeReferenceNumbers(const store::InboundFile& f, const spec::RequestHeader& req,
                                     const services::RegistrationOutcome& out) {
    spec::ReferenceNumberResponse res;
    res.header = headerFor(f, req);
    for (const auto& r : out.results)
        res.results.push_back({r.referenceNumber, r.status == "registered" ? "1" : "2", r.code, r.message});
    writeResult(f, spec::resultFileName(f.name), spec::encode(res), "reference-numbers");
}

// The identifiers a receipt computer correlates on, when the request can be read at all.
static spec::RequestHeader readableHeader(const store::InboundFile& f) {
    try {
        return spec::decodeAnyRequestHeader(spec::parseXml(f.body).root);
    } catch (const std::exception&) {
        return {};
    }
}

void FileDrop::reject(const store::InboundFile& f, ErrorId id, const std::string& detail) {
    const auto& info = model::errorInfo(id);
    writeRefusal(f, info.code, std::string(info.title) + (detail.empty() ? "" : "（" + detail + "）"), info.name);
}

// The central system refused the message: its own ErrorCode and ErrorMessage reach the receipt computer.
void FileDrop::rejectAsCentral(const store::InboundFile& f, const std::string& code, const std::string& message) {
    writeRefusal(f, code, message, "central-refusal");
}

void FileDrop::writeRefusal(const store::InboundFile& f, const std::string& code, const std::string& message, const char* why) {
    if (auto scope = spec::medicalInfoScopeFromFileName(f.name)) {
        // Medication / checkup: the refusal in the result's shape under the result's name (what clients wait for).
        model::MedicalInfoRequest req;
        try {
            req = spec::decodeMedicalInfoRequest(spec::parseXml(f.body).root, *scope);
        } catch (const std::exception&) {
        }
        keepRejectedRequest(f);
        log::warn("file.rejected", {{"file", f.name}, {"error", why}});
        return writeResult(f, spec::medicalInfoResultFileName(f.name, 2), spec::encodeMedicalInfoRefusal(req, code, message), "rejected");
    }
    spec::SingleInquiryResponse res;
    res.header = headerFor(f, readableHeader(f));
    res.header.segmentOfResult = "9";
    res.header.errorCode = code;
    res.header.errorMessage = message;
    std::string errName = spec::errorFileName(f.name);
    if (errName.empty()) {
        // Not a spec name: still answer beside it, so the sender sees why (names from a folder listing
        // never hold '/', and hidden names are never taken).
        auto dot = f.name.rfind('.');
        errName = (dot == std::string::npos || dot == 0 ? f.name : f.name.substr(0, dot)) + ".err";
    }
    keepRejectedRequest(f);
    log::warn("file.rejected", {{"file", f.name}, {"error", why}});
    writeResult(f, errName, spec::encode(res), "rejected");
}

// The request itself goes back beside its .err, as the official terminal answers, and stays in
// quarantine/ for staff. Both are courtesies: the .err is the answer, so neither may stop it.
void FileDrop::keepRejectedRequest(const store::InboundFile& f) {
    if (f.body.empty()) return;
    try {
        base::writeFileDurably(settings_.root + "/quarantine/" + keptName(f.id, f.name), f.body, 0640);
    } catch (const std::exception& e) {
        log::warn("file.quarantine_failed", {{"file", f.name}, {"error", e.what()}});
    }
    try {
        writeResultFile(settings_.root + "/res", f.name, f.body);
    } catch (const std::exception& e) {
        log::warn("file.request_copy_failed", {{"file", f.name}, {"error", e.what()}});
    }
}

void FileDrop::writeResult(const store::InboundFile& f, const std::string& resultName, const spec::XmlElement& doc,
                           const char* outcome) {
    writeBytes(f, resultName, spec::writeXml(doc, encodingOf(f)), outcome);
}

void FileDrop::writeBytes(const store::InboundFile& f, const std::string& resultName, const std::string& bytes,
                          const char* outcome) {
    journal_.record({"out", "file", outcome, resultName, bytes});
    writeResultFile(settings_.root + "/res", resultName, bytes);
    inbound_.answered(f.id);
    metrics_.countFile(outcome);
    log::info("file.answered", {{"file", resultName}, {"outcome", outcome}});
}

void writeResultFile(const std::string& dir, const std::string& name, const std::string& bytes) {
    if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
        throw std::invalid_argument("result file name not allowed");
    base::writeFileDurably(dir + "/" + name, bytes, 0640);
}

}  // namespace kh::endpoint

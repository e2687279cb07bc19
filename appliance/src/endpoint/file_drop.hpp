// The file channel receipt computers already speak: XML requests dropped into req/, results written to
// res/ under the names they expect. A file is taken only once its writer has closed it (share_inbox),
// recorded in the store before it is removed from req/, and answered by tmp + fsync + rename. A rejected
// request is answered as the official terminal does: a copy of the request and <name>.err in res/; staff
// find it in quarantine/ too. One file that cannot be answered never stops the others: it is tried again
// a few times when the cause may pass (a full disk) and is marked failed when it cannot (its name).
#pragma once
#include <map>
#include <string>

#include "base/background_loop.hpp"
#include "endpoint/home_consent_files.hpp"
#include "endpoint/medical_aid_files.hpp"
#include "endpoint/metrics.hpp"
#include "endpoint/answer_retries.hpp"
#include "endpoint/folder_watch.hpp"
#include "endpoint/share_inbox.hpp"
#include "services/batch_service.hpp"
#include "services/eligibility_service.hpp"
#include "services/reference_number_service.hpp"
#include "spec/messages.hpp"
#include "store/inbound_files.hpp"
#include "store/journal.hpp"

namespace kh::endpoint {

struct FileDropSettings {
    std::string root;          // holds req/, res/, quarantine/
    int pollMillis = 1000;     // the fallback scan; the kernel's notice of a closed file wakes it at once
    int settleMillis = 300;    // where no read lease can be had: unchanged size and mtime for this long
    int emptyGraceMillis = 10000;  // an empty, closed file is taken only after this
    size_t maxFileBytes = 32u * 1024 * 1024;
    // While the central system cannot be reached, a request for a person with a cached answer is answered
    // from the cache at once (its ProcessExecutionTime shows when the answer was given); false: it waits
    // for the live answer like a request for anyone else.
    bool answerFromCacheWhenDown = true;
    // The encoding of result files, as the terminal is set up: "request" (the encoding the request was
    // written in), "utf-8" or "shift_jis" (for programs that read only one, whatever they write).
    std::string resultEncoding = "request";
    // Also write every answered batch entry (prefetch included) as a face file, for charts that take a
    // patient's qualification only from face/.
    bool faceExportBatches = false;
};

// Where a result file goes: res/ under `name`, written durably; refuses names with '/' or a leading '.'.
void writeResultFile(const std::string& dir, const std::string& name, const std::string& bytes);

class FileDrop {
public:
    FileDrop(FileDropSettings settings, store::InboundFiles& inbound, store::Journal& journal,
             services::EligibilityService& eligibility, services::BatchService& batches, Metrics& metrics,
             services::ReferenceNumberService* referenceNumbers = nullptr,  // null: 照会番号 files refused
             HomeConsentFiles* homeConsent = nullptr,  // null: consent-list and medical-info files refused
             MedicalAidFiles* medicalAid = nullptr);   // null: 医療扶助 files refused
    ~FileDrop();
    void start();
    void stop();
    void scanOnce();  // one pass: take complete files, answer what can be answered

private:
    using Step = void (FileDrop::*)(const store::InboundFile&);
    void pass();
    void takeCompleteFiles();
    void take(const IncomingFile& in);
    void attempt(const store::InboundFile& f, Step step);
    void setBack(const store::InboundFile& f, const std::exception& e);
    void answerAccepted(const store::InboundFile& f);
    void answerWaiting(const store::InboundFile& f);
    void answerSingle(const store::InboundFile& f, const spec::ParsedXml& doc);
    void answerBatchUpload(const store::InboundFile& f, const spec::ParsedXml& doc);
    void answerBatchDownload(const store::InboundFile& f, const spec::ParsedXml& doc);
    void answerReferenceNumbers(const store::InboundFile& f, const spec::ParsedXml& doc);
    void writeReferenceNumberReception(const store::InboundFile& f, const spec::RequestHeader& req);
    void answerReferenceNumberResults(const store::InboundFile& f, const spec::ParsedXml& doc);
    void followReferenceNumbers(const store::InboundFile& f);
    void writeReferenceNumbers(const store::InboundFile& f, const spec::RequestHeader& req,
                               const services::RegistrationOutcome& out);
    void writeSingle(const store::InboundFile& f, const spec::SingleInquiryRequest& req,
                     const services::InquiryOutcome& out);
    void reject(const store::InboundFile& f, model::ErrorId id, const std::string& detail);
    void rejectAsCentral(const store::InboundFile& f, const std::string& code, const std::string& message);
    void writeRefusal(const store::InboundFile& f, const std::string& code, const std::string& message, const char* why);
    void keepRejectedRequest(const store::InboundFile& f);
    std::optional<FileAnswer> homeConsentAnswer(const store::InboundFile& f, const spec::ParsedXml& doc);
    std::optional<FileAnswer> medicalAidAnswer(const store::InboundFile& f, const spec::ParsedXml& doc);
    void writeBytes(const store::InboundFile& f, const std::string& resultName, const std::string& bytes, const char* outcome);
    void writeResult(const store::InboundFile& f, const std::string& resultName, const spec::XmlElement& doc, const char* outcome);
    spec::Encoding encodingOf(const store::InboundFile& f) const;
    spec::ResultHeader headerFor(const store::InboundFile& f, const spec::RequestHeader& req) const;

    FileDropSettings settings_;
    store::InboundFiles& inbound_;
    store::Journal& journal_;
    services::EligibilityService& eligibility_;
    services::BatchService& batches_;
    services::ReferenceNumberService* referenceNumbers_;
    HomeConsentFiles* homeConsent_;
    MedicalAidFiles* medicalAid_;
    Metrics& metrics_;
    ShareInbox inbox_;
    AnswerRetries retries_;
    base::BackgroundLoop loop_;
    FolderWatch watch_;
};

}  // namespace kh::endpoint

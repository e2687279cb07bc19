// The file channel's messages of 居宅同意取得型, as the official terminal answers them: consent lists
// (OQSmuhvq home visits / OQSmuonq online care, two phases) and medication / checkup information
// (YZKsiquc01 / TKKsiquc01, XML or PDF). Each call gives the result file to write, or throws
// KakehashiError for the channel to answer with a spec error.
#pragma once
#include <string>

#include "services/home_consent_service.hpp"
#include "spec/xml.hpp"

namespace kh::endpoint {

struct FileAnswer {
    std::string name;   // result file name
    std::string bytes;  // in the request's encoding (PDF as is)
    const char* outcome;
};

class HomeConsentFiles {
public:
    HomeConsentFiles(services::HomeConsentService& service, std::string institutionCode)
        : service_(service), institutionCode_(std::move(institutionCode)) {}
    FileAnswer consentListUpload(const std::string& name, const spec::ParsedXml& doc);
    FileAnswer consentListDownload(const std::string& name, const spec::ParsedXml& doc);
    FileAnswer medicalInfo(const std::string& name, const spec::ParsedXml& doc, model::ConsentScope scope);

private:
    spec::ResultHeader header(const spec::RequestHeader& req, const spec::ParsedXml& doc) const;
    services::HomeConsentService& service_;
    std::string institutionCode_;
};

}  // namespace kh::endpoint

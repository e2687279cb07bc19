// The file channel's 医療扶助 messages (OQSmutic01 / 02), answered as the official terminal answers them: the
// first phase with the central system's reception number, the second with every BulkConfirmUnit it gave, or
// SegmentOfResult 2 (処理中) while it is still at work. Each call gives the result file to write, or throws
// KakehashiError for the channel to answer with a spec error.
#pragma once
#include <string>

#include "endpoint/home_consent_files.hpp"
#include "services/medical_aid_service.hpp"
#include "spec/xml.hpp"

namespace kh::endpoint {

class MedicalAidFiles {
public:
    MedicalAidFiles(services::MedicalAidService& service, std::string institutionCode)
        : service_(service), institutionCode_(std::move(institutionCode)) {}
    FileAnswer listUpload(const std::string& name, const spec::ParsedXml& doc);
    FileAnswer listDownload(const std::string& name, const spec::ParsedXml& doc);

private:
    services::MedicalAidService& service_;
    std::string institutionCode_;
};

}  // namespace kh::endpoint

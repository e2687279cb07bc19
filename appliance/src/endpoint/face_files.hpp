// The face/ folder: at the official terminal every card read at the face-authentication reader leaves an
// unsolicited result, face/OQSsiquc01res_face_<institution><id>_<yyyyMMddHHmmss>.xml (an OQSsiquc01res
// document, ReferenceClassification 1, one record), that charts and receipt computers pick up. Kakehashi
// writes one for every card verified at the box (and relays the terminal's own, profile terminal). As
// several programs often want the same file and the first to read one deletes it, each configured
// consumer gets its own sub-folder (face/<consumer>/); with none configured the file goes into face/.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "spec/xml.hpp"

namespace kh::endpoint {

struct FaceSettings {
    std::string root;                    // the share: face/ is made under it
    std::vector<std::string> consumers;  // sub-folder names ([A-Za-z0-9_-]); empty: face/ itself
    spec::Encoding encoding = spec::Encoding::Utf8;
    std::string institutionCode;
};

class FaceFiles {
public:
    explicit FaceFiles(FaceSettings settings);
    // A face result for this qualification, written durably into every consumer's folder. Returns its name.
    // `referenceClassification`: 1 a card read (the reader's own), 2 a check by the insured number (an
    // exported batch answer).
    std::string publishQualification(const model::EligibilityResult& result, const std::string& referenceClassification = "1");
    // A face file as received (the terminal's), fanned out unchanged.
    void publish(const std::string& name, const std::string& bytes);
    std::vector<std::string> folders() const;

private:
    std::string nextName();
    FaceSettings settings_;
    std::mutex mutex_;
    uint64_t sequence_ = 0;
};

// Names of a face file: OQSsiquc01res_face_<10-digit institution><20 characters>_<yyyyMMddHHmmss>.xml.
bool isFaceFileName(const std::string& name);

}  // namespace kh::endpoint

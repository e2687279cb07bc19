#include "endpoint/face_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "endpoint/file_drop.hpp"
#include "spec/messages.hpp"

namespace kh::endpoint {
namespace {
bool plainFolderName(const std::string& s) {
    if (s.empty() || s.size() > 40) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    return true;
}
}  // namespace

bool isFaceFileName(const std::string& name) {
    const std::string prefix = "OQSsiquc01res_face_";
    if (name.size() < prefix.size() + 1 + 14 + 4 || name.compare(0, prefix.size(), prefix) != 0) return false;
    if (name.substr(name.size() - 4) != ".xml") return false;
    if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) return false;
    const std::string stamp = name.substr(name.size() - 18, 14);
    return name[name.size() - 19] == '_' && std::all_of(stamp.begin(), stamp.end(), [](unsigned char c) { return std::isdigit(c); });
}

FaceFiles::FaceFiles(FaceSettings settings) : settings_(std::move(settings)) {
    std::vector<std::string> kept;
    for (const auto& c : settings_.consumers) {
        if (plainFolderName(c)) kept.push_back(c);
        else log::warn("face.consumer_ignored", {{"reason", "folder names are letters, digits, - and _"}});
    }
    settings_.consumers = std::move(kept);
    for (const auto& dir : folders()) ::mkdir(dir.c_str(), 0770);
}

std::vector<std::string> FaceFiles::folders() const {
    std::string face = settings_.root + "/face";
    ::mkdir(face.c_str(), 0770);
    if (settings_.consumers.empty()) return {face};
    std::vector<std::string> out;
    for (const auto& c : settings_.consumers) out.push_back(face + "/" + c);
    return out;
}

// The terminal's names carry the institution code and 20 characters of its own; ours: a random prefix and
// a counter, so two boxes (or two restarts) never write the same name.
std::string FaceFiles::nextName() {
    std::lock_guard<std::mutex> l(mutex_);
    char counter[9];
    std::snprintf(counter, sizeof counter, "%08llu", static_cast<unsigned long long>(++sequence_ % 100000000ULL));
    std::string id = crypto::hex(crypto::randomBytes(6)) + counter;  // 12 + 8 = 20 characters
    return "OQSsiquc01res_face_" + settings_.institutionCode + id + "_" + model::japanTimestamp() + ".xml";
}

std::string FaceFiles::publishQualification(const model::EligibilityResult& result, const std::string& referenceClassification) {
    spec::SingleInquiryResponse face;
    face.header.processExecutionTime = result.answeredAt.empty() ? model::japanTimestamp() : result.answeredAt;
    face.header.confirmationDate = model::JapanDate::today().str();
    face.header.institutionCode = settings_.institutionCode;
    face.header.referenceClassification = referenceClassification;
    face.header.characterCodeIdentifier = settings_.encoding == spec::Encoding::ShiftJis ? "1" : "0";
    face.result = result;
    std::string name = nextName();
    publish(name, spec::writeXml(spec::encode(face), settings_.encoding));
    return name;
}

void FaceFiles::publish(const std::string& name, const std::string& bytes) {
    for (const auto& dir : folders()) {
        try {
            writeResultFile(dir, name, bytes);
        } catch (const std::exception& e) {
            log::warn("face.write_failed", {{"folder", dir}, {"error", e.what()}});
        }
    }
    log::info("face.published", {{"file", name}, {"copies", std::to_string(folders().size())}});
}

}  // namespace kh::endpoint

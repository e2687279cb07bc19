// A stand-in for the central system in the services' unit tests: each call is answered by a function the
// test sets (by default: unreachable), and every call is counted.
#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "upstream/central_client.hpp"

namespace kh::test {

class FakeCentral : public upstream::CentralClient {
public:
    template <typename T>
    using Answer = upstream::Outcome<T>;
    using Registrations = std::vector<model::ReferenceNumberRegistration>;
    using Results = std::vector<model::ReferenceNumberResult>;

    std::function<Answer<model::EligibilityResult>(const model::EligibilityInquiry&)> onInquire;
    std::function<Answer<upstream::BatchReceipt>(const std::vector<model::EligibilityInquiry>&)> onUploadBatch;
    std::function<Answer<upstream::BatchDownload>(const std::string&, upstream::BatchKind)> onDownloadBatch;
    std::function<Answer<Results>(const Registrations&, const std::string& fileIdentifier)> onRegister;
    std::function<Answer<upstream::BatchReceipt>(const upstream::ConsentListQuery&)> onConsentList;
    std::function<Answer<upstream::BatchReceipt>(const std::string& month, const std::string& fileIdentifier)> onMedicalAidList;
    std::function<Answer<model::MedicalInfoResult>(const model::MedicalInfoRequest&)> onMedicalInfo;
    std::function<Answer<upstream::WithdrawalPage>(const std::string&)> onWithdrawals;
    std::function<Answer<std::string>()> onUrl;

    std::atomic<int> calls{0};
    std::vector<std::string> requestIds;
    // What this stand-in cannot do, as a profile says it (the terminal: no withdrawals, no URL, no card check).
    std::vector<upstream::Capability> missing;

    const char* profile() const override { return "fake"; }
    bool supports(upstream::Capability c) const override {
        for (auto m : missing)
            if (m == c) return false;
        return true;
    }

    Answer<model::EligibilityResult> inquire(const std::string& id, const model::EligibilityInquiry& q, const std::string&,
                                             upstream::SendTurn*) override {
        return call(id, onInquire, q);
    }
    Answer<upstream::BatchReceipt> uploadBatch(const std::string& id, const std::vector<model::EligibilityInquiry>& entries,
                                               const std::string&, upstream::SendTurn*) override {
        return call(id, onUploadBatch, entries);
    }
    Answer<upstream::BatchDownload> downloadBatch(const std::string& reception, upstream::BatchKind kind) override {
        return call("", onDownloadBatch, reception, kind);
    }
    Answer<Results> registerReferenceNumbers(const std::string& id, const Registrations& entries, const std::string& fileIdentifier,
                                            upstream::SendTurn*) override {
        return call(id, onRegister, entries, fileIdentifier);
    }
    Answer<upstream::BatchReceipt> requestConsentList(const std::string& id, const upstream::ConsentListQuery& q) override {
        return call(id, onConsentList, q);
    }
    Answer<upstream::BatchReceipt> requestMedicalAidList(const std::string& id, const std::string& month,
                                                         const std::string& fileIdentifier) override {
        return call(id, onMedicalAidList, month, fileIdentifier);
    }
    Answer<model::MedicalInfoResult> medicalInfo(const std::string& id, const model::MedicalInfoRequest& r) override {
        return call(id, onMedicalInfo, r);
    }
    Answer<upstream::WithdrawalPage> withdrawals(const std::string& since) override { return call("", onWithdrawals, since); }
    Answer<std::string> homeReceptionUrl() override { return call("", onUrl); }
    Answer<upstream::IdentityChallenge> identityChallenge(const std::string&) override { return unsupported<upstream::IdentityChallenge>(); }
    Answer<upstream::IdentityVerdict> identityVerify(const std::string&, const upstream::IdentityProof&) override {
        return unsupported<upstream::IdentityVerdict>();
    }
    Answer<bool> probe() override { return Answer<bool>::of(true); }

private:
    template <typename T>
    static Answer<T> unsupported() {
        return Answer<T>::failed({upstream::Failure::Kind::Unsupported, "", "not in this test", 0, 0, ""});
    }
    template <typename R, typename... A>
    R call(const std::string& id, const std::function<R(A...)>& f, const std::decay_t<A>&... args) {
        ++calls;
        {
            std::lock_guard<std::mutex> l(mutex_);
            requestIds.push_back(id);
        }
        if (!f) return R::unreachable("no answer set in this test");
        return f(args...);
    }
    std::mutex mutex_;
};

}  // namespace kh::test

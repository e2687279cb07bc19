#include "admin/certificate_routes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include "admin/dashboard_routes.hpp"
#include "base/files.hpp"
#include "crypto/encoding.hpp"
#include "crypto/pkcs12.hpp"
#include "crypto/primitives.hpp"
#include "crypto/x509.hpp"
#include "endpoint/json_request.hpp"
#include "base/json_writer.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "base/log.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kClient = "upstream-client";
constexpr const char* kCentralCa = "central-ca";
constexpr int64_t kClockSlackSeconds = 300;  // a certificate signed a moment ago on a clock a little ahead

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

[[noreturn]] void invalid(const std::string& message) { throw KakehashiError(ErrorId::InvalidField, message); }

std::string isoTime(int64_t t) { return model::japanIso8601(model::fromUnixSeconds(t)); }

std::string join(const std::vector<std::string>& pems) {
    std::string out;
    for (const auto& p : pems) out += p;
    return out;
}

// ---- what is installed ---------------------------------------------------------------------------

void writeCertificate(JsonWriter& w, const char* name, const std::string& file, int64_t now) {
    if (file.empty()) return;
    auto pem = base::tryReadFile(file);
    auto info = pem ? crypto::readCertificatePem(*pem) : std::nullopt;
    w.beginObject().field("name", name).field("file", file);
    if (info) {
        w.field("subject", info->subject)
            .field("issuer", info->issuer)
            .field("notBefore", isoTime(info->notBefore))
            .field("notAfter", isoTime(info->notAfter))
            .field("daysLeft", (info->notAfter - now) / 86400)
            .field("warning", int64_t(expiryWarning(info->notAfter, now)))
            .field("fingerprint", info->sha256Fingerprint);
    } else {
        w.field("problem", "読み取れません");
    }
    w.endObject();
}

HttpReply certificateList(const CertificateParts& p) {
    auto in = p.transport.settings();
    int64_t now = store::nowSeconds();
    JsonWriter w;
    w.beginObject().beginArray("certificates");
    writeCertificate(w, kClient, in.certFile, now);
    writeCertificate(w, kCentralCa, in.caFile, now);
    w.endArray().field("csrPending", exists(tlsPaths(p.stateDir).pendingKey));
    for (const auto& c : p.pending.list())
        if (c.what.rfind("certificate:", 0) == 0)
            w.object("pendingChange")
                .field("id", c.id)
                .field("what", c.what)
                .field("deadline", isoTime(c.deadline))
                .field("secondsLeft", std::max<int64_t>(0, c.deadline - now))
                .field("proven", c.unproven.empty())
                .field("unproven", c.unproven)
                .endObject();
    w.endObject();
    return {200, "application/json", w.take(), {}};
}

// ---- checks before anything is written --------------------------------------------------------------

crypto::CertificateInfo inValidity(const std::string& pem) {
    auto info = crypto::readCertificatePem(pem);
    if (!info) invalid("pem: 証明書（PEM）を読み取れません");
    int64_t now = store::nowSeconds();
    if (info->notAfter <= now) invalid("証明書の有効期限が切れています");
    if (info->notBefore > now + kClockSlackSeconds)
        invalid("証明書の有効期間がまだ始まっていません");
    return *info;
}

crypto::CertificateInfo usableClientCertificate(const std::string& pem) {
    auto info = inValidity(pem);
    if (info.ca) invalid("CA証明書はクライアント証明書として使えません");
    if (!info.clientAuthAllowed)
        invalid("クライアント認証（clientAuth）に使えない証明書です");
    return info;
}

std::string pkcs12Problem(crypto::Pkcs12Problem problem) {
    switch (problem) {
    case crypto::Pkcs12Problem::NotPkcs12: return "pkcs12: PKCS#12ファイルではありません";
    case crypto::Pkcs12Problem::WrongPassphrase: return "passphrase: パスフレーズが違います";
    case crypto::Pkcs12Problem::Unsupported:
        return "pkcs12: 対応していない暗号方式のファイルです";
    case crypto::Pkcs12Problem::NoKey: return "pkcs12: 秘密鍵が入っていません";
    case crypto::Pkcs12Problem::NoCertificate: return "pkcs12: 証明書が入っていません";
    case crypto::Pkcs12Problem::KeyMismatch:
        return "pkcs12: 証明書と秘密鍵が対応していません";
    }
    return "pkcs12: 開けません";
}

std::string withoutWhitespace(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out += c;
    return out;
}

std::string certificateDetail(const char* source, const crypto::CertificateInfo& info) {
    return std::string(source) + " subject=" + info.subject + " fingerprint=" + info.sha256Fingerprint;
}

Poco::JSON::Object::Ptr bodyObject(const AdminCall& call) {
    return call.http.body.empty() ? Poco::JSON::Object::Ptr(new Poco::JSON::Object) : endpoint::jsonObject(call.http.body);
}

// ---- the routes --------------------------------------------------------------------------------------

struct Shared {
    explicit Shared(CertificateParts p) : parts(std::move(p)) {}
    CertificateParts parts;
    std::mutex changing;  // one change at a time: files, context and settings move together
};

HttpReply uploadPkcs12(Shared& s, AdminCall& call) {
    auto o = endpoint::jsonObject(call.http.body);
    std::string encoded = endpoint::stringMember(o, "pkcs12");
    std::string passphrase = endpoint::stringMember(o, "passphrase");
    if (encoded.empty()) invalid("pkcs12: PKCS#12ファイル（base64）を指定してください");
    auto der = crypto::base64Decode(withoutWhitespace(encoded));
    if (!der) invalid("pkcs12: base64 ではありません");
    crypto::Pkcs12Contents opened;
    try {
        opened = crypto::openPkcs12(*der, passphrase);
    } catch (const crypto::Pkcs12Error& e) {
        crypto::secureZero(passphrase);
        invalid(pkcs12Problem(e.problem()));
    }
    crypto::secureZero(passphrase);
    auto info = usableClientCertificate(opened.certificatePem);
    std::lock_guard<std::mutex> l(s.changing);
    CertificateInstaller installer(s.parts);
    try {
        installer.installClient(opened.keyPem, opened.certificatePem + join(opened.chainPems), call.actor());
    } catch (...) {
        crypto::secureZero(opened.keyPem);
        throw;
    }
    crypto::secureZero(opened.keyPem);
    s.parts.audit.append(call.actor(), "admin.certificate-installed", std::string("certificate:") + kClient,
                         certificateDetail("pkcs12", info));
    return certificateList(s.parts);
}

crypto::KeyAlgorithm algorithmOf(const std::string& name) {
    if (name.empty() || name == "ec") return crypto::KeyAlgorithm::EcP256;
    if (name == "rsa") return crypto::KeyAlgorithm::Rsa2048;
    invalid("algorithm: ec（P-256）か rsa（2048ビット）");
}

HttpReply makeRequest(Shared& s, AdminCall& call) {
    std::string algorithm = endpoint::stringMember(bodyObject(call), "algorithm");
    auto kind = algorithmOf(algorithm);
    if (s.parts.institutionCode.empty())
        invalid("医療機関等コードが設定されていません");
    auto made = crypto::makeKeyAndRequest(s.parts.institutionCode, kind);
    auto paths = tlsPaths(s.parts.stateDir);
    {
        std::lock_guard<std::mutex> l(s.changing);
        ::mkdir(paths.dir.c_str(), 0700);
        base::writeFileDurably(paths.pendingKey, made.keyPem, 0600);  // replaces an older pending key
    }
    crypto::secureZero(made.keyPem);
    std::string subject = "/CN=" + s.parts.institutionCode;
    s.parts.audit.append(call.actor(), "admin.certificate-csr-made", std::string("certificate:") + kClient,
                         "subject=" + subject + " algorithm=" + (kind == crypto::KeyAlgorithm::Rsa2048 ? "rsa" : "ec"));
    JsonWriter w;
    w.beginObject().field("csrPem", made.requestPem).field("subject", subject).endObject();
    return {200, "application/json", w.take(), {}};
}

HttpReply uploadSignedCertificate(Shared& s, AdminCall& call) {
    auto pems = crypto::certificatePems(endpoint::stringMember(endpoint::jsonObject(call.http.body), "pem"));
    if (pems.empty()) invalid("pem: 証明書（PEM）を読み取れません");
    auto info = usableClientCertificate(pems.front());
    std::lock_guard<std::mutex> l(s.changing);
    CertificateInstaller installer(s.parts);
    auto key = base::tryReadFile(installer.paths().pendingKey);
    if (!key) invalid("署名待ちの鍵がありません。先にCSRを作成してください");
    bool matches = crypto::certificateMatchesKey(pems.front(), *key);
    if (!matches) {
        crypto::secureZero(*key);
        invalid("証明書が署名待ちの鍵（CSR）と対応していません");
    }
    try {
        installer.installClient(*key, join(pems), call.actor());
    } catch (...) {
        crypto::secureZero(*key);
        throw;
    }
    crypto::secureZero(*key);
    removeFile(installer.paths().dir, installer.paths().pendingKey);
    s.parts.audit.append(call.actor(), "admin.certificate-installed", std::string("certificate:") + kClient,
                         certificateDetail("csr", info));
    return certificateList(s.parts);
}

HttpReply uploadCentralCa(Shared& s, AdminCall& call) {
    auto pems = crypto::certificatePems(endpoint::stringMember(endpoint::jsonObject(call.http.body), "pem"));
    if (pems.empty()) invalid("pem: 証明書（PEM）を読み取れません");
    crypto::CertificateInfo first;
    for (size_t i = 0; i < pems.size(); ++i) {
        auto info = inValidity(pems[i]);
        if (!info.ca)
            invalid("CA証明書ではありません（basicConstraints CA:TRUE が必要です）");
        if (i == 0) first = info;
    }
    std::lock_guard<std::mutex> l(s.changing);
    CertificateInstaller installer(s.parts);
    auto next = s.parts.transport.settings();
    next.caFile = installer.paths().centralCa;
    installer.install({{next.caFile, join(pems)}}, next, {{"upstream.caFile", next.caFile}}, call.actor());
    s.parts.audit.append(call.actor(), "admin.certificate-installed", std::string("certificate:") + kCentralCa,
                         certificateDetail("pem", first));
    return certificateList(s.parts);
}

}  // namespace

std::vector<AdminRoute> certificateRoutes(CertificateParts parts) {
    auto s = std::make_shared<Shared>(std::move(parts));
    auto bind = [s](HttpReply (*handler)(Shared&, AdminCall&)) {
        return [s, handler](AdminCall& call) { return handler(*s, call); };
    };
    std::vector<AdminRoute> routes = {
        {"GET", "/admin/api/certificates", "The facility's certificates for the central system: subject, expiry, fingerprint",
         Permission::ManageSettings, [s](AdminCall&) { return certificateList(s->parts); }},
        {"POST", "/admin/api/certificates/upstream-client/pkcs12",
         "Install a client certificate from PKCS#12: {pkcs12 (base64), passphrase}; in use at once",
         Permission::ManageSettings, bind(uploadPkcs12)},
        {"POST", "/admin/api/certificates/upstream-client/csr",
         "Make a key here and a CSR for the CA to sign: {algorithm: ec|rsa}", Permission::ManageSettings,
         bind(makeRequest)},
        {"POST", "/admin/api/certificates/upstream-client/certificate",
         "Install the signed certificate of the pending CSR: {pem}; in use at once", Permission::ManageSettings,
         bind(uploadSignedCertificate)},
        {"POST", "/admin/api/certificates/central-ca", "Install the central system's CA: {pem}; in use at once",
         Permission::ManageSettings, bind(uploadCentralCa)},
    };
    for (auto& r : routes) r.bodyLimit = 1024u * 1024;  // a PKCS#12 or PEM, base64 in JSON
    return routes;
}

}  // namespace kh::admin

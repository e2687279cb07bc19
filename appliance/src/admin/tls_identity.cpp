#include "admin/tls_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/x509.hpp"

namespace kh::admin {

TlsFiles ensureSelfSignedCertificate(const std::string& stateDir, const std::string& folder, const TlsSubject& subject) {
    std::string dir = stateDir + "/" + folder;
    TlsFiles files{dir + "/box.crt", dir + "/box.key"};
    if (folder == "admin-tls") files = {dir + "/admin.crt", dir + "/admin.key"};  // the names of earlier boxes
    struct stat st {};
    if (::stat(files.certFile.c_str(), &st) == 0 && ::stat(files.keyFile.c_str(), &st) == 0) return files;
    ::mkdir(dir.c_str(), 0700);
    char host[HOST_NAME_MAX + 1] = "kakehashi";
    ::gethostname(host, sizeof host);
    std::string name = subject.name.empty() ? std::string(host) : subject.name;
    std::vector<std::string> addresses{"127.0.0.1"};
    for (const auto& a : subject.addresses)
        if (!a.empty()) addresses.push_back(a);
    auto made = crypto::makeSelfSigned(name, {name, "localhost"}, addresses, 5 * 365);
    base::writeFileDurably(files.keyFile, made.keyPem, 0600);  // the key first: a cert alone is useless
    base::writeFileDurably(files.certFile, made.certificatePem, 0600);
    auto info = crypto::readCertificatePem(made.certificatePem);
    log::info("admin.certificate_made", {{"fingerprint", info ? info->sha256Fingerprint : ""}});
    return files;
}

}  // namespace kh::admin

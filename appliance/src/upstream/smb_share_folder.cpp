#include "upstream/smb_share_folder.hpp"

#include <fcntl.h>
#include <libsmbclient.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace kh::upstream {
namespace {

constexpr uint16_t kDirectoryAttribute = 0x10;  // FILE_ATTRIBUTE_DIRECTORY

// The connection itself failed (reset, closed, broken pipe): the context is dead, and an operation that may
// safely run twice is tried once more on a fresh connection (the server may simply have restarted).
class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

bool connectionLost(int err) {
    return err == ECONNRESET || err == EPIPE || err == ENOTCONN || err == ECONNABORTED || err == EIO || err == EBADF;
}

// What went wrong, in Japanese, for the link status and the web admin's connection test.
std::string describeError(const std::string& what, int err) {
    std::string why;
    switch (err) {
    case ECONNREFUSED: why = "接続を拒否されました（アドレス・ポート、端末の電源とファイル共有の設定を確認してください）"; break;
    case ETIMEDOUT:
    case ETIME: why = "応答がありません（タイムアウト）"; break;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN: why = "端末に届きません（ネットワークを確認してください）"; break;
    case EACCES:
    case EPERM: why = "アクセスを拒否されました（ユーザー名・パスワードと共有の権限を確認してください）"; break;
    case ENOENT:
    case ENODEV:
    case ENOTDIR: why = "見つかりません（共有名とフォルダ req/ res/ face/ を確認してください）"; break;
    case EINVAL: why = "URLまたは設定が正しくありません"; break;
    default:
        if (connectionLost(err)) why = "接続が切れました";
        else why = std::string("失敗しました: ") + std::strerror(err);
    }
    return "資格確認端末の共有フォルダ: " + what + "が" + why;
}

[[noreturn]] void fail(const std::string& what, int err) {
    if (connectionLost(err)) throw ConnectionLost(describeError(what, err));
    throw ShareUnavailable(describeError(what, err));
}

std::string percentEncoded(const std::string& s) {
    static const char* hexDigits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '~' || c == '/') {
            out += char(c);
        } else {
            out += '%';
            out += hexDigits[c >> 4];
            out += hexDigits[c & 15];
        }
    }
    return out;
}

// libsmbclient asks for the credentials of each server it connects to.
void authenticate(SMBCCTX* ctx, const char*, const char*, char* workgroup, int workgroupLen, char* user, int userLen,
                  char* password, int passwordLen) {
    auto* self = static_cast<SmbShareFolder*>(smbc_getOptionUserData(ctx));
    if (!self) return;
    const SmbSettings& s = self->settings();
    std::string name = s.user, domain;
    if (auto slash = name.find('\\'); slash != std::string::npos) {
        domain = name.substr(0, slash);
        name = name.substr(slash + 1);
    }
    auto copy = [](char* into, int size, const std::string& value) {
        if (size <= 0) return;
        std::snprintf(into, size_t(size), "%s", value.c_str());
    };
    if (!domain.empty()) copy(workgroup, workgroupLen, domain);
    copy(user, userLen, name);
    copy(password, passwordLen, s.password);
}

// libsmbclient keeps state outside its contexts (talloc stack frames, its debug and configuration globals)
// that is safe for several threads only once smbc_thread_posix() has been called, and Debian's library does
// not export that function. So one operation at a time in the whole process: the share is on the LAN and
// each operation is short, while the concurrency that matters (requests waiting at the terminal) is not
// limited by this.
std::mutex libraryMutex;
}  // namespace

SmbLocation parseSmbUrl(const std::string& url) {
    const std::string scheme = "smb://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        throw std::invalid_argument("smb://ホスト[:ポート]/共有名 の形で指定してください");
    std::string rest = url.substr(scheme.size());
    if (rest.find('@') != std::string::npos || rest.find('?') != std::string::npos)
        throw std::invalid_argument("URLにユーザー名・パスワードやオプションは書けません。ユーザーとパスワードは別に設定してください");
    auto slash = rest.find('/');
    if (slash == std::string::npos || slash == 0) throw std::invalid_argument("共有名がありません。smb://ホスト[:ポート]/共有名 の形で指定してください");
    SmbLocation loc;
    std::string hostPort = rest.substr(0, slash);
    std::string path = rest.substr(slash + 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
    auto colon = hostPort.rfind(':');
    if (colon != std::string::npos && hostPort.find(']') == std::string::npos) {
        std::string port = hostPort.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoi(port) < 1 ||
            std::stoi(port) > 65535)
            throw std::invalid_argument("ポート番号が正しくありません (1-65535)");
        loc.port = uint16_t(std::stoi(port));
        hostPort = hostPort.substr(0, colon);
    }
    if (hostPort.empty()) throw std::invalid_argument("ホスト名がありません");
    for (char c : hostPort)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' || c == ']' || c == ':' || c == '_'))
            throw std::invalid_argument("ホスト名に使えない文字があります");
    loc.host = hostPort;
    auto sep = path.find('/');
    loc.share = path.substr(0, sep);
    if (loc.share.empty()) throw std::invalid_argument("共有名がありません。smb://ホスト[:ポート]/共有名 の形で指定してください");
    if (sep != std::string::npos) loc.folder = path.substr(sep + 1);
    if (path.find("..") != std::string::npos) throw std::invalid_argument("パスに .. は使えません");
    return loc;
}

// A context leased from the pool for one operation; broken ones are closed instead of given back.
class SmbShareFolder::Lease {
public:
    explicit Lease(SmbShareFolder& owner) : owner_(owner), p_(owner.take()) {}
    ~Lease() { owner_.giveBack(p_, broken_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SMBCCTX* ctx() const { return p_.ctx; }
    void broken() { broken_ = true; }

private:
    SmbShareFolder& owner_;
    Pooled p_;
    bool broken_ = false;
};

SmbShareFolder::SmbShareFolder(SmbSettings settings) : settings_(std::move(settings)), where_(parseSmbUrl(settings_.url)) {
    settings_.connections = std::max<size_t>(1, settings_.connections);
}

SmbShareFolder::~SmbShareFolder() {
    std::lock_guard<std::mutex> library(libraryMutex);
    std::lock_guard<std::mutex> l(mutex_);
    for (auto& p : idle_) smbc_free_context(p.ctx, 1);
    idle_.clear();
}

std::string SmbShareFolder::describe() const {
    return "smb://" + where_.host + (where_.port ? ":" + std::to_string(where_.port) : "") + "/" + where_.share +
           (where_.folder.empty() ? "" : "/" + where_.folder);
}

std::string SmbShareFolder::url(const std::string& folder, const std::string& name) const {
    std::string u = "smb://" + where_.host + "/" + percentEncoded(where_.share);
    if (!where_.folder.empty()) u += "/" + percentEncoded(where_.folder);
    u += "/" + percentEncoded(folder);
    if (!name.empty()) u += "/" + percentEncoded(name);
    return u;
}

SMBCCTX* SmbShareFolder::connect() {
    SMBCCTX* ctx = smbc_new_context();
    if (!ctx) throw ShareUnavailable("資格確認端末の共有フォルダ: SMBクライアントを初期化できません");
    smbc_setDebug(ctx, 0);
    smbc_setOptionUserData(ctx, this);
    smbc_setFunctionAuthDataWithContext(ctx, authenticate);
    smbc_setTimeout(ctx, settings_.timeoutSeconds * 1000);
    smbc_setPort(ctx, where_.port);
    // The account's password only: no Kerberos ticket of the box's own, never a guest or anonymous session.
    smbc_setOptionUseKerberos(ctx, 0);
    smbc_setOptionFallbackAfterKerberos(ctx, 1);
    smbc_setOptionNoAutoAnonymousLogin(ctx, 1);
    // SMB1 is switched off on current Windows, and should be.
    smbc_setOptionProtocols(ctx, "SMB2_02", "SMB3");
    if (!smbc_init_context(ctx)) {
        int err = errno;
        smbc_free_context(ctx, 1);
        throw ShareUnavailable(describeError("SMBクライアントの初期化", err));
    }
    return ctx;
}

SmbShareFolder::Pooled SmbShareFolder::take() {
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
        while (!idle_.empty()) {
            Pooled p = idle_.back();
            idle_.pop_back();
            if (p.generation == generation_) return p;
            smbc_free_context(p.ctx, 1);  // from before a connection failure
            --open_;
        }
        if (open_ < settings_.connections) break;
        available_.wait(l);
    }
    ++open_;
    uint64_t generation = generation_;
    l.unlock();
    try {
        return {connect(), generation};
    } catch (...) {
        l.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

void SmbShareFolder::giveBack(Pooled p, bool broken) {
    std::lock_guard<std::mutex> l(mutex_);
    if (broken) {
        smbc_free_context(p.ctx, 1);
        --open_;
        ++generation_;  // the others' connections went the same way
    } else {
        idle_.push_back(p);
    }
    available_.notify_one();
}

namespace {
// Runs `op` on a leased context; after a lost connection, an operation that may safely run twice (listing,
// reading, writing a whole file, removing) is tried once more on a fresh connection.
template <typename Lease, typename Owner, typename Op>
auto leased(Owner& owner, bool idempotent, Op op) -> decltype(op(static_cast<SMBCCTX*>(nullptr))) {
    for (int attempt = 0;; ++attempt) {
        std::lock_guard<std::mutex> library(libraryMutex);  // held until the lease is given back
        Lease lease(owner);
        try {
            return op(lease.ctx());
        } catch (const ConnectionLost& e) {
            lease.broken();
            if (!idempotent || attempt > 0) throw ShareUnavailable(e.what());
        } catch (const ShareUnavailable&) {
            lease.broken();
            throw;
        }
    }
}
}  // namespace

std::vector<ShareEntry> SmbShareFolder::list(const std::string& folder) {
    const std::string u = url(folder);
    return leased<Lease>(*this, true, [&](SMBCCTX* ctx) {
        SMBCFILE* dir = smbc_getFunctionOpendir(ctx)(ctx, u.c_str());
        if (!dir) fail(folder + "/ の一覧", errno);
        std::vector<ShareEntry> out;
        while (const libsmb_file_info* info = smbc_getFunctionReaddirPlus(ctx)(ctx, dir)) {
            if (!info->name || (info->attrs & kDirectoryAttribute)) continue;
            out.push_back({info->name, int64_t(info->size), int64_t(info->mtime_ts.tv_sec) * 1000000000 + info->mtime_ts.tv_nsec});
        }
        smbc_getFunctionClosedir(ctx)(ctx, dir);
        return out;
    });
}

std::optional<std::string> SmbShareFolder::read(const std::string& folder, const std::string& name, size_t maxBytes) {
    const std::string u = url(folder, name);
    return leased<Lease>(*this, true, [&](SMBCCTX* ctx) -> std::optional<std::string> {
        SMBCFILE* f = smbc_getFunctionOpen(ctx)(ctx, u.c_str(), O_RDONLY, 0);
        if (!f) {
            if (errno == ENOENT) return std::nullopt;
            fail(folder + "/ のファイルの読み込み", errno);
        }
        std::string out;
        char buf[65536];
        for (;;) {
            ssize_t n = smbc_getFunctionRead(ctx)(ctx, f, buf, sizeof buf);
            if (n < 0) {
                int err = errno;
                smbc_getFunctionClose(ctx)(ctx, f);
                fail(folder + "/ のファイルの読み込み", err);
            }
            if (n == 0) break;
            out.append(buf, size_t(n));
            if (out.size() > maxBytes) {
                smbc_getFunctionClose(ctx)(ctx, f);
                throw ShareUnavailable("資格確認端末の共有フォルダ: " + folder + "/ のファイルが大きすぎます");
            }
        }
        smbc_getFunctionClose(ctx)(ctx, f);
        return out;
    });
}

void SmbShareFolder::write(const std::string& folder, const std::string& name, const std::string& bytes) {
    const std::string u = url(folder, name);
    leased<Lease>(*this, true, [&](SMBCCTX* ctx) {
        SMBCFILE* f = smbc_getFunctionCreat(ctx)(ctx, u.c_str(), 0644);  // O_CREAT | O_WRONLY | O_TRUNC
        if (!f) fail(folder + "/ へのファイルの書き込み", errno);
        size_t done = 0;
        while (done < bytes.size()) {
            ssize_t n = smbc_getFunctionWrite(ctx)(ctx, f, bytes.data() + done, bytes.size() - done);
            if (n <= 0) {
                int err = n < 0 ? errno : EIO;
                smbc_getFunctionClose(ctx)(ctx, f);
                fail(folder + "/ へのファイルの書き込み", err);
            }
            done += size_t(n);
        }
        // Closing is what commits the last write on the server: its failure is a failed write.
        if (smbc_getFunctionClose(ctx)(ctx, f) != 0) fail(folder + "/ へのファイルの書き込み", errno);
        return 0;
    });
}

bool SmbShareFolder::rename(const std::string& folder, const std::string& from, const std::string& to) {
    const std::string a = url(folder, from), b = url(folder, to);
    // Never tried twice: a rename that was done but whose answer was lost would look like "someone took it".
    return leased<Lease>(*this, false, [&](SMBCCTX* ctx) {
        if (smbc_getFunctionRename(ctx)(ctx, a.c_str(), ctx, b.c_str()) == 0) return true;
        if (errno == ENOENT) return false;
        fail(folder + "/ のファイル名の変更", errno);
    });
}

bool SmbShareFolder::remove(const std::string& folder, const std::string& name) {
    const std::string u = url(folder, name);
    return leased<Lease>(*this, true, [&](SMBCCTX* ctx) {
        if (smbc_getFunctionUnlink(ctx)(ctx, u.c_str()) == 0) return true;
        if (errno == ENOENT) return false;
        fail(folder + "/ のファイルの削除", errno);
    });
}

}  // namespace kh::upstream

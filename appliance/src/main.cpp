// kakehashi — the gateway binary: serve, version, check-config, api-client, config export/import.
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "admin/backup_routes.hpp"
#include "base/files.hpp"
#include "app/config.hpp"
#include "app/gateway.hpp"
#include "app/plugin_cli.hpp"
#include "base/log.hpp"
#include "model/address_range.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "services/home_reception.hpp"
#include "store/api_clients.hpp"
#include "store/audit_log.hpp"
#include "store/backup.hpp"
#include "store/settings.hpp"

namespace {
int usage() {
    std::cerr << "使い方 (usage):\n"
                 "  kakehashi serve --config FILE          ゲートウェイを起動 (run the gateway)\n"
                 "  kakehashi check-config --config FILE   設定を検査 (check the configuration)\n"
                 "  kakehashi api-client add NAME [--allow CIDR,...] [--expires-days N] --config FILE\n"
                 "                                          HTTP APIクライアントのトークンを発行 (issue a client token;\n"
                 "                                          365日で失効、0 は無期限 / expires in 365 days, 0: never)\n"
                 "  kakehashi api-client list --config FILE  APIクライアントの一覧 (list clients; never their tokens)\n"
                 "  kakehashi home-reception set-url URL --config FILE  マイナ在宅受付WebのURLを手動設定 (set by hand)\n"
                 "  kakehashi plugin new|test|sign|keygen …   アダプタープラグインの開発 (adapter plugin kit)\n"
                 "  kakehashi audit verify [--log FILE] --config FILE\n"
                 "                                          監査ログの改ざん検査 (verify the audit log's chain and checkpoints;\n"
                 "                                          FILE: the gateway's log, e.g. journalctl -u kakehashi -o cat)\n"
                 "  kakehashi config export --config FILE   設定をJSONで出力 (print the settings as JSON)\n"
                 "  kakehashi config import FILE --config FILE\n"
                 "                                          出力した設定を取り込み (import exported settings)\n"
                 "  kakehashi version\n";
    return 2;
}

std::string option(const std::vector<std::string>& args, const std::string& name, const std::string& fallback = "") {
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) return args[i + 1];
    return fallback;
}

kh::app::Config loadChecked(const std::vector<std::string>& args) {
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    kh::app::applyStoredSettings(config);  // what the web admin set counts, before it is checked
    for (const auto& p : kh::app::setupPending(config))
        if (config.adminEnabled) kh::log::warn("config.setup_pending", {{"what", p}});
    auto problems = kh::app::checkConfig(config);
    if (!problems.empty()) {
        for (const auto& p : problems) std::cerr << "設定エラー (config error): " << p << "\n";
        throw std::runtime_error("configuration has " + std::to_string(problems.size()) + " problem(s)");
    }
    kh::log::Level level;
    kh::log::parseLevel(config.logLevel, level);
    kh::log::setLevel(level);
    return config;
}

// A restore staged in the web admin is applied before anything opens the store (the data key changes with
// it) and before the configuration is checked (it may bring certificate files back). Returns whether the
// process must start again first: a new data key is sealed by the root helper before the next start.
bool applyStagedRestore(const std::vector<std::string>& args) {
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    try {
        auto restored = kh::store::applyStagedRestore(kh::app::databasePath(config), config.keyDir, config.stateDir);
        return restored && restored->replacesDataKey && kh::store::DataKey::replaceTakesRestart();
    } catch (const std::exception& e) {
        std::cerr << "バックアップからの復元を適用できません (the staged restore was not applied): " << e.what() << "\n";
        throw;
    }
}

// Blocks SIGTERM/SIGINT in every thread, then waits for one in the main thread: a clean drain, not a kill.
// Every idle keep-alive connection is a descriptor: the soft limit (often 1024) goes up to the hard one.
void allowManyConnections() {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 1u << 20);
    ::setrlimit(RLIMIT_NOFILE, &files);
}

int serve(const std::vector<std::string>& args) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);  // the web admin asks for a restart (after a restore)
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    allowManyConnections();
    if (applyStagedRestore(args)) {
        // The running process still holds the old key's credential; the unit starts it again (Restart=),
        // and kakehashi-keys seals the restored key before that.
        kh::log::info("backup.restored_key_to_seal", {{"exitStatus", "75"}});
        return 75;
    }
    auto config = loadChecked(args);
    kh::store::warnWhenKeysInClear(config.keyDir);
    kh::app::Gateway gateway(config);
    gateway.start();
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) gateway.reloadPlugins();  // SIGHUP: reload plugins
    kh::log::info("signal.received", {{"signal", sig == SIGTERM ? "SIGTERM" : sig == SIGUSR1 ? "restart" : "SIGINT"}});
    gateway.stop();
    return sig == SIGUSR1 ? 75 : 0;  // 75 (EX_TEMPFAIL): systemd's Restart=on-failure starts it again
}

// kakehashi home-reception set-url URL: the マイナ在宅受付Web URL set by hand (recorded as "cli").
int homeReception(const std::vector<std::string>& args) {
    if (args.size() < 3 || args[1] != "set-url") return usage();
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    kh::store::Store store(kh::app::databasePath(config), config.keyDir);
    kh::store::Settings settings(store);
    kh::services::HomeReceptionService service(settings, nullptr, config.facilityName);  // no central system here
    auto url = service.setByHand(args[2], "cli");
    std::cout << "設定しました (set): " << url.url << std::endl;
    return 0;
}

// Lines of a log file (`journalctl -u kakehashi -o cat > FILE`): the audit.checkpoint lines among them are
// witnesses the database cannot change.
std::vector<std::string> logLines(const std::string& path) {
    std::vector<std::string> lines;
    if (path.empty()) return lines;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the log file " + path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// kakehashi audit verify [--log FILE]: checks the audit log's keyed chain, its checkpoints and the anchor
// file; exit 0 intact, 1 broken (the first broken row named first, then every problem found).
int audit(const std::vector<std::string>& args) {
    if (args.size() < 2 || args[1] != "verify") return usage();
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    auto lines = logLines(option(args, "--log"));
    kh::store::Store store(kh::app::databasePath(config), config.keyDir);
    auto verdict = kh::store::AuditLog(store).verify(lines);
    if (!verdict.intact()) {
        const auto& first = verdict.problems.front();
        std::cout << "監査ログが改ざんされています: " << first.ja << " (audit log broken"
                  << (first.row ? " at row " + std::to_string(*first.row) : std::string()) << ": " << first.en << ")"
                  << std::endl;
        for (size_t i = 1; i < verdict.problems.size(); ++i)
            std::cout << "  " << verdict.problems[i].ja << " (" << verdict.problems[i].en << ")" << std::endl;
        return 1;
    }
    std::cout << "監査ログは改ざんされていません: " << verdict.rowsChecked << " 行を検査 (audit log intact: "
              << verdict.rowsChecked << " rows checked";
    if (verdict.newestCheckpoint)
        std::cout << "; newest checkpoint " << verdict.newestCheckpoint->id << " at row " << verdict.newestCheckpoint->rowId;
    std::cout << ")" << std::endl;
    return 0;
}

// kakehashi config export | import FILE: the settings kept in the store as a JSON document, and back
// (every value checked before any is set; changes recorded as "cli").
int configCommand(const std::vector<std::string>& args) {
    bool exporting = args.size() >= 2 && args[1] == "export";
    if (!exporting && (args.size() < 3 || args[1] != "import")) return usage();
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    kh::store::Store store(kh::app::databasePath(config), config.keyDir);
    kh::store::Settings settings(store);
    if (exporting) {
        std::cout << kh::admin::exportConfiguration(settings) << std::endl;
        return 0;
    }
    const std::string document = kh::base::readFile(args[2]);
    try {
        auto changed = kh::admin::importConfiguration(settings, document, "cli");
        std::cout << "取り込みました (imported): " << changed.size() << " 件の変更 (changed)";
        for (const auto& key : changed) std::cout << (&key == &changed.front() ? ": " : ", ") << key;
        std::cout << std::endl;
    } catch (const kh::model::KakehashiError& e) {
        std::cerr << "設定を取り込めません。何も変更していません (import refused, nothing changed): " << e.what() << std::endl;
        return 1;
    }
    return 0;
}

// --expires-days N: 0 (never) only when given; absent: the default year.
int validDays(const std::vector<std::string>& args) {
    std::string days = option(args, "--expires-days");
    if (days.empty()) return kh::store::ApiClients::kDefaultValidDays;
    bool digits = days.size() <= 5 && std::all_of(days.begin(), days.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits)
        throw kh::model::KakehashiError(kh::model::ErrorId::InvalidField,
                                        "--expires-days: 日数を整数で指定してください (a whole number of days; 0 for never): " + days);
    return std::stoi(days);
}

std::string japanTime(int64_t t) { return kh::model::japanIso8601(kh::model::fromUnixSeconds(t)); }

// kakehashi api-client add NAME [--allow CIDR,...] [--expires-days N]: the token on stdout, once; the
// issue is audited like one made in the web admin.
int addApiClient(const std::vector<std::string>& args, kh::store::Store& store) {
    const std::string& name = args[2];
    auto cidrs = kh::model::parseAddressRanges(option(args, "--allow"));
    int days = validDays(args);
    std::string token = kh::store::ApiClients(store).issue(name, cidrs, days);
    kh::store::AuditLog(store).append("cli", "admin.api-client-issued", "api-client:" + name,
                                      std::to_string(cidrs.size()) + " CIDR, expires " +
                                          (days ? "in " + std::to_string(days) + " days" : "never"));
    std::cout << token << std::endl;  // shown once; only its hash is kept
    std::cerr << "有効期限 (expires): "
              << (days ? japanTime(kh::store::nowSeconds() + int64_t(days) * 86400) : std::string("無期限 (never)")) << std::endl;
    return 0;
}

// kakehashi api-client list: name, allowed addresses, created, expires — never a token.
int listApiClients(kh::store::Store& store) {
    int64_t now = kh::store::nowSeconds();
    std::cout << "名前 (name)\t許可アドレス (allowed)\t発行 (created)\t有効期限 (expires)" << std::endl;
    for (const auto& c : kh::store::ApiClients(store).list()) {
        std::string allowed;
        for (const auto& cidr : c.allowCidrs) allowed += (allowed.empty() ? "" : ",") + cidr;
        std::string expires = !c.expiresAt ? "無期限 (never)"
                              : c.expired(now) ? japanTime(*c.expiresAt) + " 期限切れ (expired)"
                                               : japanTime(*c.expiresAt);
        std::cout << c.name << "\t" << (allowed.empty() ? "すべて (any)" : allowed) << "\t" << japanTime(c.createdAt) << "\t"
                  << expires << std::endl;
    }
    return 0;
}

int apiClient(const std::vector<std::string>& args) {
    bool adding = args.size() >= 3 && args[1] == "add", listing = args.size() >= 2 && args[1] == "list";
    if (!adding && !listing) return usage();
    auto config = kh::app::loadConfig(option(args, "--config", "/etc/kakehashi/kakehashi.json"));
    kh::store::Store store(kh::app::databasePath(config), config.keyDir);
    if (listing) return listApiClients(store);
    try {
        return addApiClient(args, store);
    } catch (const kh::model::KakehashiError& e) {
        std::cerr << "トークンを発行できません。何も変更していません (not issued, nothing changed): " << e.what() << std::endl;
        return 1;
    }
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();
    try {
        if (args[0] == "version") {
            std::cout << "kakehashi " << KAKEHASHI_VERSION << std::endl;
            return 0;
        }
        if (args[0] == "serve") return serve(args);
        if (args[0] == "check-config") {
            loadChecked(args);
            std::cout << "設定に問題はありません (configuration OK)" << std::endl;
            return 0;
        }
        if (args[0] == "api-client") return apiClient(args);
        if (args[0] == "plugin") return kh::app::pluginCommand(args);
        if (args[0] == "home-reception") return homeReception(args);
        if (args[0] == "audit") return audit(args);
        if (args[0] == "config") return configCommand(args);
    } catch (const std::exception& e) {
        kh::log::error("fatal", {{"error", e.what()}});
        return 1;
    }
    return usage();
}

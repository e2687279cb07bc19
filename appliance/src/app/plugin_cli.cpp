#include "app/plugin_cli.hpp"

#include <algorithm>
#include <iostream>

#include "plugins/conformance.hpp"
#include "plugins/signature.hpp"

namespace kh::app {
namespace {
int usage() {
    std::cerr << "使い方 (usage):\n"
                 "  kakehashi plugin new <id> [--dir DIR]              プラグインの雛形を作成 (scaffold a plugin)\n"
                 "  kakehashi plugin test <dir> [--trusted-key PEM]… [--record]\n"
                 "                                                    適合性テスト (conformance test and report)\n"
                 "  kakehashi plugin sign <dir> --key PRIVATE.pem       署名 (sign the bundle)\n"
                 "  kakehashi plugin keygen PRIVATE.pem PUBLIC.pem      署名鍵の作成 (make an Ed25519 key pair)\n";
    return 2;
}

std::vector<std::string> options(const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) out.push_back(args[i + 1]);
    return out;
}
}  // namespace

int pluginCommand(const std::vector<std::string>& args) {
    if (args.size() < 3) return usage();
    const std::string& verb = args[1];
    if (verb == "new") {
        auto dir = options(args, "--dir");
        plugins::scaffoldPlugin(dir.empty() ? "." : dir.back(), args[2]);
        std::cout << "作成しました (created): " << (dir.empty() ? "." : dir.back()) << "/" << args[2] << "\n";
        return 0;
    }
    if (verb == "test") {
        bool record = std::find(args.begin(), args.end(), "--record") != args.end();
        auto report = plugins::runConformance(args[2], options(args, "--trusted-key"), record);
        std::cout << report.text();
        return report.passed() ? 0 : 1;
    }
    if (verb == "sign") {
        auto key = options(args, "--key");
        if (key.empty()) return usage();
        plugins::signBundle(args[2], key.back());
        std::cout << "署名しました (signed): " << args[2] << "/plugin.sig\n";
        return 0;
    }
    if (verb == "keygen" && args.size() >= 4) {
        plugins::generateSigningKey(args[2], args[3]);
        std::cout << "鍵を作成しました (key pair written): " << args[2] << " " << args[3] << "\n";
        return 0;
    }
    return usage();
}

}  // namespace kh::app

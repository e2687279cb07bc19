// A sandbox whose plugin runs Lua snippets — run(code, ...) is load(code)(...) inside a real sandbox with
// the host library — and a capture of what the process writes to stderr (where log lines go), for the
// plugin unit tests.
#pragma once
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "plugins/host_library.hpp"
#include "plugins/sandbox.hpp"

namespace kh::test {

inline plugins::HostContext snippetsContext() {
    plugins::HostContext context;
    context.pluginId = "snippets";
    context.pluginVersion = "0.0.1";
    context.visibleSettingsJson = R"({"mode":"test"})";
    return context;
}

class Snippets {
public:
    explicit Snippets(plugins::SandboxLimits limits = {}, plugins::HostContext context = snippetsContext()) {
        dir_ = tempDir("host");
        std::ofstream(dir_ + "/adapter.lua")
            << "return { run = function(code, ...) return assert(load(code, '=snippet'))(...) end }\n";
        sandbox_ = std::make_unique<plugins::Sandbox>(dir_, limits);
        plugins::installHostLibrary(*sandbox_, context);
        sandbox_->loadEntry("adapter.lua");
    }
    ~Snippets() {
        std::remove((dir_ + "/adapter.lua").c_str());
        std::remove((dir_ + "/outside.lua").c_str());
        ::rmdir(dir_.c_str());
    }
    Snippets(const Snippets&) = delete;
    Snippets& operator=(const Snippets&) = delete;

    const std::string& dir() const { return dir_; }

    plugins::Value run(const std::string& code, std::vector<plugins::Value> args = {}) {
        args.insert(args.begin(), plugins::Value::fromString(code));
        return sandbox_->call("run", args);
    }
    std::string text(const std::string& code, std::vector<plugins::Value> args = {}) {
        const plugins::Value v = run(code, std::move(args));
        return v.isString() ? v.text : std::string("<") + v.typeName() + ">";
    }
    std::string error(const std::string& code) {
        try {
            run(code);
        } catch (const plugins::AdapterError& e) {
            return e.what();
        }
        return "<no error>";
    }

private:
    std::string dir_;
    std::unique_ptr<plugins::Sandbox> sandbox_;
};

// Everything written to stderr while `f` runs.
template <class F>
std::string capturedStderr(F&& f) {
    std::fflush(stderr);
    const int saved = ::dup(2);
    std::FILE* capture = std::tmpfile();
    ::dup2(::fileno(capture), 2);
    f();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::rewind(capture);
    std::string out;
    char buffer[512];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, capture)) > 0;) out.append(buffer, n);
    std::fclose(capture);
    return out;
}

}  // namespace kh::test

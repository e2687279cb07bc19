// kakehashi-central-sim: plays the central system (オンライン資格確認等システム) in profile v1 for the
// appliance's integration tests and the demo. Wires the population, the HTTPS API server (mTLS) and the
// loopback control server, prints the ready line, and runs until SIGTERM or SIGINT.
#include <csignal>
#include <iostream>
#include <memory>

#include <Poco/ErrorHandler.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

#include "api_server.hpp"
#include "control_handlers.hpp"
#include "event_log.hpp"
#include "options.hpp"
#include "sim_state.hpp"
#include "tls.hpp"

namespace {

using namespace ksim;

// Errors escaping a connection thread (TLS failures, resets) become log lines instead of vanishing.
class LoggingErrorHandler : public Poco::ErrorHandler {
public:
    void exception(const Poco::Exception& e) override { logEvent("connection.error", {{"error", e.displayText()}}); }
    void exception(const std::exception& e) override { logEvent("connection.error", {{"error", e.what()}}); }
    void exception() override { logEvent("connection.error", {{"error", "unknown"}}); }
};

Poco::Net::HTTPServerParams::Ptr serverParams(int threads) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(512);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(10000);
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    params->setTimeout(Poco::Timespan(60, 0));
    return params;
}

std::string url(const char* scheme, const Poco::Net::SocketAddress& address) {
    std::string host = address.host().toString();
    if (address.family() == Poco::Net::SocketAddress::IPv6) host = "[" + host + "]";
    return std::string(scheme) + "://" + host + ":" + std::to_string(address.port());
}

// Blocks the stop signals in every thread; main then waits for them with sigwait.
sigset_t blockStopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

std::unique_ptr<SimState> makeState(const Options& options) {
    InstitutionMap institutions;
    std::string error;
    if (!institutions.parse(options.institutionMap, error)) throw std::invalid_argument(error);
    auto started = std::chrono::steady_clock::now();
    auto state = std::make_unique<SimState>(options, Population::generate(options.seed, options.population),
                                            std::move(institutions));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    logEvent("population.ready", {{"seed", std::to_string(options.seed)},
                                  {"persons", std::to_string(state->population.persons().size())},
                                  {"insurers", std::to_string(state->population.insurers().size())},
                                  {"ms", std::to_string(ms.count())}});
    return state;
}

int run(const Options& options) {
    sigset_t stopSignals = blockStopSignals();
    static LoggingErrorHandler errorHandler;
    Poco::ErrorHandler::set(&errorHandler);
    Poco::Net::SocketAddress controlAddress(options.control);
    if (!controlAddress.host().isLoopback())
        throw std::invalid_argument("--control must be a loopback address (127.x or ::1)");
    std::unique_ptr<SimState> state = makeState(options);

    Poco::Net::SecureServerSocket apiSocket(Poco::Net::SocketAddress(options.listen), 128,
                                            makeServerContext(options.cert, options.key, options.clientCa));
    Poco::Net::ServerSocket controlSocket(controlAddress, 64);
    state->controlBaseUrl = url("http", controlSocket.address());  // the home-reception pages live there
    Poco::ThreadPool apiPool(2, options.threads + 2);
    Poco::ThreadPool controlPool(1, 8);
    Poco::Net::HTTPServer api(makeApiHandlerFactory(*state), apiPool, apiSocket, serverParams(options.threads));
    Poco::Net::HTTPServer control(makeControlHandlerFactory(*state), controlPool, controlSocket, serverParams(4));
    api.start();
    control.start();
    std::cout << "central-sim ready api=" << url("https", apiSocket.address())
              << " control=" << url("http", controlSocket.address()) << std::endl;

    int signal = 0;
    sigwait(&stopSignals, &signal);
    logEvent("stopping", {{"signal", std::to_string(signal)}});
    api.stopAll(true);
    control.stopAll(true);
    apiPool.joinAll();
    controlPool.joinAll();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ksim::ParsedOptions parsed = ksim::parseOptions(argc, argv);
    if (parsed.help) {
        std::cout << ksim::usageText();
        return 0;
    }
    if (!parsed.ok) {
        std::cerr << "kakehashi-central-sim: " << parsed.error << "\n" << ksim::usageText();
        return 2;
    }
    Poco::Net::initializeSSL();
    int rc = 1;
    try {
        rc = run(parsed.options);
    } catch (const Poco::Exception& e) {
        ksim::logEvent("fatal", {{"error", e.displayText()}});
    } catch (const std::exception& e) {
        ksim::logEvent("fatal", {{"error", e.what()}});
    }
    Poco::Net::uninitializeSSL();
    return rc;
}

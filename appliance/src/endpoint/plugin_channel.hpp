// Channels bound to vendor adapter plugins. Vendor files are taken from <share>/<folder>/in/ (the
// manifest's pattern), HTTP requests arrive on /api/v1/adapters/{id}/{route}. Each message is recorded
// before it is acknowledged, decoded by its plugin into inquiries, answered through the eligibility
// service (cache or live, queued while the link is down), encoded back by the plugin, and delivered:
// files into out/, or a push to the plugin's callback URL. A message the plugin cannot handle goes to
// the dead letters with a clear error; the gateway carries on.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include "endpoint/metrics.hpp"
#include "endpoint/routes.hpp"
#include "endpoint/answer_retries.hpp"
#include "endpoint/folder_watch.hpp"
#include "endpoint/share_inbox.hpp"
#include "plugins/registry.hpp"
#include "services/eligibility_service.hpp"
#include "store/dead_letters.hpp"
#include "store/inbound_files.hpp"
#include "store/journal.hpp"

namespace kh::endpoint {

class PluginChannel {
public:
    PluginChannel(std::string shareRoot, int pollMillis, int settleMillis, plugins::PluginRegistry& registry,
                  store::InboundFiles& inbound, store::DeadLetters& deadLetters, store::Journal& journal,
                  services::EligibilityService& eligibility, Metrics& metrics);
    void start();
    void stop();
    void scanOnce();
    // POST /api/v1/adapters/{id}/{route}
    HttpReply handleHttp(const std::string& pluginId, const std::string& route, HttpCall& call);
    std::string statusJson();  // every configured plugin: id, version, state, problem

private:
    void takeFiles(const plugins::PluginStatus& plugin, const plugins::ChannelBinding& binding);
    void take(const plugins::PluginStatus& plugin, const plugins::ChannelBinding& binding, ShareInbox& inbox,
              const IncomingFile& in);
    ShareInbox& inboxFor(const std::string& folder);
    void process(const store::InboundFile& f);
    void attempt(const store::InboundFile& f);
    bool deliver(const store::InboundFile& f, const std::vector<plugins::ChannelMessage>& outputs);
    void deadLetter(const store::InboundFile& f, model::ErrorId id, const std::string& detail);
    plugins::AnswerSet answerEntries(const plugins::ChannelMessage& msg, const plugins::DecodedRequest& decoded,
                                     std::vector<int64_t>& tickets, bool& complete);

    std::string shareRoot_;
    int settleMillis_;
    int pollMillis_;
    plugins::PluginRegistry& registry_;
    store::InboundFiles& inbound_;
    store::DeadLetters& deadLetters_;
    store::Journal& journal_;
    services::EligibilityService& eligibility_;
    Metrics& metrics_;
    std::map<std::string, std::unique_ptr<ShareInbox>> inboxes_;  // by vendor folder
    AnswerRetries retries_;
    base::BackgroundLoop loop_;
    FolderWatch watch_;
};

}  // namespace kh::endpoint

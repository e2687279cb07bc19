// Pushes a vendor adapter's output to the vendor's callback URL (http or https), with a bearer token when
// one is configured. A push that fails is retried later by the caller; nothing is dropped.
#pragma once
#include <string>

namespace kh::endpoint {

struct WebhookResult {
    bool delivered = false;
    std::string problem;  // why not, for the log (no body, no patient data)
};

WebhookResult pushWebhook(const std::string& url, const std::string& bearerToken, const std::string& contentType,
                          const std::string& body, int timeoutSeconds = 10);

}  // namespace kh::endpoint

// Plugin settings: validated against the plugin's schema (a JSON-Schema subset) before the plugin runs.
// Subset: "type" (object, string, integer, number, boolean, array), "properties", "required", "enum",
// "minimum", "maximum", "minLength", "maxLength", "pattern" (ECMAScript regex), "default", "title",
// "description", and Kakehashi's own "secret": true (the value is never shown to the plugin or in the UI).
#pragma once
#include <string>
#include <vector>

namespace kh::plugins {

// Problems with `settingsJson` against `schemaJson`, each naming the setting ("settings.url: …"); empty
// when valid. A schema that is itself malformed is reported as a problem too.
std::vector<std::string> validateSettings(const std::string& schemaJson, const std::string& settingsJson);
// The settings with defaults filled in and every secret property removed: what the plugin may read.
std::string visibleSettings(const std::string& schemaJson, const std::string& settingsJson);
// The value of one secret setting, for the host's own use (e.g. a webhook's authorisation header).
std::string secretSetting(const std::string& settingsJson, const std::string& name);

}  // namespace kh::plugins

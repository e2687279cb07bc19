// `kakehashi plugin …`: the vendor's conformance kit and the signing tools.
#pragma once
#include <string>
#include <vector>

namespace kh::app {
// args[0] == "plugin". Returns the process exit code.
int pluginCommand(const std::vector<std::string>& args);
}  // namespace kh::app

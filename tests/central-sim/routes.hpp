// Path patterns of the route tables ("/v1/qualifications/batches/{reception}"): a {name} segment
// matches one non-empty path segment and is captured in order.
#pragma once
#include <string>
#include <vector>

namespace ksim {

bool matchPath(const std::string& pattern, const std::string& path, std::vector<std::string>& captured);

}  // namespace ksim

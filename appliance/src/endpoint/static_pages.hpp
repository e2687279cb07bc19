// The staff pages of web-admin/ (plain HTML, CSS, ES modules and the i18n tables), served as files from
// the installed folder. Only names of one segment are served, so nothing outside the folder can be
// asked for; every page carries a strict Content-Security-Policy and may not be framed.
#pragma once
#include <string>
#include <vector>


#include "endpoint/routes.hpp"

namespace kh::endpoint {
struct PageFolder {
    std::string name;   // "staff": /staff and /staff/{file} from <root>/staff
    std::string index;  // the file /<name> answers
};
// The folders' pages and the i18n tables (/i18n/{file}).
std::vector<Route> staticPageRoutes(const std::string& webAdminRoot, const std::vector<PageFolder>& folders);
}  // namespace kh::endpoint

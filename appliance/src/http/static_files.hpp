// The web pages (plain HTML, CSS, ES modules and the i18n tables), served as files from the installed
// folder for the staff page and the web admin. Only names of one segment are served, so nothing outside
// the folder can be asked for; every page carries a strict Content-Security-Policy and may not be framed.
#pragma once
#include <string>
#include <vector>

#include "http/route.hpp"

namespace kh::http {

struct PageFolder {
    std::string name;   // "staff": /staff and /staff/{file} from <root>/staff; "admin/views" works the same
    std::string index;  // the file /<name> answers; empty: the folder holds parts of a page, not a page
};

// The folders' pages and the i18n tables (/i18n/{file}); public, answered on the network thread.
std::vector<Route> staticPageRoutes(const std::string& webAdminRoot, const std::vector<PageFolder>& folders);
// The Content-Security-Policy of every page and of the admin API's answers.
extern const char* const kPagePolicy;

}  // namespace kh::http

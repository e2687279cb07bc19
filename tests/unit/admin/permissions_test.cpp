// Tests of the web admin's permissions (permissions.cpp): what each role may do — 管理者 everything,
// 受付・訪問スタッフ (operator) the dashboard and card checks, 監査担当 (auditor) the dashboard and the audit log,
// read only — and the route tables that lean on it: every route names a permission, only the way in is
// public, and every state-changing signed-in route asks for the CSRF token.
#include <catch2/catch.hpp>

#include <iterator>
#include <set>

#include "../temp_dir.hpp"
#include "admin/audit_routes.hpp"
#include "admin/auth_routes.hpp"
#include "admin/channel_routes.hpp"
#include "admin/settings_routes.hpp"
#include "admin/system_routes.hpp"
#include "admin/user_routes.hpp"

using namespace kh;
using admin::Permission;
using admin::roleHas;
using store::Role;

namespace {
const Permission kAll[] = {Permission::Public,         Permission::SignedIn,   Permission::ViewDashboard, Permission::RunCardChecks,
                           Permission::ViewAudit,      Permission::ManageUsers, Permission::ManageSettings};

std::set<Permission> granted(Role role) {
    std::set<Permission> out;
    for (auto p : kAll)
        if (roleHas(role, p)) out.insert(p);
    return out;
}

// The route tables that need no more than a store.
struct Tables {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::AuditLog audit{store};
    store::Users users{store};
    store::Sessions sessions{store};
    store::SetupCode setupCode{store};
    store::SignInThrottle throttle;
    store::Settings settings{store};
    store::ApiClients clients{store};
    services::SystemSetup system{services::SystemSetupSettings{}};

    std::vector<admin::AdminRoute> all() {
        std::vector<admin::AdminRoute> out;
        auto add = [&out](std::vector<admin::AdminRoute> more) {
            for (auto& r : more) out.push_back(std::move(r));
        };
        add(admin::authRoutes({users, sessions, setupCode, audit, throttle}));
        add(admin::userRoutes(users, sessions, audit));
        add(admin::auditRoutes(audit));
        add(admin::settingsRoutes(settings, audit, {}));
        add(admin::channelRoutes({}, clients, audit));
        add(admin::systemRoutes(system, audit));
        return out;
    }
};
}  // namespace

TEST_CASE("an administrator may do everything", "[admin][permissions]") {
    CHECK(granted(Role::Administrator).size() == std::size(kAll));
}

TEST_CASE("an operator sees the dashboard and runs card checks, nothing else", "[admin][permissions]") {
    CHECK(granted(Role::Operator) ==
          std::set<Permission>{Permission::Public, Permission::SignedIn, Permission::ViewDashboard, Permission::RunCardChecks});
}

TEST_CASE("an auditor sees the dashboard and the audit log, and changes nothing", "[admin][permissions]") {
    CHECK(granted(Role::Auditor) ==
          std::set<Permission>{Permission::Public, Permission::SignedIn, Permission::ViewDashboard, Permission::ViewAudit});
}

TEST_CASE("each permission has a name of its own for the route list", "[admin][permissions]") {
    std::set<std::string> names;
    for (auto p : kAll) names.insert(admin::permissionName(p));
    CHECK(names.size() == std::size(kAll));
    CHECK(std::string(admin::permissionName(Permission::ManageSettings)) == "manage-settings");
    CHECK(std::string(admin::permissionName(Permission::Public)) == "public");
}

TEST_CASE("only the way in is public; every signed-in change asks for the CSRF token", "[admin][permissions]") {
    Tables t;
    auto routes = t.all();
    REQUIRE(routes.size() > 20);
    const std::set<std::string> wayIn = {"GET /admin/api/setup", "POST /admin/api/setup", "POST /admin/api/login"};
    std::set<std::string> seen;
    for (const auto& r : routes) {
        std::string name = r.method + " " + r.pattern;
        INFO(name);
        CHECK(seen.insert(name).second);  // declared once
        CHECK_FALSE(r.summary.empty());
        CHECK((r.permission == Permission::Public) == (wayIn.count(name) == 1));
        bool changes = r.method != "GET" && r.method != "HEAD";
        CHECK(admin::needsCsrf(r) == (changes && r.permission != Permission::Public));
        if (r.pattern.rfind("/admin/api/users", 0) == 0) CHECK(r.permission == Permission::ManageUsers);
        if (r.pattern.rfind("/admin/api/settings", 0) == 0) CHECK(r.permission == Permission::ManageSettings);
        if (r.pattern.rfind("/admin/api/audit", 0) == 0) CHECK(r.permission == Permission::ViewAudit);
        if (r.pattern.rfind("/admin/api/system", 0) == 0) CHECK(r.permission == Permission::ManageSettings);
    }
    for (const auto& name : wayIn) CHECK(seen.count(name) == 1);
}

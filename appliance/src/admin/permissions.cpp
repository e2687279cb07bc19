#include "admin/admin_route.hpp"

namespace kh::admin {

const char* permissionName(Permission p) {
    switch (p) {
    case Permission::Public: return "public";
    case Permission::SignedIn: return "signed-in";
    case Permission::ViewDashboard: return "view-dashboard";
    case Permission::RunCardChecks: return "run-card-checks";
    case Permission::ViewAudit: return "view-audit";
    case Permission::ManageUsers: return "manage-users";
    case Permission::ManageSettings: return "manage-settings";
    }
    return "manage-settings";
}

// 管理者 everything; 受付・訪問スタッフ (operator) the dashboard and card checks; 監査担当 (auditor)
// the dashboard and the audit log, read only.
bool roleHas(store::Role role, Permission p) {
    switch (p) {
    case Permission::Public:
    case Permission::SignedIn:
    case Permission::ViewDashboard: return true;
    case Permission::RunCardChecks: return role != store::Role::Auditor;
    case Permission::ViewAudit: return role != store::Role::Operator;
    case Permission::ManageUsers:
    case Permission::ManageSettings: return role == store::Role::Administrator;
    }
    return false;
}

}  // namespace kh::admin

// Tests of PendingChanges, the trial of a change that could cut the box off the network (a new client
// certificate or central CA): it is in use at once, kept when confirmed in its window, put back when
// reverted, put back by itself when nobody confirms in time, and put back when the gateway stops — each
// time audited with who did it and why, and each rollback run exactly once.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "../temp_dir.hpp"
#include "admin/pending_changes.hpp"
#include "model/errors.hpp"
#include "store/store.hpp"

using namespace kh;
using std::chrono::seconds;

namespace {
struct Rig {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::AuditLog audit{store};
    std::mutex mutex;
    std::condition_variable changed;
    int rolledBack = 0;

    std::function<void()> rollback() {
        return [this] {
            std::lock_guard<std::mutex> l(mutex);
            ++rolledBack;
            changed.notify_all();
        };
    }
    // Waits for the rollbacks to reach `n` (the watcher thread runs them), at most `limit`.
    bool waitForRollbacks(int n, std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
        std::unique_lock<std::mutex> l(mutex);
        return changed.wait_for(l, limit, [&] { return rolledBack >= n; });
    }
    std::vector<store::AuditEntry> audited(const std::string& action) { return audit.recent(action); }
    // The watcher takes a change off the list after its rollback; waits for that, at most `limit`.
    static bool waitForEmptyList(admin::PendingChanges& pending,
                                 std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
        auto until = std::chrono::steady_clock::now() + limit;
        while (!pending.list().empty()) {
            if (std::chrono::steady_clock::now() > until) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return true;
    }
};
}  // namespace

TEST_CASE("a change is on trial until its deadline, one window after it was applied", "[admin][pending]") {
    Rig rig;
    admin::PendingChanges pending(rig.audit, seconds(90));
    auto c = pending.add("upstream-client: 新しい証明書", "it-tanaka", rig.rollback());
    CHECK_FALSE(c.id.empty());
    CHECK(c.deadline - c.appliedAt == 90);
    CHECK(c.actor == "it-tanaka");
    auto listed = pending.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == c.id);
    CHECK(pending.add("central-ca", "it-tanaka", rig.rollback()).id != c.id);
    pending.stop();
}

TEST_CASE("a confirmed change is kept: no rollback, even when the gateway stops", "[admin][pending]") {
    Rig rig;
    {
        admin::PendingChanges pending(rig.audit, seconds(90));
        pending.start();
        auto c = pending.add("upstream-client", "it-tanaka", rig.rollback());
        CHECK(pending.confirm(c.id, "it-suzuki"));
        CHECK(pending.list().empty());
        CHECK_FALSE(pending.confirm(c.id, "it-suzuki"));  // once
        CHECK_FALSE(pending.revert(c.id, "it-suzuki"));   // and no going back afterwards
    }  // stopped
    CHECK(rig.rolledBack == 0);
    auto confirmed = rig.audited("admin.change-confirmed");
    REQUIRE(confirmed.size() == 1);
    CHECK(confirmed[0].actor == "it-suzuki");
    CHECK(confirmed[0].detail == "upstream-client");
    CHECK(rig.audited("admin.change-rolled-back").empty());
}

TEST_CASE("a reverted change is put back at once, by whoever reverted it", "[admin][pending]") {
    Rig rig;
    admin::PendingChanges pending(rig.audit, seconds(90));
    auto c = pending.add("central-ca", "it-tanaka", rig.rollback());
    CHECK(pending.revert(c.id, "it-tanaka"));
    CHECK(rig.rolledBack == 1);
    CHECK(pending.list().empty());
    CHECK_FALSE(pending.confirm(c.id, "it-tanaka"));
    auto rolled = rig.audited("admin.change-rolled-back");
    REQUIRE(rolled.size() == 1);
    CHECK(rolled[0].actor == "it-tanaka");
    CHECK(rolled[0].detail == "central-ca; 取り消しました");
    pending.stop();
    CHECK(rig.rolledBack == 1);  // not again at the stop
}

TEST_CASE("a change nobody confirms in time is put back by itself, by the system", "[admin][pending]") {
    Rig rig;
    admin::PendingChanges pending(rig.audit, seconds(0));  // the window is over as soon as it opens
    pending.start();
    auto c = pending.add("upstream-client", "it-tanaka", rig.rollback());
    REQUIRE(rig.waitForRollbacks(1));
    REQUIRE(rig.waitForEmptyList(pending));  // off the list once put back and audited
    CHECK_FALSE(pending.confirm(c.id, "it-tanaka"));  // too late
    pending.stop();  // the watcher has finished what it was doing (its audit row) once stopped
    CHECK(rig.rolledBack == 1);
    auto rolled = rig.audited("admin.change-rolled-back");
    REQUIRE(rolled.size() == 1);
    CHECK(rolled[0].actor == "system");
    CHECK(rolled[0].detail == "upstream-client; 期限内に確定されなかったため元に戻しました");
}

TEST_CASE("stopping the gateway puts back whatever is unconfirmed", "[admin][pending]") {
    Rig rig;
    admin::PendingChanges pending(rig.audit, seconds(3600));
    pending.start();
    pending.add("upstream-client", "it-tanaka", rig.rollback());
    pending.add("central-ca", "it-tanaka", rig.rollback());
    pending.stop();
    CHECK(rig.rolledBack == 2);
    auto rolled = rig.audited("admin.change-rolled-back");
    REQUIRE(rolled.size() == 2);
    for (const auto& row : rolled) {
        CHECK(row.actor == "system");
        CHECK(row.detail.find("; 確定されないまま停止したため元に戻しました") != std::string::npos);
    }
    pending.stop();  // a second stop finds nothing left
    CHECK(rig.rolledBack == 2);
}

TEST_CASE("a change with a proof may be kept only once the proof holds", "[admin][pending]") {
    Rig rig;
    admin::PendingChanges pending(rig.audit, seconds(60));
    pending.start();
    std::string waitingFor = "新しい証明書で中央システムとの接続を確認しています";
    auto change = pending.add("certificate:central-ca", "it-tanaka", rig.rollback(), [&] { return waitingFor; });
    CHECK(change.unproven == waitingFor);
    REQUIRE(pending.list().size() == 1);
    CHECK(pending.list()[0].unproven == waitingFor);
    try {
        pending.confirm(change.id, "it-tanaka");
        FAIL("confirmed without its proof");
    } catch (const model::KakehashiError& e) {
        CHECK(e.id() == model::ErrorId::ChangeUnproven);
        CHECK(std::string(e.what()) == waitingFor);
    }
    CHECK(pending.list().size() == 1);  // still on trial, still to be rolled back if nobody acts
    CHECK(rig.audited("admin.change-confirmed").empty());
    waitingFor.clear();  // something came back over the link with the new files
    CHECK(pending.list()[0].unproven.empty());
    CHECK(pending.confirm(change.id, "it-tanaka"));
    CHECK(pending.list().empty());
    CHECK(rig.audited("admin.change-confirmed").size() == 1);
    pending.stop();
    CHECK(rig.rolledBack == 0);
}

TEST_CASE("a change being put back stays listed until it is back and audited", "[admin][pending]") {
    // Otherwise the web admin would show no pending change while the old files are still being written back,
    // and a page reloaded at that moment would show the settings that were just refused.
    Rig rig;
    std::mutex gateMutex;
    std::condition_variable gateChanged;
    bool inside = false, release = false;
    admin::PendingChanges pending(rig.audit, seconds(0));
    auto c = pending.add("upstream-client", "it-tanaka", [&] {
        std::unique_lock<std::mutex> l(gateMutex);
        inside = true;
        gateChanged.notify_all();
        gateChanged.wait(l, [&] { return release; });
    });
    pending.start();
    {
        std::unique_lock<std::mutex> l(gateMutex);
        REQUIRE(gateChanged.wait_for(l, std::chrono::seconds(10), [&] { return inside; }));
    }
    auto listed = pending.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == c.id);
    CHECK_FALSE(pending.confirm(c.id, "it-suzuki"));  // it is on its way back: no keeping it now
    CHECK_FALSE(pending.revert(c.id, "it-suzuki"));   // nor a second rollback
    CHECK(rig.audited("admin.change-rolled-back").empty());
    {
        std::lock_guard<std::mutex> l(gateMutex);
        release = true;
        gateChanged.notify_all();
    }
    REQUIRE(rig.waitForEmptyList(pending));
    CHECK(rig.audited("admin.change-rolled-back").size() == 1);  // audited before it left the list
    pending.stop();
    CHECK(rig.audited("admin.change-rolled-back").size() == 1);  // and not again at the stop
}

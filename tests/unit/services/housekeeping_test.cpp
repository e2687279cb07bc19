#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "services/housekeeping.hpp"
#include "store/journal.hpp"
#include "../temp_dir.hpp"

using namespace kh;

namespace {
constexpr int64_t kDay = 86400;
const int64_t kNow = 1'800'000'000;

void file(const std::string& path, int64_t mtime) {
    std::ofstream(path) << "x";
    timeval times[2] = {{mtime, 0}, {mtime, 0}};
    ::utimes(path.c_str(), times);
}
bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }
}  // namespace

TEST_CASE("housekeeping sweeps results and quarantine by age, never what waits to be taken") {
    test::TempDir dir;
    std::string share = dir.path + "/share";
    for (const char* sub : {"", "/req", "/res", "/quarantine", "/vendor", "/vendor/in", "/vendor/out", "/vendor/quarantine"})
        ::mkdir((share + sub).c_str(), 0700);
    file(share + "/req/OQSsiquc01req_1.xml", kNow - 400 * kDay);         // not taken yet: never swept
    file(share + "/res/OQSsiquc01res_old.xml", kNow - 8 * kDay);        // uncollected past 7 days
    file(share + "/res/OQSsiquc01res_new.xml", kNow - 1 * kDay);
    file(share + "/res/.kh-0123456789abcdef.tmp", kNow - 2 * 3600);     // a crash's leftover
    file(share + "/quarantine/1_old.xml", kNow - 15 * kDay);
    file(share + "/quarantine/2_new.xml", kNow - 8 * kDay);
    file(share + "/vendor/in/a.csv", kNow - 400 * kDay);
    file(share + "/vendor/out/a_result.csv", kNow - 8 * kDay);
    file(share + "/vendor/quarantine/1_a.csv", kNow - 15 * kDay);
    ::symlink("/etc/hostname", (share + "/res/link.xml").c_str());

    store::Store store(dir.path + "/k.db", dir.path + "/keys");
    store::EligibilityCache cache(store);
    store::Retention retention(store, cache, {});
    int64_t forgotBefore = 0;
    services::Housekeeping housekeeping(retention, [&](int64_t cutoff) { forgotBefore = cutoff; }, {}, {share, share});
    auto report = housekeeping.sweepOnce(kNow);

    CHECK(report.filesRemoved == 5);
    CHECK(exists(share + "/req/OQSsiquc01req_1.xml"));
    CHECK(exists(share + "/vendor/in/a.csv"));
    CHECK_FALSE(exists(share + "/res/OQSsiquc01res_old.xml"));
    CHECK(exists(share + "/res/OQSsiquc01res_new.xml"));
    CHECK_FALSE(exists(share + "/res/.kh-0123456789abcdef.tmp"));
    CHECK_FALSE(exists(share + "/quarantine/1_old.xml"));
    CHECK(exists(share + "/quarantine/2_new.xml"));
    CHECK_FALSE(exists(share + "/vendor/out/a_result.csv"));
    CHECK_FALSE(exists(share + "/vendor/quarantine/1_a.csv"));
    struct stat st {};
    CHECK(::lstat((share + "/res/link.xml").c_str(), &st) == 0);  // links are left alone
    CHECK(forgotBefore == kNow - 31 * kDay);
}

TEST_CASE("at the start, the temporaries a kill left in the share go whatever their age, and nothing else") {
    test::TempDir dir;
    std::string share = dir.path + "/share";
    for (const char* sub : {"", "/req", "/res", "/quarantine", "/vendor", "/vendor/in", "/vendor/out", "/vendor/quarantine"})
        ::mkdir((share + sub).c_str(), 0700);
    const int64_t justNow = int64_t(::time(nullptr));  // killed a moment ago, mid-write
    file(share + "/res/.kh-0123456789abcdef.tmp", justNow);
    file(share + "/quarantine/.kh-1123456789abcdef.tmp", justNow);
    file(share + "/vendor/out/.kh-2123456789abcdef.tmp", justNow);
    file(share + "/req/.kh-3123456789abcdef.tmp", justNow);  // req/ belongs to the receipt computers
    file(share + "/vendor/in/.kh-4123456789abcdef.tmp", justNow);
    file(share + "/res/OQSsiquc01res_1.xml", justNow);
    file(share + "/res/.hidden", justNow);

    store::Store store(dir.path + "/k.db", dir.path + "/keys");
    store::EligibilityCache cache(store);
    store::Retention retention(store, cache, {});
    services::Housekeeping housekeeping(retention, nullptr, {}, {share, share});
    CHECK(housekeeping.removeLeftoverTemporaries() == 3);
    CHECK_FALSE(exists(share + "/res/.kh-0123456789abcdef.tmp"));
    CHECK_FALSE(exists(share + "/quarantine/.kh-1123456789abcdef.tmp"));
    CHECK_FALSE(exists(share + "/vendor/out/.kh-2123456789abcdef.tmp"));
    CHECK(exists(share + "/req/.kh-3123456789abcdef.tmp"));
    CHECK(exists(share + "/vendor/in/.kh-4123456789abcdef.tmp"));
    CHECK(exists(share + "/res/OQSsiquc01res_1.xml"));
    CHECK(exists(share + "/res/.hidden"));
}

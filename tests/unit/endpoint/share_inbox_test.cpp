#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "endpoint/share_inbox.hpp"
#include "../temp_dir.hpp"

using namespace kh;
using kh::test::TempDir;
using endpoint::IncomingFile;
using endpoint::ShareInbox;
using namespace std::chrono_literals;

namespace {
void write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
bool all(const std::string&) { return true; }

const IncomingFile* named(const std::vector<IncomingFile>& files, const std::string& name) {
    for (const auto& f : files)
        if (f.name == name) return &f;
    return nullptr;
}
}  // namespace

TEST_CASE("a file is collected only once its writer has closed it, however slow the writer") {
    TempDir dir;
    ShareInbox inbox(dir.path, 1024, 0ms, 0ms);
    std::string path = dir.path + "/OQSsiquc01req_1.xml";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    CHECK(inbox.collect(all).empty());  // created, empty, still open
    REQUIRE(::write(fd, "<XmlMsg/>", 9) == 9);
    CHECK(inbox.collect(all).empty());  // written, still open: a settle time of 0 does not count
    ::close(fd);
    auto files = inbox.collect(all);
    REQUIRE(files.size() == 1);
    CHECK(files[0].body == "<XmlMsg/>");
    CHECK(files[0].refusal == IncomingFile::Refusal::None);
}

TEST_CASE("links, FIFOs and files over the limit are refused without being read") {
    TempDir dir, outside;
    write(outside.path + "/secret", "key material");
    ::symlink((outside.path + "/secret").c_str(), (dir.path + "/a.xml").c_str());
    ::link((outside.path + "/secret").c_str(), (dir.path + "/b.xml").c_str());
    ::mkfifo((dir.path + "/c.xml").c_str(), 0600);
    write(dir.path + "/d.xml", std::string(2000, 'x'));
    ::mkdir((dir.path + "/folder").c_str(), 0700);
    write(dir.path + "/.hidden", "being written");
    ShareInbox inbox(dir.path, 1024, 0ms, 0ms);
    auto files = inbox.collect(all);
    REQUIRE(files.size() == 4);
    CHECK(named(files, "a.xml")->refusal == IncomingFile::Refusal::NotRegular);
    CHECK(named(files, "b.xml")->refusal == IncomingFile::Refusal::Linked);
    CHECK(named(files, "c.xml")->refusal == IncomingFile::Refusal::NotRegular);
    CHECK(named(files, "d.xml")->refusal == IncomingFile::Refusal::TooLarge);
    for (const auto& f : files) CHECK(f.body.empty());
    for (const auto& f : files) inbox.remove(f);
    CHECK(::access((outside.path + "/secret").c_str(), R_OK) == 0);  // a link's target is never touched
    CHECK(::access((dir.path + "/a.xml").c_str(), F_OK) != 0);
    CHECK(::access((dir.path + "/folder").c_str(), F_OK) == 0);
}

TEST_CASE("an empty, closed file waits for the empty grace") {
    TempDir dir;
    write(dir.path + "/e.xml", "");
    ShareInbox inbox(dir.path, 1024, 0ms, 1h);
    CHECK(inbox.collect(all).empty());
    ShareInbox impatient(dir.path, 1024, 0ms, 0ms);
    CHECK(impatient.collect(all).size() == 1);
}

TEST_CASE("remove leaves a name alone that now holds something else") {
    TempDir dir;
    write(dir.path + "/f.xml", "first");
    ShareInbox inbox(dir.path, 1024, 0ms, 0ms);
    auto files = inbox.collect(all);
    REQUIRE(files.size() == 1);
    ::unlink((dir.path + "/f.xml").c_str());
    write(dir.path + "/f.xml", "second, written after the first was read");
    inbox.remove(files[0]);
    CHECK(::access((dir.path + "/f.xml").c_str(), F_OK) == 0);
}

TEST_CASE("a refused entry kept for staff is moved, not copied, and a kept name always fits") {
    TempDir dir, quarantine;
    write(dir.path + "/big.xml", std::string(2000, 'x'));
    ShareInbox inbox(dir.path, 1024, 0ms, 0ms);
    auto files = inbox.collect(all);
    REQUIRE(files.size() == 1);
    CHECK(inbox.moveTo(files[0], quarantine.path, endpoint::keptName(7, "big.xml")));
    CHECK(::access((quarantine.path + "/7_big.xml").c_str(), F_OK) == 0);
    CHECK(::access((dir.path + "/big.xml").c_str(), F_OK) != 0);
    std::string kana = "カ";  // 3 bytes: the cut never splits it
    std::string longName;
    while (longName.size() < 300) longName += kana;
    auto kept = endpoint::keptName(123, longName);
    CHECK(kept.size() <= 255);
    CHECK((kept.size() - 4) % 3 == 0);
}

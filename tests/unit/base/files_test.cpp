#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>

#include "base/files.hpp"
#include "../temp_dir.hpp"

using namespace kh;
using kh::test::TempDir;

namespace {
std::vector<std::string> names(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
    ::closedir(d);
    return out;
}
}  // namespace

TEST_CASE("a durable write replaces the file whole and leaves no temporary") {
    TempDir dir;
    base::writeFileDurably(dir.path + "/a", "one", 0640);
    base::writeFileDurably(dir.path + "/a", "two", 0640);
    CHECK(base::readFile(dir.path + "/a") == "two");
    CHECK(names(dir.path) == std::vector<std::string>{"a"});
    struct stat st {};
    ::stat((dir.path + "/a").c_str(), &st);
    CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("a 255-byte name is written: the temporary's name does not grow with it") {
    TempDir dir;
    std::string name(255, 'n');
    base::writeFileDurably(dir.path + "/" + name, "x");
    CHECK(base::readFile(dir.path + "/" + name) == "x");
}

TEST_CASE("a folder in the target's place fails the write and leaves nothing behind") {
    TempDir dir;
    ::mkdir((dir.path + "/taken").c_str(), 0700);
    CHECK_THROWS_AS(base::writeFileDurably(dir.path + "/taken", "x"), std::system_error);
    CHECK(names(dir.path) == std::vector<std::string>{"taken"});
}

TEST_CASE("temporaries are recognised by name") {
    CHECK(base::isDurableTemporary(".kh-0123456789abcdef.tmp"));
    CHECK_FALSE(base::isDurableTemporary(".kh-.tmp"));
    CHECK_FALSE(base::isDurableTemporary("kh-1.tmp"));
    CHECK_FALSE(base::isDurableTemporary(".plugin.sig.tmp"));
}

TEST_CASE("reading refuses what is missing or over the limit") {
    TempDir dir;
    CHECK_FALSE(base::tryReadFile(dir.path + "/missing"));
    std::ofstream(dir.path + "/big") << std::string(100, 'b');
    CHECK_FALSE(base::tryReadFile(dir.path + "/big", 99));
    CHECK(base::tryReadFile(dir.path + "/big", 100)->size() == 100);
    CHECK_THROWS(base::readFile(dir.path + "/missing"));
}

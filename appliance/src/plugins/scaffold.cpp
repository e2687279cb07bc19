// `kakehashi plugin new <id>`: a working plugin bundle to start from — manifest, an adapter for a simple
// "insurer,number,birth date" text format that logs only declared counts and codes, and one golden case
// that passes.
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <stdexcept>

#include "plugins/conformance.hpp"

namespace kh::plugins {
namespace {
void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << text;
}

const char* kAdapter = R"LUA(-- A starting point: one patient a line, "insurer,number,birth date (YYYYMMDD),patient id".
-- The answer is one line per patient: "patient id,status,name". Replace both with your format.
-- kakehashi.log writes only the messages and fields plugin.json declares (logMessages, logFields): counts,
-- durations, booleans and listed codes, never patient data.
local M = {}

function M.decode_request(msg, ctx)
  local entries, skipped = {}, 0
  for _, row in ipairs(kakehashi.csv.parse(msg.body)) do
    local inquiry, errors = kakehashi.record.inquiry {
      insurerNumber = row[1], cardNumber = row[2], birthDate = row[3], arbitraryIdentifier = row[4] or "",
    }
    if not inquiry then
      skipped = skipped + 1
      kakehashi.log.warn("entry-skipped", { reason = "invalid-field" })
    end
    entries[#entries + 1] = inquiry or { error = errors[1], arbitraryIdentifier = row[4] or "" }
  end
  kakehashi.log.info("request-read", { entries = #entries, skipped = skipped })
  return { entries = entries, correlation = msg.name }
end

function M.encode_result(result, ctx)
  local rows = {}
  for _, a in ipairs(result.answers) do
    rows[#rows + 1] = { a.arbitraryIdentifier or "", a.status or "", (a.eligibility or {}).name or "" }
  end
  return { { name = result.request.name .. ".out", body = kakehashi.csv.format(rows) } }
end

return M
)LUA";
}  // namespace

void scaffoldPlugin(const std::string& parent, const std::string& id) {
    if (!std::regex_match(id, std::regex("^[a-z0-9][a-z0-9-]{1,39}$")))
        throw std::runtime_error("plugin id: 英小文字・数字・ハイフン (lower-case letters, digits, hyphens), 2–40 characters");
    std::string dir = parent + "/" + id;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) throw std::runtime_error(dir + " already exists");
    for (const std::string& d : {dir, dir + "/golden", dir + "/golden/basic", dir + "/golden/basic/in", dir + "/golden/basic/out"})
        if (::mkdir(d.c_str(), 0755) != 0) throw std::runtime_error("cannot create " + d);
    write(dir + "/plugin.json", "{\n  \"id\": \"" + id + "\",\n  \"name\": \"" + id +
                                    "\",\n  \"version\": \"0.1.0\",\n  \"apiLevel\": 1,\n  \"kind\": \"adapter\",\n"
                                    "  \"entry\": \"adapter.lua\",\n  \"settings\": { \"type\": \"object\", \"properties\": {} },\n"
                                    "  \"logMessages\": [\"request-read\", \"entry-skipped\"],\n"
                                    "  \"logFields\": { \"entries\": \"count\", \"skipped\": \"count\", "
                                    "\"reason\": { \"code\": [\"invalid-field\"] } },\n"
                                    "  \"channels\": [ { \"type\": \"file\", \"folder\": \"" + id + "\", \"pattern\": \"*.txt\" } ]\n}\n");
    write(dir + "/adapter.lua", kAdapter);
    write(dir + "/golden/basic/in/request.txt", "01130012,1234,19800101,P1\n");
    write(dir + "/golden/basic/inquiries.json",
          "[{\"insurerNumber\":\"01130012\",\"cardSymbol\":\"\",\"cardNumber\":\"1234\",\"branchNumber\":\"\","
          "\"birthDate\":\"19800101\",\"arbitraryIdentifier\":\"P1\"}]\n");
    write(dir + "/golden/basic/answers.json",
          "[{\"status\":\"valid\",\"qualificationValidity\":\"1\",\"processingResult\":{\"status\":\"1\"},"
          "\"arbitraryIdentifier\":\"P1\",\"eligibility\":{\"name\":\"試験　太郎\"},\"source\":\"live\",\"stale\":false,"
          "\"confirmedAt\":\"2026-04-01T09:00:00+09:00\"}]\n");
    write(dir + "/golden/basic/out/request.txt.out", "P1,valid,試験　太郎\r\n");
}

}  // namespace kh::plugins

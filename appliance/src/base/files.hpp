// The one file helper of the program: files read whole from places the box itself controls (its
// configuration, keys, certificates, plugins), and files written so that a crash leaves either the old
// file or the new one, never a part (a hidden temporary in the same folder, fsync, rename over the
// target, fsync the folder). Files in the share, which receipt computers write, are never read with
// these: endpoint/share_inbox opens them without trusting the name.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kh::base {

// The whole file, or nullopt when it cannot be opened or is larger than `maxBytes`.
std::optional<std::string> tryReadFile(const std::string& path, size_t maxBytes = 64u * 1024 * 1024);
// The whole file; throws std::runtime_error naming the path when it cannot be read.
std::string readFile(const std::string& path, size_t maxBytes = 64u * 1024 * 1024);

// Throws std::system_error. The temporary is a hidden name of its own (".kh-<random>.tmp", created
// exclusively), so folder watchers skip it, a long target name never makes it too long, and nothing
// planted at a guessable name can take its place.
void writeFileDurably(const std::string& path, std::string_view bytes, unsigned mode = 0600);
// fsync a folder, so a rename or unlink in it is on disk (errors ignored: best effort after the fact).
void syncFolder(const std::string& dir);
// True for the temporaries writeFileDurably leaves behind when the process dies between create and rename.
bool isDurableTemporary(std::string_view name);
// Removes the regular files directly in `dir` last modified before `cutoff` (unix seconds) whose name
// `which` accepts (every name when null), hidden ones included; links, folders and anything else are left
// alone and never followed. Returns how many.
size_t removeFilesOlderThan(const std::string& dir, int64_t cutoff, bool (*which)(std::string_view name) = nullptr);

}  // namespace kh::base

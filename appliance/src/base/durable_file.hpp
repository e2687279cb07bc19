// Files written so that a crash leaves either the old file or the new one, never a part: a hidden
// temporary in the same folder, fsync, rename over the target, fsync the folder.
#pragma once
#include <string>
#include <string_view>

namespace kh::base {

// Throws std::system_error. The temporary is ".<name>.tmp", so folder watchers and digests skip it.
void writeFileDurably(const std::string& path, std::string_view bytes, unsigned mode = 0600);
// fsync a folder, so a rename or unlink in it is on disk (errors ignored: best effort after the fact).
void syncFolder(const std::string& dir);

}  // namespace kh::base

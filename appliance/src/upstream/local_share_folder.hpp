// The terminal's share through a path mounted on the box (cifs mount, or a folder in tests): plain POSIX calls.
// Writes are made durable (fsync of the file and, after a rename, of the folder) as far as the mount allows.
#pragma once
#include "upstream/share_folder.hpp"

namespace kh::upstream {

class LocalShareFolder : public ShareFolder {
public:
    explicit LocalShareFolder(std::string root) : root_(std::move(root)) {}
    std::string describe() const override { return root_; }
    std::vector<ShareEntry> list(const std::string& folder) override;
    std::optional<std::string> read(const std::string& folder, const std::string& name, size_t maxBytes) override;
    void write(const std::string& folder, const std::string& name, const std::string& bytes) override;
    bool rename(const std::string& folder, const std::string& from, const std::string& to) override;
    bool remove(const std::string& folder, const std::string& name) override;

private:
    std::string path(const std::string& folder, const std::string& name = "") const;
    std::string root_;
};

}  // namespace kh::upstream

// The terminal's face/ folder: every card read at its face-authentication reader leaves a result file there
// (OQSsiquc01res_face_….xml). This takes each one once and hands it on (the gateway fans it out to its own
// face/ consumers and keeps the qualification in its cache), then deletes it from the terminal's face/.
//
// Once: a file is claimed by renaming it to a hidden name first, so that no other reader of the folder takes
// it too; it is deleted only after the handler returned. A file the handler could not take stays claimed and
// is offered again on the next pass (and after a restart): a face file may come twice, never not at all.
// A file is taken only once its size and time have stopped changing (the terminal may write in place).
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "base/background_loop.hpp"
#include "upstream/central_client.hpp"
#include "upstream/share_folder.hpp"

namespace kh::upstream {

class TerminalFaceRelay {
public:
    TerminalFaceRelay(ShareFolder& share, std::chrono::milliseconds poll) : share_(share), poll_(poll) {}
    ~TerminalFaceRelay() { stop(); }
    void start(FaceFileHandler handler);
    void stop() { loop_.stop(); }
    // One pass over face/ (the loop's work; tests call it directly). Returns the files handed on.
    int pass();

private:
    bool handOn(const std::string& claimed, const std::string& name);

    ShareFolder& share_;
    std::chrono::milliseconds poll_;
    FaceFileHandler handler_;
    std::map<std::string, std::pair<int64_t, int64_t>> seen_;  // name → size and time at the last pass
    base::BackgroundLoop loop_;
};

}  // namespace kh::upstream

#include "endpoint/pin_request.hpp"

namespace kh::endpoint {
namespace {

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}
    void skipSpace() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
    }
    bool take(char c) {
        skipSpace();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool takeWord(std::string_view w) {
        skipSpace();
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }
    // A string without escapes; each character goes to `sink`. False when unterminated or escaped.
    template <class Sink>
    bool string(Sink sink) {
        if (!take('"')) return false;
        for (; i_ < s_.size(); ++i_) {
            char c = s_[i_];
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
            sink(c);
        }
        return false;
    }
    bool atEnd() {
        skipSpace();
        return i_ == s_.size();
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

bool refuse(std::string& error, const char* why) {
    error = why;
    return false;
}

}  // namespace

bool readPinRequest(std::string_view body, cardreader::SecurePin& pin, bool& confirmLastTry, std::string& error) {
    pin.clear();
    confirmLastTry = false;
    Scanner in(body);
    bool sawPin = false, sawConfirm = false;
    if (!in.take('{')) return refuse(error, "the body must be a JSON object");
    if (!in.take('}')) {
        do {
            std::string key;
            if (!in.string([&](char c) { if (key.size() < 32) key += c; }) || !in.take(':'))
                return refuse(error, "expected \"key\": value");
            if (key == "pin" && !sawPin) {
                sawPin = true;
                if (!in.string([&](char c) { pin.push(c); })) return refuse(error, "pin must be a string of digits");
            } else if (key == "confirmLastTry" && !sawConfirm) {
                sawConfirm = true;
                if (in.takeWord("true")) confirmLastTry = true;
                else if (!in.takeWord("false")) return refuse(error, "confirmLastTry must be true or false");
            } else {
                return refuse(error, "only pin and confirmLastTry are accepted, each once");
            }
        } while (in.take(','));
        if (!in.take('}')) return refuse(error, "expected , or }");
    }
    if (!in.atEnd()) return refuse(error, "nothing may follow the object");
    if (!sawPin) return refuse(error, "pin is required");
    return true;
}

}  // namespace kh::endpoint

#include "cardreader/apdu.hpp"

#include <cstdio>

namespace kh::cardreader {

ResponseApdu splitResponse(const uint8_t* p, std::size_t n) {
    ResponseApdu r;
    if (n < 2) return r;
    r.data.assign(p, p + n - 2);
    r.sw = uint16_t(p[n - 2] << 8 | p[n - 1]);
    return r;
}

Bytes commandApdu(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const Bytes& data, int le) {
    Bytes out{cla, ins, p1, p2};
    if (!data.empty()) {
        out.push_back(uint8_t(data.size()));
        out.insert(out.end(), data.begin(), data.end());
    }
    if (le >= 0) out.push_back(uint8_t(le == 256 ? 0 : le));
    return out;
}

Bytes withLe(const Bytes& command, uint8_t le) {
    Bytes out = command;
    bool hasData = out.size() > 5 && std::size_t(out[4]) + 5 <= out.size();
    std::size_t bodyEnd = hasData ? 5 + std::size_t(out[4]) : 4;
    out.resize(bodyEnd);
    out.push_back(le);
    return out;
}

std::string traceCommand(const Bytes& command) {
    bool secret = command.size() > 5 && (command[1] == 0x20 || command[1] == 0x24);
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (!out.empty()) out += ' ';
        if (secret && i >= 5) {
            out += "XX";
            continue;
        }
        std::snprintf(buf, sizeof buf, "%02X", command[i]);
        out += buf;
    }
    return out;
}

std::string hexSw(uint16_t sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", unsigned(sw));
    return buf;
}

}  // namespace kh::cardreader

#include "plugins/plugin_order.hpp"

#include <algorithm>
#include <regex>

namespace kh::plugins {

std::vector<std::string> parseOrder(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string id = text.substr(start, comma - start);
        id.erase(0, id.find_first_not_of(" \t"));
        id.erase(id.find_last_not_of(" \t") + 1);
        if (!id.empty()) out.push_back(id);
        start = comma + 1;
    }
    return out;
}

std::string orderText(const std::vector<std::string>& order) {
    std::string out;
    for (const auto& id : order) out += (out.empty() ? "" : ",") + id;
    return out;
}

std::string orderProblem(const std::string& text) {
    static const std::regex pluginId("^[a-z0-9][a-z0-9-]{1,39}$");  // as a manifest's id
    auto order = parseOrder(text);
    for (size_t i = 0; i < order.size(); ++i) {
        if (!std::regex_match(order[i], pluginId))
            return "「" + order[i] + "」はプラグインの ID ではありません。英小文字・数字・ハイフンの ID をカンマで区切って入力してください";
        if (std::count(order.begin(), order.begin() + long(i), order[i]))
            return "「" + order[i] + "」が2回あります。プラグインは1回ずつ入力してください";
    }
    return "";
}

std::vector<std::string> withPlugin(std::vector<std::string> order, const std::string& id) {
    if (!std::count(order.begin(), order.end(), id)) order.push_back(id);
    return order;
}

std::vector<std::string> withoutPlugin(std::vector<std::string> order, const std::string& id) {
    order.erase(std::remove(order.begin(), order.end(), id), order.end());
    return order;
}

std::vector<std::string> movedPlugin(std::vector<std::string> order, const std::string& id, int step) {
    auto at = std::find(order.begin(), order.end(), id);
    if (at == order.end() || (step != -1 && step != 1)) return order;
    long i = at - order.begin(), j = i + step;
    if (j < 0 || j >= long(order.size())) return order;
    std::swap(order[size_t(i)], order[size_t(j)]);
    return order;
}

}  // namespace kh::plugins

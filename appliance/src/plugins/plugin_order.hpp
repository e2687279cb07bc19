// The plugins enabled, in the order they are bound, as IT staff set it in the web admin: kept in the
// store as one setting ("plugins.order", ids separated by commas) that wins over the configuration
// file's plugins.order. Enabling a plugin puts it at the end, disabling takes it out, and moving it
// swaps it with its neighbour. Pure functions: the registry and the store are the callers' business.
#pragma once
#include <string>
#include <vector>

namespace kh::plugins {

// "csv-sjis, fixed-width" → {"csv-sjis", "fixed-width"}; blanks around ids and empty entries dropped.
std::vector<std::string> parseOrder(const std::string& text);
std::string orderText(const std::vector<std::string>& order);

// What is wrong with an order as text, in Japanese, or "" when it is acceptable (an empty order is: no
// plugin enabled).
std::string orderProblem(const std::string& text);

std::vector<std::string> withPlugin(std::vector<std::string> order, const std::string& id);
std::vector<std::string> withoutPlugin(std::vector<std::string> order, const std::string& id);
// `step` -1 moves the plugin one place earlier, +1 one later; at either end, or when absent, unchanged.
std::vector<std::string> movedPlugin(std::vector<std::string> order, const std::string& id, int step);

}  // namespace kh::plugins

// The API's routes write JSON with the program's one writer (base/json_writer).
#pragma once
#include "base/json_writer.hpp"

namespace kh::endpoint {
using base::JsonWriter;
}  // namespace kh::endpoint

#include "model/errors.hpp"

namespace kh::model {
namespace {
const ErrorInfo kTable[] = {
#define KAKEHASHI_ERROR_ROW(id, code, status, name, title) {ErrorId::id, code, status, name, title},
    KAKEHASHI_ERRORS(KAKEHASHI_ERROR_ROW)
#undef KAKEHASHI_ERROR_ROW
};
}  // namespace

const ErrorInfo& errorInfo(ErrorId id) { return kTable[static_cast<int>(id)]; }
const ErrorInfo* errorTableBegin() { return kTable; }
const ErrorInfo* errorTableEnd() { return kTable + sizeof kTable / sizeof kTable[0]; }

}  // namespace kh::model

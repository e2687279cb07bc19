// One table of errors shared by every channel: the HTTP API (problem+json `type` and status), the file
// channel (ErrorCode / ErrorMessage of a spec result) and, later, the Lua host (names a plugin can test).
#pragma once
#include <stdexcept>
#include <string>

namespace kh::model {

#define KAKEHASHI_ERRORS(X)                                                                                     \
    X(MalformedXml,        "KKH-E1001", 400, "malformed-xml",        "XMLの形式が正しくありません")               \
    X(ForbiddenDtd,        "KKH-E1002", 400, "forbidden-dtd",        "DTD・実体参照を含むXMLは受け付けません")     \
    X(TooLarge,            "KKH-E1003", 413, "too-large",            "要求が大きすぎます")                         \
    X(TooDeep,             "KKH-E1004", 400, "too-deep",             "XMLの入れ子が深すぎます")                   \
    X(EmptyRequest,        "KKH-E1005", 400, "empty-request",        "要求が空です")                               \
    X(BadEncoding,         "KKH-E1006", 400, "bad-encoding",         "文字コードが宣言と一致しません")             \
    X(UnknownMessage,      "KKH-E1007", 400, "unknown-message",      "処理できない電文種別です")                   \
    X(InvalidField,        "KKH-E1008", 422, "invalid-field",        "項目の値が正しくありません")                 \
    X(BadFileName,         "KKH-E1009", 400, "bad-file-name",        "ファイル名が正しくありません")               \
    X(MalformedJson,       "KKH-E1010", 400, "malformed-json",       "JSONの形式が正しくありません")               \
    X(WrongInstitution,    "KKH-E1011", 403, "wrong-institution",    "医療機関等コードが本機の設定と異なります")   \
    X(TooManyEntries,      "KKH-E1012", 413, "too-many-entries",     "一括照会の件数が上限を超えています")         \
    X(MalformedCsv,        "KKH-E1013", 400, "malformed-csv",        "CSVの形式が正しくありません")                \
    X(Unauthorized,        "KKH-E2001", 401, "unauthorized",         "認証が必要です")                             \
    X(Forbidden,           "KKH-E2002", 403, "forbidden",            "この操作は許可されていません")               \
    X(NotFound,            "KKH-E2003", 404, "not-found",            "対象が見つかりません")                       \
    X(MethodNotAllowed,    "KKH-E2004", 405, "method-not-allowed",   "このメソッドは使えません")                   \
    X(UnknownReception,    "KKH-E2005", 404, "unknown-reception",    "受付番号が見つかりません")                   \
    X(UpstreamUnavailable, "KKH-E3001", 503, "upstream-unavailable", "オンライン資格確認等システムに接続できません") \
    X(UpstreamRejected,    "KKH-E3002", 502, "upstream-rejected",    "オンライン資格確認等システムが要求を拒否しました") \
    X(Queued,              "KKH-E3003", 202, "queued",               "要求を受け付けました。接続回復後に回答します") \
    X(DuplicateVisit,      "KKH-E5004", 409, "duplicate-visit",      "同じ患者・日付・種別の訪問が既に登録されています") \
    X(ConsentMissing,      "KKH-E5001", 403, "consent-missing",      "同意がありません")                           \
    X(ConsentExpired,      "KKH-E5002", 403, "consent-expired",      "同意の有効期限が切れています")               \
    X(ConsentWithdrawn,    "KKH-E5003", 403, "consent-withdrawn",    "同意が撤回されています")                     \
    X(PluginFailed,        "KKH-E4001", 502, "plugin-failed",        "アダプタープラグインの処理に失敗しました")   \
    X(PluginTimeout,       "KKH-E4002", 504, "plugin-timeout",       "アダプタープラグインが時間内に終わりませんでした") \
    X(PluginMemory,        "KKH-E4003", 507, "plugin-memory",        "アダプタープラグインがメモリ上限を超えました") \
    X(PluginRefused,       "KKH-E4004", 503, "plugin-refused",       "アダプタープラグインを読み込めません（署名・設定を確認してください）") \
    X(Internal,            "KKH-E9001", 500, "internal",             "内部エラーが発生しました")

enum class ErrorId {
#define KAKEHASHI_ERROR_ENUM(id, code, status, name, title) id,
    KAKEHASHI_ERRORS(KAKEHASHI_ERROR_ENUM)
#undef KAKEHASHI_ERROR_ENUM
};

struct ErrorInfo {
    ErrorId id;
    const char* code;   // spec-style error code written into result files
    int httpStatus;
    const char* name;   // problem+json type suffix and Lua error name
    const char* title;  // Japanese, for staff
};

const ErrorInfo& errorInfo(ErrorId id);
const ErrorInfo* errorTableBegin();
const ErrorInfo* errorTableEnd();

// The exception every layer throws for an expected, explainable failure. `detail` never carries
// patient data: it names fields and limits only.
class KakehashiError : public std::runtime_error {
public:
    KakehashiError(ErrorId id, std::string detail)
        : std::runtime_error(detail), id_(id) {}
    ErrorId id() const { return id_; }
    const ErrorInfo& info() const { return errorInfo(id_); }

private:
    ErrorId id_;
};

}  // namespace kh::model

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
    X(MalformedRequest,    "KKH-E1015", 400, "malformed-request",    "HTTPリクエストの形式が正しくありません")       \
    X(NotAFile,            "KKH-E1014", 400, "not-a-file",           "通常のファイルではないため受け付けません（リンク・名前付きパイプなど）") \
    X(Unauthorized,        "KKH-E2001", 401, "unauthorized",         "認証が必要です")                             \
    X(Forbidden,           "KKH-E2002", 403, "forbidden",            "この操作は許可されていません")               \
    X(NotFound,            "KKH-E2003", 404, "not-found",            "対象が見つかりません")                       \
    X(MethodNotAllowed,    "KKH-E2004", 405, "method-not-allowed",   "このメソッドは使えません")                   \
    X(TooManyRequests,     "KKH-E2006", 429, "too-many-requests",    "要求が多すぎます。しばらく待ってから送ってください") \
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
    X(ReaderUnavailable,   "KKH-E6001", 404, "reader-unavailable",   "カードリーダーが見つかりません。接続を確認してください") \
    X(CardAbsent,          "KKH-E6002", 409, "card-absent",          "カードが置かれていません")                   \
    X(CardRemoved,         "KKH-E6003", 409, "card-removed",         "処理中にカードが離れました。カードを置き直してください") \
    X(NotMyNumberCard,     "KKH-E6004", 422, "not-mynumber-card",    "マイナンバーカードとして読み取れません")     \
    X(PinWrong,            "KKH-E6005", 422, "pin-wrong",            "暗証番号が違います")                         \
    X(PinBlocked,          "KKH-E6006", 423, "pin-blocked",          "暗証番号がロックされています。お住まいの市区町村の窓口で初期化の手続きをしてください") \
    X(PinFormat,           "KKH-E6007", 422, "pin-format",           "暗証番号は数字4桁で入力してください")       \
    X(PinConfirmRequired,  "KKH-E6008", 428, "pin-confirmation-required", "残り1回です。間違えるとロックされます。確認のうえ入力してください") \
    X(CardServiceDown,     "KKH-E6009", 503, "card-service-unavailable", "カードリーダーのサービスに接続できません") \
    X(CardTimeout,         "KKH-E6010", 504, "card-timeout",         "カードの応答がありません")                   \
    X(CardFailed,          "KKH-E6011", 502, "card-error",           "カードの読み取りに失敗しました")             \
    X(ReaderBusy,          "KKH-E6012", 409, "reader-busy",          "カードリーダーは他の処理で使用中です")       \
    X(IdentityRejected,    "KKH-E6013", 403, "identity-rejected",    "本人確認が認められませんでした")             \
    X(IdentityUnsupported, "KKH-E6015", 409, "identity-unsupported", "資格確認端末経由の接続では暗証番号による本人確認ができません。目視確認を選んでください") \
    X(CardCheckState,      "KKH-E6014", 409, "card-check-state",     "この本人確認は今その操作を受け付けられません") \
    X(AccountLocked,       "KKH-E7001", 423, "account-locked",       "確認コードの失敗が続いたため、この端末からはしばらくサインインできません。時間をおいて再試行するか、管理者に解除を依頼してください") \
    X(SetupDone,           "KKH-E7002", 409, "setup-done",           "初期設定は完了しています")                   \
    X(SetupCodeWrong,      "KKH-E7003", 403, "setup-code-wrong",     "初期設定コードが違います。コンソールに表示されたコードを入力してください") \
    X(SecondFactorWrong,   "KKH-E7004", 401, "second-factor-wrong",  "確認コードが違います")                       \
    X(ChangePending,       "KKH-E7005", 409, "change-pending",       "確定待ちの変更があります")                   \
    X(SignInFailed,        "KKH-E7006", 401, "sign-in-failed",       "サインインできませんでした。ユーザー名とパスワードを確認してください。失敗が続いた端末からは、しばらくサインインできません（管理者が解除できます）") \
    X(TooManyAttempts,     "KKH-E7007", 429, "too-many-attempts",    "この端末からのサインインの試行が多すぎます。しばらく待ってから再試行してください") \
    X(ChangeUnproven,      "KKH-E7008", 409, "change-unproven",      "新しい証明書での通信がまだ成功していません。接続の確認が済んでから確定してください") \
    X(LengthRequired,      "KKH-E8001", 411, "length-required",      "ファイルの大きさ（Content-Length）を付けて送ってください") \
    X(NotABundle,          "KKH-E8002", 422, "not-a-bundle",         "ファームウェアの更新ファイル（.raucb）ではありません") \
    X(NoSpace,             "KKH-E8003", 507, "no-space",             "保存領域の空きが足りません")                 \
    X(UpdateBusy,          "KKH-E8004", 409, "update-busy",          "ファームウェア更新の処理中です。終わるまでお待ちください") \
    X(BundleNotVerified,   "KKH-E8005", 409, "bundle-not-verified",  "署名を確認済みの更新ファイルがありません")   \
    X(UploadIncomplete,    "KKH-E8006", 400, "upload-incomplete",    "更新ファイルの受信が途中で終わりました。もう一度送ってください") \
    X(SystemSetupBusy,     "KKH-E8007", 409, "system-setup-busy",    "前の設定を反映しています。終わるまでお待ちください") \
    X(PairBusy,            "KKH-E8008", 409, "pair-busy",            "切り替えの処理中です。終わるまでお待ちください") \
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

// The one table of the simulator's request-level errors: HTTP status, ErrorCode and ErrorMessage of
// the error document (SegmentOfResult 9). README.md lists the same table. Codes are opaque strings,
// as the real 処理結果コード are; the appliance must show them, not interpret them.
#pragma once

namespace ksim {

enum class SimError {
    MissingRequestId,
    MalformedXml,
    BadRequestContent,
    BodyTooLarge,
    UnknownInstitution,
    WrongInstitution,
    UnknownPath,
    NotImplemented,
    UnknownReception,
    MethodNotAllowed,
    Unavailable,
    Internal,
    InvalidValue,
};

struct SimErrorInfo {
    int status;
    const char* code;
    const char* message;  // default message; some answers give a more precise one
};

const SimErrorInfo& errorInfo(SimError error);

}  // namespace ksim

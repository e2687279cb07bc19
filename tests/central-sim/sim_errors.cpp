#include "sim_errors.hpp"

namespace ksim {

const SimErrorInfo& errorInfo(SimError error) {
    static const SimErrorInfo table[] = {
        {400, "SIM-4001", "X-Request-Id is missing or not 1-128 characters of [A-Za-z0-9._:-]"},
        {400, "SIM-4002", "the body is not an acceptable XmlMsg document"},
        {400, "SIM-4003", "the request lacks a required element"},
        {413, "SIM-4131", "the body exceeds 64 MiB"},
        {403, "SIM-4032", "the client certificate does not name a known institution"},
        {403, "SIM-4031", "MedicalInstitutionCode differs from the institution of the client certificate"},
        {404, "SIM-4040", "no such endpoint"},
        {404, "SIM-4042", "endpoint of profile v1 not implemented by this simulator yet"},
        {404, "SIM-4041", "unknown ReceptionNumber"},
        {405, "SIM-4051", "method not allowed on this endpoint"},
        {503, "SIM-5031", "service temporarily unavailable"},
        {500, "SIM-5001", "internal error of the simulator"},
        {400, "SIM-4004", "an element has an invalid value"},
    };
    return table[static_cast<int>(error)];
}

}  // namespace ksim

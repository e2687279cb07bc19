// Reads the request documents of profile v1 from untrusted bytes — the check requests (OQSsiquc01req,
// OQSmuquc01req) into SearchInfo, any other XmlMsg (home consent, reference numbers, medical info) into
// a small tree: any DOCTYPE or ENTITY declaration is refused before parsing, external entities are off,
// the size is capped by the caller. Liberal in what it reads: any element order, unknown elements ignored,
// namespace prefixes dropped, every child optional.
#pragma once
#include <string>
#include <vector>

namespace ksim {

// QualificationConfirmSearchInfo, values as received (echoed back verbatim).
struct SearchInfo {
    std::string insurerNumber, cardSymbol, cardNumber, branchNumber, birthDate;
    std::string limitConsentFlag;  // LimitApplicationCertificateRelatedConsFlg
    std::string arbitraryIdentifier;
};

struct RequestHeader {
    std::string confirmationDate;         // QualificationConfirmationDate
    std::string institutionCode;          // MedicalInstitutionCode
    std::string arbitraryFileIdentifier;  // ArbitraryFileIdentifier
};

struct QualificationRequest {
    RequestHeader header;
    std::vector<SearchInfo> searches;  // every QualificationConfirmSearchInfo under MessageBody
};

struct ReadResult {
    bool ok = false;
    std::string error;  // for the ErrorMessage of a 400 answer; never contains patient data
    QualificationRequest request;
};

ReadResult readQualificationRequest(const std::string& body);

// Any XmlMsg document as a small tree, read under the same rules (no DTD or entities, prefixes
// dropped). Only the first 16 levels are kept; text is kept for elements without child elements.
struct XmlElement {
    std::string name, text;
    std::vector<XmlElement> children;

    const XmlElement* child(const std::string& name) const;
    std::vector<const XmlElement*> all(const std::string& name) const;
    // The text of the first child of that name, or empty.
    std::string childText(const std::string& name) const;
};

struct XmlMsgRead {
    bool ok = false;
    std::string error;  // as ReadResult::error
    XmlElement header, body;
};

XmlMsgRead readXmlMsg(const std::string& body);

// Any well-formed document (no DTD or entities) as the tree of its root element; false with the reason.
bool readXmlElement(const std::string& text, XmlElement& root, std::string& error);

}  // namespace ksim

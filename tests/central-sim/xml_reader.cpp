#include "xml_reader.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>

namespace ksim {

namespace {

using Poco::XML::Element;
using Poco::XML::Node;

bool declaresDocumentType(const std::string& body) {
    return body.find("<!DOCTYPE") != std::string::npos || body.find("<!doctype") != std::string::npos ||
           body.find("<!ENTITY") != std::string::npos;
}

std::string localName(const Node* node) {
    const std::string& name = node->nodeName();
    auto colon = name.find(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
}

std::vector<Element*> childElements(const Node* parent, const std::string& name) {
    std::vector<Element*> found;
    for (Node* n = parent->firstChild(); n; n = n->nextSibling())
        if (n->nodeType() == Node::ELEMENT_NODE && localName(n) == name) found.push_back(static_cast<Element*>(n));
    return found;
}

Element* childElement(const Node* parent, const std::string& name) {
    auto found = childElements(parent, name);
    return found.empty() ? nullptr : found.front();
}

std::string childText(const Node* parent, const std::string& name) {
    Element* e = parent ? childElement(parent, name) : nullptr;
    return e ? e->innerText() : std::string();
}

SearchInfo readSearchInfo(const Element* e) {
    SearchInfo s;
    s.insurerNumber = childText(e, "InsurerNumber");
    s.cardSymbol = childText(e, "InsuredCardSymbol");
    s.cardNumber = childText(e, "InsuredIdentificationNumber");
    s.branchNumber = childText(e, "InsuredBranchNumber");
    s.birthDate = childText(e, "Birthdate");
    s.limitConsentFlag = childText(e, "LimitApplicationCertificateRelatedConsFlg");
    s.arbitraryIdentifier = childText(e, "ArbitraryIdentifier");
    return s;
}

Poco::AutoPtr<Poco::XML::Document> parse(const std::string& body) {
    Poco::XML::DOMParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setFeature(Poco::XML::DOMParser::FEATURE_FILTER_WHITESPACE, true);
    return parser.parseMemory(body.data(), body.size());
}

// Parses and checks the envelope; on failure sets error and returns nullptr.
Poco::AutoPtr<Poco::XML::Document> parseXmlMsg(const std::string& body, std::string& error, Element*& header,
                                               Element*& messageBody) {
    if (declaresDocumentType(body)) {
        error = "DTD and entity declarations are not accepted";
        return nullptr;
    }
    Poco::AutoPtr<Poco::XML::Document> doc;
    try {
        doc = parse(body);
    } catch (const Poco::Exception&) {
        error = "the body is not well-formed XML";
        return nullptr;
    }
    Element* root = doc->documentElement();
    if (!root || localName(root) != "XmlMsg") {
        error = "the root element is not XmlMsg";
        return nullptr;
    }
    header = childElement(root, "MessageHeader");
    messageBody = childElement(root, "MessageBody");
    if (!header || !messageBody) {
        error = "MessageHeader or MessageBody is missing";
        return nullptr;
    }
    return doc;
}

constexpr int kMaxTreeDepth = 16;

XmlElement toTree(const Element* e, int depth) {
    XmlElement out;
    out.name = localName(e);
    bool hasChildElements = false;
    for (Node* n = e->firstChild(); n; n = n->nextSibling()) {
        if (n->nodeType() != Node::ELEMENT_NODE) continue;
        hasChildElements = true;
        if (depth < kMaxTreeDepth) out.children.push_back(toTree(static_cast<Element*>(n), depth + 1));
    }
    if (!hasChildElements) out.text = e->innerText();
    return out;
}

}  // namespace

const XmlElement* XmlElement::child(const std::string& wanted) const {
    for (const XmlElement& c : children)
        if (c.name == wanted) return &c;
    return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(const std::string& wanted) const {
    std::vector<const XmlElement*> out;
    for (const XmlElement& c : children)
        if (c.name == wanted) out.push_back(&c);
    return out;
}

std::string XmlElement::childText(const std::string& wanted) const {
    const XmlElement* c = child(wanted);
    return c ? c->text : std::string();
}

XmlMsgRead readXmlMsg(const std::string& body) {
    XmlMsgRead result;
    Element* header = nullptr;
    Element* messageBody = nullptr;
    auto doc = parseXmlMsg(body, result.error, header, messageBody);
    if (!doc) return result;
    result.header = toTree(header, 1);
    result.body = toTree(messageBody, 1);
    result.ok = true;
    return result;
}

bool readXmlElement(const std::string& text, XmlElement& root, std::string& error) {
    if (declaresDocumentType(text)) {
        error = "DTD and entity declarations are not accepted";
        return false;
    }
    try {
        Poco::AutoPtr<Poco::XML::Document> doc = parse(text);
        if (!doc->documentElement()) {
            error = "the document has no root element";
            return false;
        }
        root = toTree(doc->documentElement(), 1);
        return true;
    } catch (const Poco::Exception&) {
        error = "the document is not well-formed XML";
    }
    return false;
}

ReadResult readQualificationRequest(const std::string& body) {
    ReadResult result;
    Element* header = nullptr;
    Element* messageBody = nullptr;
    auto doc = parseXmlMsg(body, result.error, header, messageBody);
    if (!doc) return result;
    result.request.header = {childText(header, "QualificationConfirmationDate"),
                             childText(header, "MedicalInstitutionCode"),
                             childText(header, "ArbitraryFileIdentifier")};
    for (Element* e : childElements(messageBody, "QualificationConfirmSearchInfo"))
        result.request.searches.push_back(readSearchInfo(e));
    result.ok = true;
    return result;
}

}  // namespace ksim

#!/usr/bin/env python3
"""The central-system simulator answers in the real shapes, profile v1 (tests/central-sim/README.md).

Single and batch qualification results as complete records in the layout order of the field lists
(特定疾病, 医療扶助 as a second A1 record with its 医療券, the consent block, PrescriptionIssueSelect),
ReferenceNumber inside single records and after the records in batch units, the population's new
attributes, canned answers (interface fixtures served unchanged), and the medical-aid batch (OQSmutic).

Runs the real kakehashi-central-sim binary against certificates made by scripts/make-certs.
Environment: CENTRAL_SIM_BIN (the binary), KAKEHASHI_SOURCE (the repository root).
Run as a script: python3 test_central_sim_shapes.py (exit status non-zero on failure).
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_central_sim import (INSTITUTION, OTHER_INSTITUTION, SOURCE, Simulator, request_xml,  # noqa: E402
                              search_info_xml, text)

FIXTURES = os.path.join(SOURCE, "tests", "fixtures", "interface")

# The layout orders of the field lists (the notes' §1.3, §1.4, §2.4); optional elements may be absent,
# the ones present must come in this order.
BODY_ORDER = ["ProcessingResultStatus", "ProcessingResultCode", "ProcessingResultMessage", "QualificationValidity",
              "ResultList", "QualificationConfirmSearchInfo", "PrescriptionIssueSelect"]
RECORD_ORDER = [
    "InsuredCardClassification", "InsurerNumber", "PublicExpenseNumber", "InsuredCardSymbol",
    "InsuredIdentificationNumber", "BeneficiaryNumber", "InsuredBranchNumber", "PersonalFamilyClassification",
    "InsuredName", "Name", "NameOfOther", "NameKana", "NameOfOtherKana", "Sex1", "Sex2", "Birthdate", "Address",
    "PostNumber", "QualificationDate", "DisqualificationDate", "InsuredCertificateIssuanceDate",
    "InsuredCardValidDate", "InsuredCardExpirationDate", "InsuredPartialContributionRatio",
    "PreschoolClassification", "ReasonOfLoss", "InsurerName", "WelfareOfficeName",
    "ElderlyRecipientCertificateInfo", "LimitApplicationCertificateRelatedConsFlg",
    "LimitApplicationCertificateRelatedConsTime", "LimitApplicationCertificateRelatedInfo",
    "SpecificDiseasesCertificateRelatedConsFlg", "SpecificDiseasesCertificateRelatedConsTime",
    "SpecificDiseasesCertificateList", "PublicExpenseResultList",
    "SpecificHealthCheckupsInfoConsFlg", "SpecificHealthCheckupsInfoConsTime", "SpecificHealthCheckupsInfoAvailableTime",
    "PharmacistsInfoConsFlg", "PharmacistsInfoConsTime", "PharmacistsInfoAvailableTime",
    "DiagnosisInfoConsFlg", "DiagnosisInfoConsTime", "DiagnosisInfoAvailableTime",
    "OperationInfoConsFlg", "OperationInfoConsTime", "OperationInfoAvailableTime", "ReferenceNumber"]
TICKET_ORDER = [
    "TicketType", "MedicalTicketValidDate", "MedicalTicketExpirationDate", "IssueNumber", "MedicalTreatmentMonth",
    "DesignatedMedicalInstitutionCode", "DesignatedMedicalInstitutionFlag", "DesignatedMedicalInstitutionName",
    "PrescriptionIssuerMedicalInstitutionCode", "PrescriptionIssuerMedicalInstitutionName", "InjuryName1",
    "InjuryName2", "InjuryName3", "MedicalTreatmentType", "SelfPayAmount", "DistrictContactName",
    "HandlingContactName", "SingleOrCombinedUse", "StatusOfSocialInsurance", "ConsistencyFlag", "StatusOfInfecton",
    "StatusOfElderlyMedicalCare", "StatusOfPrefecturalExpenses", "Remarks1", "Remarks2", "Remarks3"]
DISEASE_ORDER = ["SpecificDiseasesDiseaseCategory", "SpecificDiseasesCertificateDate",
                 "SpecificDiseasesValidStartDate", "SpecificDiseasesValidEndDate", "SpecificDiseasesSelfPay"]
UNIT_ORDER = ["QualificationConfirmSearchInfo", "MedicalTreatmentFlag", "ExaminationDate", "ProcessingResultStatus",
              "ProcessingResultCode", "ProcessingResultMessage", "QualificationValidity",
              "ResultOfQualificationConfirmation", "ReferenceNumber"]
BATCH_HEADER_ORDER = ["ProcessExecutionTime", "QualificationConfirmationDate", "MedicalInstitutionCode",
                      "ArbitraryFileIdentifier", "ReceptionNumber", "SegmentOfResult", "ErrorCode", "ErrorMessage",
                      "NumberOfProcessingResult", "NumberOfNormalProcessing", "NumberOfError",
                      "CharacterCodeIdentifier"]

# The fields /sim/population listed before the population was extended, and their digest for seed
# 20261125 and 10,000 persons as the earlier simulator made them: the extension must not change them.
EARLIER_FIELDS = ("insurerNumber", "insurerName", "cardSymbol", "cardNumber", "branchNumber", "birthDate", "name",
                  "nameKana", "sex", "validity", "kind", "contributionRatio", "elderlyCertificate", "limitCertificate")
EARLIER_DIGEST = "f484ed3f53e9b3b1fc186aac0aed2b6d258bfcaadb2447b503330889a8346ab1"


def fixture_text(*parts):
    """A fixture as text: Shift_JIS files decoded, and declared UTF-8 as the link carries them."""
    with open(os.path.join(FIXTURES, *parts), "rb") as f:
        raw = f.read()
    if re.match(rb'<\?xml[^>]*encoding="Shift_JIS"', raw):
        return raw.decode("cp932").replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
    return raw.decode("utf-8")


def in_order(test, element, order):
    tags = [c.tag for c in element]
    unknown = [t for t in tags if t not in order]
    test.assertEqual(unknown, [], "elements outside the layout in %s" % element.tag)
    positions = [order.index(t) for t in tags]
    test.assertEqual(positions, sorted(positions), "%s children out of layout order: %s" % (element.tag, tags))


def same_tree(test, a, b):
    """Element by element: names, text (stripped) and children, in order."""
    test.assertEqual(a.tag, b.tag)
    test.assertEqual((a.text or "").strip(), (b.text or "").strip(), a.tag)
    test.assertEqual([c.tag for c in a], [c.tag for c in b], a.tag)
    for x, y in zip(a, b):
        same_tree(test, x, y)


class ShapesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="central-sim-shapes-")
        cls.certs = os.path.join(cls.tmp.name, "certs")
        subprocess.run([os.path.join(SOURCE, "scripts", "make-certs"), cls.certs], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.sim = Simulator(cls.certs, cls.tmp.name, extra=["--seed", "20261125", "--batch-delay-ms", "400"])
        cls.sim.wait_ready()
        status, page = cls.sim.control("GET", "/sim/population?limit=10000")
        assert status == 200, page
        cls.persons = page["persons"]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.sim.control("POST", "/sim/reset")

    # --- helpers ---
    def where(self, predicate, index=0):
        return [p for p in self.persons if predicate(p)][index]

    def assisted(self, with_insurance, prefecture="13", index=0):
        return self.where(lambda p: p["validity"] == "1" and p["publicAssistance"]
                          and p["publicAssistance"]["withInsurance"] == with_insurance
                          and p["publicAssistance"]["prefecture"] == prefecture, index)

    def inquire(self, person, client="facility-client", institution=INSTITUTION, **kw):
        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry",
                                       request_xml([search_info_xml(person, **kw)], institution), client=client)
        self.assertEqual(status, 200, body)
        return ET.fromstring(body)

    def records(self, root):
        return root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")

    def register_reference(self, person, number):
        info = ("<ReferenceNumberRegistrationInfo><ReferenceNumber>%s</ReferenceNumber><InsurerNumber>%s</InsurerNumber>"
                "<InsuredIdentificationNumber>%s</InsuredIdentificationNumber><InsuredBranchNumber>%s</InsuredBranchNumber>"
                "<Birthdate>%s</Birthdate></ReferenceNumberRegistrationInfo>"
                % (number, person["insurerNumber"], person["cardNumber"], person["branchNumber"], person["birthDate"]))
        doc = ('<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>%s'
               "</MedicalInstitutionCode></MessageHeader><MessageBody>%s</MessageBody></XmlMsg>" % (INSTITUTION, info))
        status, _, body = self.sim.api("POST", "/v1/reference-numbers", doc)
        self.assertEqual(text(ET.fromstring(body), "MessageBody/ReferenceNumberRegistrationResult/ProcessingResultStatus"),
                         "1", body)

    def download(self, location, client="facility-client"):
        """Polls a batch until it is ready (202 while processing), returns the parsed 200 answer."""
        deadline = time.time() + 15
        while True:
            status, headers, body = self.sim.api("GET", location, client=client)
            if status != 202 or time.time() > deadline:
                break
            self.assertEqual(headers.get("Retry-After"), "1")
            time.sleep(0.1)
        self.assertEqual(status, 200, body)
        root = ET.fromstring(body)
        in_order(self, root.find("MessageHeader"), BATCH_HEADER_ORDER)
        return root

    def upload_batch(self, searches):
        status, headers, body = self.sim.api("POST", "/v1/qualifications/batches", request_xml(searches))
        self.assertEqual(status, 202, body)
        return self.download(headers["Location"])

    # --- the population ---
    def test_population_is_extended_without_changing_earlier_persons(self):
        digest = hashlib.sha256(json.dumps([[p[k] for k in EARLIER_FIELDS] for p in self.persons],
                                           ensure_ascii=False).encode()).hexdigest()
        self.assertEqual(digest, EARLIER_DIGEST)
        n = len(self.persons)
        share = lambda pred: sum(1 for p in self.persons if pred(p)) / n
        self.assertTrue(0.01 < share(lambda p: p["specificDiseases"]) < 0.05)
        self.assertTrue(0.005 < share(lambda p: p["publicAssistance"] and p["publicAssistance"]["withInsurance"]) < 0.05)
        self.assertTrue(0.01 < share(lambda p: p["publicAssistance"] and not p["publicAssistance"]["withInsurance"]) < 0.05)
        self.assertTrue(0.02 < share(lambda p: p["outpatientConsent"]) < 0.15)
        self.assertTrue(any(p["outpatientConsent"] and p["outpatientConsent"]["expired"] for p in self.persons))
        self.assertEqual({p["prescriptionIssueSelect"] for p in self.persons}, {"1", "2"})
        for p in self.persons:
            if p["kind"] == "kohi":
                self.assertFalse(p["publicAssistance"]["withInsurance"])
                self.assertEqual(p["publicAssistance"]["publicExpenseNumber"], p["insurerNumber"])

    # --- single results ---
    def test_single_result_is_the_complete_record_in_layout_order(self):
        p = self.where(lambda p: p["validity"] == "1" and p["kind"] == "shaho" and p["limitCertificate"]
                       and not p["publicAssistance"] and not p["outpatientConsent"])
        root = self.inquire(p, consent="1")
        in_order(self, root.find("MessageBody"), BODY_ORDER)
        [record] = self.records(root)
        in_order(self, record, RECORD_ORDER)
        self.assertEqual(text(record, "InsurerName"), p["insurerName"])
        self.assertEqual(text(record, "LimitApplicationCertificateRelatedConsFlg"), "1")
        self.assertIsNotNone(record.find("LimitApplicationCertificateRelatedInfo"))
        self.assertEqual(text(record, "SpecificDiseasesCertificateRelatedConsFlg"), "0")
        for scope in ("SpecificHealthCheckupsInfo", "PharmacistsInfo", "DiagnosisInfo", "OperationInfo"):
            self.assertEqual(text(record, scope + "ConsFlg"), "0", scope)
        self.assertEqual(text(root, "MessageBody/PrescriptionIssueSelect"), p["prescriptionIssueSelect"])
        self.assertEqual(text(root, "MessageBody/QualificationConfirmSearchInfo/InsuredIdentificationNumber"),
                         p["cardNumber"])
        # Not found: no record and no prescription choice.
        root = self.inquire(p, birth="19000101")
        self.assertIsNone(root.find("MessageBody/ResultList"))
        self.assertIsNone(root.find("MessageBody/PrescriptionIssueSelect"))

    def test_specific_diseases_are_shown_with_the_limit_consent(self):
        p = self.where(lambda p: p["validity"] == "1" and p["specificDiseases"] and len(p["specificDiseases"]) == 2)
        [record] = self.records(self.inquire(p, consent="1"))
        in_order(self, record, RECORD_ORDER)
        self.assertEqual(text(record, "SpecificDiseasesCertificateRelatedConsFlg"), "1")
        self.assertRegex(text(record, "SpecificDiseasesCertificateRelatedConsTime"), r"^\d{14}$")
        infos = record.findall("SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo")
        self.assertEqual(len(infos), 2)
        for info, expected in zip(infos, p["specificDiseases"]):
            in_order(self, info, DISEASE_ORDER)
            self.assertEqual(text(info, "SpecificDiseasesDiseaseCategory"), expected["category"])
            self.assertEqual(text(info, "SpecificDiseasesValidStartDate"), expected["validStartDate"])
            self.assertEqual(text(info, "SpecificDiseasesValidEndDate"), expected["validEndDate"])
            self.assertEqual(text(info, "SpecificDiseasesSelfPay"), expected["selfPay"])
        [record] = self.records(self.inquire(p, consent="0"))
        self.assertEqual(text(record, "SpecificDiseasesCertificateRelatedConsFlg"), "0")
        self.assertIsNone(record.find("SpecificDiseasesCertificateList"))

    def test_insurance_and_medical_aid_give_two_records_with_the_tickets_of_the_area(self):
        p = self.assisted(True)
        assistance = p["publicAssistance"]
        root = self.inquire(p)
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")
        insurance, aid = self.records(root)
        for record in (insurance, aid):
            in_order(self, record, RECORD_ORDER)
        self.assertEqual(text(insurance, "InsuredCardClassification"), "01")
        self.assertEqual(text(insurance, "InsuredIdentificationNumber"), p["cardNumber"])
        self.assertEqual(text(aid, "InsuredCardClassification"), "A1")
        self.assertIsNone(aid.find("InsurerNumber"))
        self.assertEqual(text(aid, "PublicExpenseNumber"), assistance["publicExpenseNumber"])
        self.assertEqual(text(aid, "BeneficiaryNumber"), assistance["beneficiaryNumber"])
        self.assertEqual(text(aid, "WelfareOfficeName"), assistance["welfareOfficeName"])
        self.assertEqual(text(aid, "QualificationDate"), assistance["startDate"])
        self.assertEqual(text(aid, "Name"), p["name"])
        tickets = aid.findall("PublicExpenseResultList/MedicalTicketInfo")
        self.assertTrue(tickets)
        for t in tickets:
            in_order(self, t, TICKET_ORDER)
            self.assertEqual(text(t, "MedicalTreatmentMonth"), "202611")  # the request's confirmation date
            self.assertEqual(text(t, "SingleOrCombinedUse"), "2")
        self.assertEqual(text(tickets[0], "TicketType"), "1")
        self.assertEqual(text(tickets[0], "DesignatedMedicalInstitutionCode"), INSTITUTION)
        self.assertEqual((text(tickets[0], "MedicalTicketValidDate"), text(tickets[0], "MedicalTicketExpirationDate")),
                         ("20261101", "20261130"))
        # An institution outside the welfare office's area holds no ticket, the records stay.
        root = self.inquire(p, client="other-facility-client", institution=OTHER_INSTITUTION)
        insurance, aid = self.records(root)
        self.assertIsNone(aid.find("PublicExpenseResultList"))

    def test_medical_aid_only_is_one_a1_record(self):
        p = self.where(lambda q: q["kind"] == "kohi" and q["validity"] == "1")
        [record] = self.records(self.inquire(p))
        in_order(self, record, RECORD_ORDER)
        self.assertEqual(text(record, "InsuredCardClassification"), "A1")
        self.assertEqual(text(record, "PublicExpenseNumber"), p["insurerNumber"])
        self.assertEqual(text(record, "BeneficiaryNumber"), p["cardNumber"])
        self.assertIsNone(record.find("InsuredIdentificationNumber"))
        self.assertIsNone(record.find("InsuredPartialContributionRatio"))

    def test_reference_number_is_inside_single_records_and_after_the_records_in_batch_units(self):
        both, plain = self.assisted(True), self.where(lambda p: p["validity"] == "1" and p["kind"] == "kokuho")
        self.register_reference(both, "PT-7001")
        self.register_reference(plain, "PT-7002")
        records = self.records(self.inquire(both))
        self.assertEqual([text(r, "ReferenceNumber") for r in records], ["PT-7001", "PT-7001"])

        root = self.upload_batch([search_info_xml(both, arbitrary="A"), search_info_xml(plain, arbitrary="B")])
        units = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(len(units), 2)
        for unit in units:
            in_order(self, unit, UNIT_ORDER)
            for record in unit.findall("ResultOfQualificationConfirmation"):
                in_order(self, record, RECORD_ORDER)
                self.assertIsNone(record.find("ReferenceNumber"))
            self.assertIsNone(unit.find("PrescriptionIssueSelect"))
        self.assertEqual([c.tag for c in units[0]][-4:], ["ResultOfQualificationConfirmation"] * 2 + ["ReferenceNumber"] * 2)
        self.assertEqual([text(u, "ReferenceNumber") for u in units], ["PT-7001", "PT-7002"])
        self.assertEqual(text(units[0], "ResultOfQualificationConfirmation[2]/InsuredCardClassification"), "A1")

    def test_outpatient_consent_block_is_carried_and_can_be_set_per_institution(self):
        p = self.where(lambda p: p["validity"] == "1" and p["outpatientConsent"]
                       and not p["outpatientConsent"]["expired"] and not p["publicAssistance"])
        # Read again now: the times of a consent given "today" move with the date.
        consent = self.sim.control("GET", "/sim/population?limit=1&offset=%d" % self.persons.index(p))[1][
            "persons"][0]["outpatientConsent"]
        [record] = self.records(self.inquire(p))
        for scope, prefix in (("medication", "PharmacistsInfo"), ("checkup", "SpecificHealthCheckupsInfo"),
                              ("clinical", "DiagnosisInfo")):
            self.assertEqual(text(record, prefix + "ConsFlg"), "1" if scope in consent["scopes"] else "0")
            if scope in consent["scopes"]:
                self.assertEqual(text(record, prefix + "ConsTime"), consent["consTime"])
                self.assertEqual(text(record, prefix + "AvailableTime"), consent["availableTime"])

        q = self.where(lambda p: p["validity"] == "1" and not p["outpatientConsent"] and p["kind"] == "shaho", 3)
        body = {k: q[k] for k in ("insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate")}
        body.update(institution=INSTITUTION, scopes=["medication"], availableTime="20991231235959")
        status, answer = self.sim.control("POST", "/sim/outpatient-consent", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["state"], answer["scopes"]), ("active", ["medication"]))
        [record] = self.records(self.inquire(q))
        self.assertEqual(text(record, "PharmacistsInfoConsFlg"), "1")
        self.assertEqual(text(record, "PharmacistsInfoAvailableTime"), "20991231235959")
        self.assertEqual(text(record, "PharmacistsInfoConsTime"), answer["consTime"])
        [record] = self.records(self.inquire(q, client="other-facility-client", institution=OTHER_INSTITUTION))
        self.assertEqual(text(record, "PharmacistsInfoConsFlg"), "0")
        self.assertEqual(self.sim.control("POST", "/sim/outpatient-consent", dict(body, scopes=["surgery"]))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/outpatient-consent", dict(body, availableTime="tomorrow"))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/outpatient-consent", dict(body, birthDate="19000101"))[0], 404)
        self.sim.control("POST", "/sim/reset")
        [record] = self.records(self.inquire(q))
        self.assertEqual(text(record, "PharmacistsInfoConsFlg"), "0")

    # --- canned answers ---
    def test_canned_single_answer_serves_the_fixture_exactly(self):
        document = fixture_text("results", "OQSsiquc01res_202611240001.xml")
        request = fixture_text("requests", "OQSsiquc01req_202611240001.xml")
        status, answer = self.sim.control("POST", "/sim/canned", {"insurerNumber": "06132047", "cardNumber": "3021",
                                                                  "branchNumber": "01", "xml": document})
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["kind"], answer["hits"]), ("single", 0))
        status, headers, body = self.sim.api("POST", "/v1/qualifications/inquiry", request)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/xml; charset=UTF-8")
        self.assertEqual(body.decode("utf-8"), document)
        again = self.sim.api("POST", "/v1/qualifications/inquiry", request)[2]  # every check, not only the next
        self.assertEqual(again, body)
        self.assertEqual(self.sim.control("GET", "/sim/canned")[1]["canned"][0]["hits"], 2)
        # Another branch of the same card is not canned.
        other = request.replace("<InsuredBranchNumber>01</InsuredBranchNumber>", "<InsuredBranchNumber>02</InsuredBranchNumber>")
        self.assertEqual(text(ET.fromstring(self.sim.api("POST", "/v1/qualifications/inquiry", other)[2]),
                              "MessageBody/QualificationValidity"), "4")
        self.assertEqual(self.sim.control("DELETE", "/sim/canned"), (200, {"cleared": 1}))
        root = ET.fromstring(self.sim.api("POST", "/v1/qualifications/inquiry", request)[2])
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "4")

    def test_canned_shift_jis_fixture_is_served_as_utf8_and_compares_element_by_element(self):
        sjis = fixture_text("results", "OQSsiquc01res_202611240002.xml")
        request = fixture_text("requests", "OQSsiquc01req_202611240002.xml")
        status, answer = self.sim.control("POST", "/sim/canned", {"insurerNumber": "  138073", "cardNumber": "004567",
                                                                  "xml": sjis.replace('encoding="UTF-8"', 'encoding="Shift_JIS"')})
        self.assertEqual(status, 200, answer)
        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry", request)
        self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="UTF-8"'))
        same_tree(self, ET.fromstring(body), ET.fromstring(sjis.encode("utf-8")))
        self.assertEqual(text(ET.fromstring(body), "MessageBody/PrescriptionIssueSelect"), "1")

    def test_canned_batch_unit_replaces_the_unit_and_counts(self):
        fixture = fixture_text("results", "OQSmuquc02res_202611240004.xml")
        unit = re.search(r"<BulkConfirmUnit>.*?</BulkConfirmUnit>", fixture, re.S).group(0)
        status, answer = self.sim.control("POST", "/sim/canned", {"kind": "batch", "insurerNumber": "01130160",
                                                                  "cardNumber": "45", "xml": unit})
        self.assertEqual(status, 200, answer)
        canned_search = ("<QualificationConfirmSearchInfo><InsurerNumber>01130160</InsurerNumber>"
                         "<InsuredCardSymbol>70810123</InsuredCardSymbol><InsuredIdentificationNumber>45"
                         "</InsuredIdentificationNumber><InsuredBranchNumber>00</InsuredBranchNumber>"
                         "<Birthdate>19850412</Birthdate></QualificationConfirmSearchInfo>")
        person = self.where(lambda p: p["validity"] == "1" and p["kind"] == "koki")
        root = self.upload_batch([search_info_xml(person), canned_search])
        units = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(text(units[0], "ResultOfQualificationConfirmation/Name"), person["name"])
        same_tree(self, units[1], ET.fromstring(unit))
        self.assertEqual(text(root, "MessageHeader/NumberOfNormalProcessing"), "2")
        # A single check for the same card is not canned by a batch answer.
        single = request_xml([canned_search])
        self.assertEqual(text(ET.fromstring(self.sim.api("POST", "/v1/qualifications/inquiry", single)[2]),
                              "MessageBody/QualificationValidity"), "4")

    def test_canned_answers_are_refused_when_not_xml_and_reset_forgets_them(self):
        base = {"insurerNumber": "06132047", "cardNumber": "3021"}
        self.assertEqual(self.sim.control("POST", "/sim/canned", dict(base, xml="<XmlMsg><unclosed>"))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/canned", dict(base, xml="<Other/>"))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/canned", dict(base, kind="batch", xml="<XmlMsg/>"))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/canned", dict(base, kind="many", xml="<XmlMsg/>"))[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/canned", {"insurerNumber": "06132047", "xml": "<XmlMsg/>"})[0], 400)
        self.assertEqual(self.sim.control("POST", "/sim/canned", dict(base, xml="<XmlMsg/>"))[0], 200)
        self.sim.control("POST", "/sim/reset")
        self.assertEqual(self.sim.control("GET", "/sim/canned")[1], {"canned": []})

    # --- the medical-aid batch (OQSmutic) ---
    def expected_aid(self, institution, month):
        area = institution[:2]
        return [p for p in self.persons if p["publicAssistance"] and p["publicAssistance"]["prefecture"] == area
                and p["validity"] in ("1", "2") and p["publicAssistance"]["startDate"] <= month + "31"
                and (p["publicAssistance"]["endDate"] is None or p["publicAssistance"]["endDate"] >= month + "01")]

    def test_medical_aid_batch_lists_the_areas_assisted_persons_of_the_month(self):
        request = fixture_text("requests", "OQSmutic01req_202611240005.xml")
        aided = self.expected_aid(INSTITUTION, "202611")
        self.assertTrue(any(p["publicAssistance"]["withInsurance"] for p in aided))
        self.register_reference(aided[0], "MA-0001")
        status, headers, body = self.sim.api("POST", "/v1/medical-aid/batches", request)
        self.assertEqual(status, 202, body)
        ack = ET.fromstring(body)
        self.assertEqual([c.tag for c in ack.find("MessageHeader")],
                         ["ProcessExecutionTime", "MedicalInstitutionCode", "ArbitraryFileIdentifier", "SegmentOfResult",
                          "CharacterCodeIdentifier"])
        self.assertEqual(text(ack, "MessageHeader/ArbitraryFileIdentifier"), "20261124093512345PC3")
        reception = text(ack, "MessageBody/ReceptionNumber")
        self.assertTrue(text(ack, "MessageBody/ReceptionDateTime"))
        self.assertEqual(headers["Location"], "/v1/qualifications/batches/" + reception)
        self.assertEqual(self.sim.api("GET", headers["Location"], client="other-facility-client")[0], 404)

        root = self.download(headers["Location"])
        self.assertEqual(text(root, "MessageHeader/ReceptionNumber"), reception)
        self.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), str(len(aided)))
        units = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(len(units), len(aided))
        for unit, p in zip(units, aided):
            in_order(self, unit, UNIT_ORDER)
            self.assertEqual(text(unit, "ProcessingResultStatus"), "1")
            records = unit.findall("ResultOfQualificationConfirmation")
            self.assertEqual(len(records), 2 if p["publicAssistance"]["withInsurance"] else 1)
            aid = records[-1]
            in_order(self, aid, RECORD_ORDER)
            self.assertEqual(text(aid, "InsuredCardClassification"), "A1")
            self.assertEqual(text(aid, "BeneficiaryNumber"), p["publicAssistance"]["beneficiaryNumber"])
            ticket = aid.find("PublicExpenseResultList/MedicalTicketInfo")
            self.assertEqual(text(ticket, "MedicalTreatmentMonth"), "202611")
            self.assertEqual(text(ticket, "DesignatedMedicalInstitutionCode"), INSTITUTION)
        self.assertEqual(units[0].findall("ReferenceNumber")[-1].text, "MA-0001")

        # Another institution sees its own area.
        other = request.replace(INSTITUTION, OTHER_INSTITUTION)
        status, headers, _ = self.sim.api("POST", "/v1/medical-aid/batches", other, client="other-facility-client")
        self.assertEqual(status, 202)
        root = self.download(headers["Location"], client="other-facility-client")
        names = [text(u, "ResultOfQualificationConfirmation/Name") for u in root.findall("MessageBody/BulkConfirmUnit")]
        self.assertEqual(names, [p["name"] for p in self.expected_aid(OTHER_INSTITUTION, "202611")])

    def test_medical_aid_batch_refuses_a_missing_or_bad_month(self):
        def upload(search):
            doc = ('<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>%s'
                   "</MedicalInstitutionCode></MessageHeader><MessageBody>%s</MessageBody></XmlMsg>" % (INSTITUTION, search))
            status, _, body = self.sim.api("POST", "/v1/medical-aid/batches", doc)
            return status, text(ET.fromstring(body), "MessageHeader/ErrorCode")

        self.assertEqual(upload("<QualificationConfirmSearchInfo/>"), (400, "SIM-4003"))
        self.assertEqual(upload("<QualificationConfirmSearchInfo><MedicalTreatmentMonth>202613</MedicalTreatmentMonth>"
                                "</QualificationConfirmSearchInfo>"), (400, "SIM-4004"))
        self.assertEqual(upload("<QualificationConfirmSearchInfo><MedicalTreatmentMonth>20261101</MedicalTreatmentMonth>"
                                "</QualificationConfirmSearchInfo>"), (400, "SIM-4004"))

    def test_routes_list_the_new_endpoints(self):
        routes = self.sim.control("GET", "/sim/routes")[1]
        self.assertIn(("POST", "/v1/medical-aid/batches"), [(r["method"], r["path"]) for r in routes["api"]])
        control = [(r["method"], r["path"]) for r in routes["control"]]
        for route in (("POST", "/sim/canned"), ("GET", "/sim/canned"), ("DELETE", "/sim/canned"),
                      ("POST", "/sim/outpatient-consent"), ("DELETE", "/sim/outpatient-consent")):
            self.assertIn(route, control)


if __name__ == "__main__":
    unittest.main(verbosity=2)

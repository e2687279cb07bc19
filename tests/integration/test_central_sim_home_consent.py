#!/usr/bin/env python3
"""The central-system simulator's home consent (居宅同意取得型), profile v1 (tests/central-sim/README.md).

The institution's マイナ在宅受付Web URL, a patient's consent through the simulated page's scriptable
endpoint (PIN, scopes, examination date), the consented-patients list (OQSmuonq01/OQSmuhvq01 → batch
result), medical information under consent in the shapes receipt computers use (YZK/TKK requests named by
the insurance card alone; XML and PDF; refused without, after expiry, after withdrawal, outside the
consented scope; outpatient requests decided by the outpatient consent block), reference numbers, and
withdrawals.

Runs the real kakehashi-central-sim binary against certificates made by scripts/make-certs.
Environment: CENTRAL_SIM_BIN (the binary), KAKEHASHI_SOURCE (the repository root).
Run as a script: python3 test_central_sim_home_consent.py (exit status non-zero on failure).
"""
import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_central_sim import (INSTITUTION, OTHER_INSTITUTION, SOURCE, Simulator, request_xml,  # noqa: E402
                              search_info_xml, text)

JST = datetime.timezone(datetime.timedelta(hours=9))


def jst_today(offset_days=0):
    return (datetime.datetime.now(JST) + datetime.timedelta(days=offset_days)).strftime("%Y%m%d")


def jst_now(offset_seconds=0):
    return (datetime.datetime.now(JST) + datetime.timedelta(seconds=offset_seconds)).strftime("%Y%m%d%H%M%S")


def jst_now_minus_day(timestamp):
    moment = datetime.datetime.strptime(timestamp, "%Y%m%d%H%M%S") - datetime.timedelta(days=1)
    return moment.strftime("%Y%m%d%H%M%S")


def jst_month(offset_months=0):
    now = datetime.datetime.now(JST)
    index = now.year * 12 + now.month - 1 + offset_months
    return "%04d%02d" % (index // 12, index % 12 + 1)


def xml_msg(header, body):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<XmlMsg><MessageHeader>%s</MessageHeader><MessageBody>%s</MessageBody></XmlMsg>' % (
        header, body)


def leaves(**fields):
    return "".join("<%s>%s</%s>" % (k, v, k) for k, v in fields.items() if v is not None)


def identifiers(p):
    return {k: p[k] for k in ("insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate")}


class HomeConsentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="central-sim-home-consent-")
        cls.certs = os.path.join(cls.tmp.name, "certs")
        subprocess.run([os.path.join(SOURCE, "scripts", "make-certs"), cls.certs], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.sim = Simulator(cls.certs, cls.tmp.name, extra=["--seed", "20261125", "--batch-delay-ms", "300"])
        cls.sim.wait_ready()
        status, page = cls.sim.control("GET", "/sim/population?limit=3000&validity=1")
        assert status == 200, page
        cls.valid = page["persons"]
        cls.everyone = cls.sim.control("GET", "/sim/population?limit=10000")[1]["persons"]
        # Adults with long card numbers, so the log check cannot hit a number by chance; none with an
        # outpatient consent, so outpatient requests for them are refused.
        cls.persons = [p for p in page["persons"] if p["kind"] in ("shaho", "kokuho") and len(p["cardNumber"]) >= 6
                       and p["birthDate"] < "19800101" and not p["outpatientConsent"]]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.sim.control("POST", "/sim/reset")
        status, url = self.api_json("GET", "/v1/home-consent/url")
        self.assertEqual(status, 200, url)
        self.token = url["url"].rsplit("/", 1)[1]

    # --- helpers ---
    def person(self, index=0):
        return self.persons[index]

    def api_json(self, method, path, body=None, request_id=None, client="facility-client"):
        data = json.dumps(body) if body is not None else None
        status, headers, raw = self.sim.api(method, path, data, request_id=request_id, client=client)
        if headers.get("Content-Type", "").startswith("application/json"):
            return status, json.loads(raw)
        return status, raw

    def consent(self, p, scopes=("medication",), flag=3, exam=None, pin="1234", consent_time=None, token=None):
        body = dict(identifiers(p), pin=pin, scopes=list(scopes), medicalTreatmentFlag=flag,
                    examinationDate=exam or jst_today())
        if consent_time:
            body["consentTime"] = consent_time
        return self.sim.control("POST", "/sim/home-reception/%s/consent" % (token or self.token), body)

    def consented(self, p, **kw):
        status, answer = self.consent(p, **kw)
        self.assertEqual(status, 200, answer)
        return answer

    def medical(self, kind, p, category="2", flag="3", client="facility-client", institution=INSTITUTION,
                request_id=None, insurer=None, branch=None, start=None, end=None, birth=None):
        """A YZKsiquc01req / TKKsiquc01req as receipt computers write it: the card in the header, no birth date."""
        header = leaves(MedicalInstitutionCode=institution, InsurerNumber=insurer or p["insurerNumber"],
                        InsuranceCardSymbol=p["cardSymbol"] or None, InsuredPersonIdentificationNumber=p["cardNumber"],
                        BranchNumber=p["branchNumber"] if branch is None else branch, ArbitraryFileIdentifier="12340")
        months = kind != "checkup"  # TKK requests carry no period
        body = leaves(StartDate=start or (jst_month(-13) if months else None), EndDate=end or (jst_month() if months else None),
                      FileCategory=category, PrDiInfClassification="1", MedicalTreatmentFlag=flag, Birthdate=birth)
        return self.sim.api("POST", "/v1/medical-info/" + kind, xml_msg(header, body), request_id=request_id,
                            client=client)

    def assert_refused(self, answer, code, words):
        status, headers, body = answer
        self.assertEqual(status, 403, body)
        root = ET.fromstring(body)
        self.assertEqual(text(root, "MessageHeader/ResultCode"), "2")
        self.assertEqual(text(root, "MessageHeader/ProcessingResultCode"), code)
        self.assertIn(words, text(root, "MessageHeader/MessageContents"))
        self.assertEqual(list(root.find("MessageBody")), [])

    def assert_served(self, answer):
        status, headers, body = answer
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("application/xml"))
        root = ET.fromstring(body)
        self.assertEqual(text(root, "MessageHeader/ResultCode"), "1")
        return root

    def outpatient(self, p, scopes, available, **extra):
        body = dict(identifiers(p), scopes=list(scopes), availableTime=available, **extra)
        status, answer = self.sim.control("POST", "/sim/outpatient-consent", body)
        self.assertEqual(status, 200, answer)
        return answer

    def consent_list(self, flag, **range_fields):
        search = "<QualificationConfirmSearchInfo>%s<MedicalTreatmentFlag>%s</MedicalTreatmentFlag></QualificationConfirmSearchInfo>" % (
            leaves(**range_fields), flag)
        doc = xml_msg(leaves(MedicalInstitutionCode=INSTITUTION, ArbitraryFileIdentifier="202611260002"), search)
        status, headers, body = self.sim.api("POST", "/v1/home-consent/qualifications", doc)
        self.assertEqual(status, 202, body)
        reception = text(ET.fromstring(body), "MessageBody/ReceptionNumber")
        self.assertRegex(reception, r"^R\d{15}$")
        self.assertEqual(headers["Location"], "/v1/qualifications/batches/" + reception)
        deadline = time.time() + 10
        while True:
            status, headers, body = self.sim.api("GET", "/v1/qualifications/batches/" + reception)
            if status != 202 or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(status, 200, body)
        return ET.fromstring(body)

    # --- the URL and the page ---
    def test_url_endpoint_gives_a_stable_per_institution_page_on_the_control_server(self):
        status, answer = self.api_json("GET", "/v1/home-consent/url")
        self.assertEqual(status, 200)
        self.assertEqual(answer["institutionCode"], INSTITUTION)
        self.assertRegex(answer["url"], r"^http://127\.0\.0\.1:%d/home-reception/[0-9a-f]{16}$" % self.sim.control_port)
        self.assertEqual(self.api_json("GET", "/v1/home-consent/url")[1], answer)
        status, other = self.api_json("GET", "/v1/home-consent/url", client="other-facility-client")
        self.assertEqual(other["institutionCode"], OTHER_INSTITUTION)
        self.assertNotEqual(other["url"], answer["url"])

        conn = http.client.HTTPConnection("127.0.0.1", self.sim.control_port, timeout=10)
        conn.request("GET", urllib.parse.urlparse(answer["url"]).path)
        resp = conn.getresponse()
        page = resp.read().decode()
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/html"))
        self.assertIn("マイナ在宅受付Web（シミュレーター）", page)
        self.assertIn(INSTITUTION, page)
        self.assertIn("/sim/home-reception/%s/" % self.token, page)
        conn.request("GET", "/home-reception/0000000000000000")
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 404)
        conn.close()

    # --- consent through the scriptable endpoint ---
    def test_consent_is_refused_for_a_wrong_pin_and_blocked_after_three(self):
        p, q = self.person(0), self.person(1)
        status, answer = self.consent(p, pin="0000")
        self.assertEqual((status, answer["remainingTries"], answer["blocked"]), (403, 2, False))
        self.assertIn("暗証番号", answer["error"])
        self.consent(p, pin="1111")
        status, answer = self.consent(p, pin="2222")
        self.assertEqual((status, answer["blocked"]), (403, True))
        status, answer = self.consent(p, pin="1234")
        self.assertEqual((status, answer["blocked"]), (403, True))
        self.assertEqual(self.sim.control("GET", "/sim/consents")[1]["consents"], [])
        self.consented(q)  # another card is not affected
        self.sim.control("POST", "/sim/reset")
        self.api_json("GET", "/v1/home-consent/url")
        self.consented(p)  # reset unblocks

    def test_consent_refusals_unknown_token_person_and_past_examination_date(self):
        p = self.person(0)
        self.assertEqual(self.consent(p, token="ffffffffffffffff")[0], 404)
        unknown = dict(p, birthDate="19000101")
        status, answer = self.consent(unknown)
        self.assertEqual(status, 404)
        self.assertIn("error", answer)
        self.assertEqual(self.consent(p, exam=jst_today(-1))[0], 400)
        self.assertEqual(self.consent(p, flag=1)[0], 400)
        self.assertEqual(self.consent(p, scopes=["surgery"])[0], 400)
        self.assertEqual(self.consent(p, consent_time="20991231000000")[0], 400)

    def test_consent_for_today_with_an_earlier_consent_time_is_valid_until_today_235959(self):
        p = self.person(2)
        answer = self.consented(p, consent_time=jst_today() + "000001")
        self.assertEqual(answer["consentTime"], jst_today() + "000001")
        self.assertEqual(answer["availableTime"], jst_today() + "235959")
        self.assertEqual(answer["state"], "active")
        self.assert_served(self.medical("medication", p))
        status, _, pdf = self.medical("medication", p, category="1")
        self.assertEqual(status, 200)
        self.assertIn(("Consent available until: %s235959" % jst_today()).encode(), pdf)

    # --- the consented patients list ---
    def test_consent_list_shows_the_patient_with_consent_flags_and_available_time(self):
        online, visit = self.person(3), self.person(4)
        exam = jst_today(3)
        c = self.consented(online, scopes=["medication", "checkup"], flag=3, exam=exam)
        self.consented(visit, scopes=["clinical"], flag=2, exam=jst_today(1))

        root = self.consent_list(3, ExaminationDateFrom=jst_today(), ExaminationDateTo=jst_today(7))
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), "1")
        [unit] = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(text(unit, "MedicalTreatmentFlag"), "3")
        self.assertEqual(text(unit, "ExaminationDate"), exam)
        self.assertEqual(text(unit, "ProcessingResultStatus"), "1")
        self.assertEqual(text(unit, "QualificationValidity"), "1")
        r = unit.find("ResultOfQualificationConfirmation")
        self.assertEqual(text(r, "Name"), online["name"])
        self.assertEqual(text(r, "InsuredIdentificationNumber"), online["cardNumber"])
        self.assertEqual(text(r, "PharmacistsInfoConsFlg"), "1")
        self.assertEqual(text(r, "PharmacistsInfoConsTime"), c["consentTime"])
        self.assertEqual(text(r, "PharmacistsInfoAvailableTime"), exam + "235959")
        self.assertEqual(text(r, "SpecificHealthCheckupsInfoConsFlg"), "1")
        self.assertEqual(text(r, "SpecificHealthCheckupsInfoAvailableTime"), exam + "235959")
        self.assertEqual(text(r, "DiagnosisInfoConsFlg"), "0")
        self.assertIsNone(r.find("DiagnosisInfoAvailableTime"))
        self.assertIsNone(r.find("ReferenceNumber"))

        root = self.consent_list(2, ConsentDateFrom=jst_today(-1), ConsentDateTo=jst_today())
        [unit] = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(text(unit, "ResultOfQualificationConfirmation/Name"), visit["name"])
        self.assertEqual(text(unit, "ResultOfQualificationConfirmation/DiagnosisInfoConsFlg"), "1")

        # Another institution sees none of them; a bad range is refused.
        search = ("<QualificationConfirmSearchInfo><ConsentDateFrom>%s</ConsentDateFrom><ConsentDateTo>%s</ConsentDateTo>"
                  "<MedicalTreatmentFlag>3</MedicalTreatmentFlag></QualificationConfirmSearchInfo>" % (jst_today(), jst_today(-2)))
        status, _, body = self.sim.api("POST", "/v1/home-consent/qualifications",
                                       xml_msg(leaves(MedicalInstitutionCode=INSTITUTION), search))
        self.assertEqual(status, 400)
        self.assertEqual(text(ET.fromstring(body), "MessageHeader/ErrorCode"), "SIM-4004")

    # --- medical information ---
    def test_medication_info_is_given_while_consented_and_refused_without_consent_or_after_withdrawal(self):
        p, stranger = self.person(5), self.person(6)
        self.consented(p, scopes=["medication"])
        root = self.assert_served(self.medical("medication", p))
        self.assertEqual([c.tag for c in root.find("MessageHeader")],
                         ["MedicalInstitutionCode", "ArbitraryFileIdentifier", "ResultCode", "MessageContents", "QuaInf"])
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "12340")
        self.assertEqual([c.tag for c in root.find("MessageHeader/QuaInf")], ["Name", "KanaName", "Birth", "AdmGendCode"])
        self.assertEqual(text(root, "MessageHeader/QuaInf/Name"), p["name"])
        self.assertEqual(text(root, "MessageHeader/QuaInf/KanaName"), p["nameKana"])
        self.assertEqual(text(root, "MessageHeader/QuaInf/Birth"), p["birthDate"])
        self.assertEqual(text(root, "MessageHeader/QuaInf/AdmGendCode"), p["sex"])
        drugs = root.findall("MessageBody/MeTrMonthInf/DiDateInfs/DiDateInf/DrugInfs/DrugInf")
        self.assertTrue(drugs)
        for field in ("DrugC", "DrugN", "IngreN", "Qua1", "Unit", "UsageN", "Times", "MeTrIdCl"):
            self.assertTrue(text(drugs[0], field), field)
        self.assertRegex(text(drugs[0], "DrugC"), r"^99\d{7}$")
        self.assertTrue(root.findall("MessageBody/CzDiInf/CzDiMonthInf/CzDiDateInfs/CzDiDateInf/CzDrugInfs/CzDrugInf"))
        self.assertEqual(root.find("MessageBody/ShPrInf") is not None, p["prescriptionIssueSelect"] == "1")
        body_order = ["MeTrMonthInf", "ShPrInf", "CzDiInf"]
        tags = [c.tag for c in root.find("MessageBody")]
        self.assertEqual(tags, sorted(tags, key=body_order.index))
        again = ET.fromstring(self.medical("medication", p)[2])  # deterministic from the person
        self.assertEqual(ET.tostring(again.find("MessageBody")), ET.tostring(root.find("MessageBody")))

        self.assert_refused(self.medical("medication", stranger), "SIM-CNS-001", "同意がありません")
        # Consents are per institution.
        self.assert_refused(self.medical("medication", p, client="other-facility-client",
                                         institution=OTHER_INSTITUTION), "SIM-CNS-001", "同意がありません")

        status, w = self.sim.control("POST", "/sim/home-reception/%s/withdraw" % self.token, identifiers(p))
        self.assertEqual(status, 200, w)
        self.assertEqual(w["by"], "patient")
        self.assert_refused(self.medical("medication", p), "SIM-CNS-003", "同意が撤回されています")
        status, listed = self.api_json("GET", "/v1/consents/withdrawals")
        self.assertEqual([x["withdrawalId"] for x in listed["withdrawals"]], [w["withdrawalId"]])
        self.assertEqual(listed["withdrawals"][0]["by"], "patient")
        self.assertEqual(self.sim.control("POST", "/sim/home-reception/%s/withdraw" % self.token,
                                          identifiers(p))[0], 404)

    def test_checkup_is_refused_when_only_medication_was_consented(self):
        p = self.person(7)
        self.consented(p, scopes=["medication"])
        self.assert_refused(self.medical("checkup", p), "SIM-CNS-001", "同意がありません")
        self.assert_refused(self.medical("clinical", p), "SIM-CNS-001", "同意がありません")
        self.consented(p, scopes=["checkup", "clinical"])
        root = self.assert_served(self.medical("checkup", p))
        self.assertEqual([c.tag for c in root.find("MessageHeader/QualificationsInfo")],
                         ["Name", "KanasName", "Birthday", "AdministrativeGenderCode"])
        self.assertEqual(text(root, "MessageHeader/QualificationsInfo/Birthday"), p["birthDate"])
        checkups = root.findall("MessageBody/SpecificHealthCheckupInfo")
        self.assertTrue(checkups)  # the persons picked are over 40
        dates = [text(c, "EffectiveTime") for c in checkups]
        self.assertEqual(dates, sorted(dates, reverse=True))
        item_order = ["ItemCode", "ItemName", "DataType", "DataValue", "Unit", "Oid", "DataValueName"]
        items = checkups[0].findall("HealthCheckupResultAndQuestionInfos/HealthCheckupResultAndQuestionInfo")
        for item in items:
            tags = [c.tag for c in item]
            self.assertEqual(tags, sorted(tags, key=item_order.index))
            self.assertTrue(text(item, "Unit") if text(item, "DataType") == "PQ" else
                            text(item, "Oid") and text(item, "DataValueName"))
        self.assertEqual({text(i, "DataType") for i in items}, {"PQ", "CD"})
        root = self.assert_served(self.medical("clinical", p))
        procedures = root.findall("MessageBody/MeTrMonthInf/DiDateInfs/DiDateInf/MeTrInfs/MeTrInf")
        self.assertTrue(procedures)
        for field in ("SinInfN", "SinInfCd", "MeTrIdCl", "Qua1", "Times", "Unit"):
            self.assertTrue(text(procedures[0], field), field)
        self.assertIsNone(root.find("MessageBody/CzDiInf"))

    def test_expired_consent_is_refused_with_its_own_reason(self):
        p = self.person(8)
        c = self.consented(p, scopes=["medication"])
        status, expired = self.sim.control("POST", "/sim/consents/%s/expire" % c["consentId"])
        self.assertEqual((status, expired["state"]), (200, "expired"))
        self.assertEqual(expired["availableTime"], jst_today(-1) + "235959")
        self.assert_refused(self.medical("medication", p), "SIM-CNS-002", "同意の有効期限が切れています")

    def test_pdf_variant_is_a_pdf(self):
        p = self.person(9)
        self.consented(p, scopes=["medication"])
        status, headers, body = self.medical("medication", p, category="1")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/pdf")
        self.assertTrue(body.startswith(b"%PDF-"))
        self.assertTrue(body.rstrip().endswith(b"%%EOF"))
        self.assertIn(b"Medication information", body)
        offset = int(re.search(rb"startxref\n(\d+)", body).group(1))
        self.assertTrue(body[offset:].startswith(b"xref"))

    def test_requests_as_receipt_computers_write_them_are_read(self):
        # The interface fixtures (Shift_JIS, sent as UTF-8): a card the population does not hold is a
        # refusal for want of consent, not a bad request — the central system does not say who exists.
        for name in ("YZKsiquc01req_02261124103012340.xml", "TKKsiquc01req_02261124103112340.xml"):
            with open(os.path.join(SOURCE, "tests", "fixtures", "interface", "requests", name), "rb") as f:
                raw = f.read()
            doc = raw.decode("cp932").replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
            kind = "medication" if name.startswith("YZK") else "checkup"
            self.assert_refused(self.sim.api("POST", "/v1/medical-info/" + kind, doc), "SIM-CNS-001", "同意がありません")

    def test_person_is_found_by_card_with_a_padded_kokuho_number_or_no_branch(self):
        households = {}
        for q in self.everyone:
            if q["validity"] != "4":  # never found: not registered
                households.setdefault((q["insurerNumber"], q["cardNumber"]), []).append(q)
        alone = [q for q in self.persons if q["kind"] == "kokuho" and len(households[(q["insurerNumber"], q["cardNumber"])]) == 1][0]
        family = [q for q in self.persons if len(households[(q["insurerNumber"], q["cardNumber"])]) > 1][0]
        self.assertEqual(len(alone["insurerNumber"]), 6)
        self.consented(alone, scopes=["medication"])
        self.consented(family, scopes=["medication"])
        self.assert_served(self.medical("medication", alone, insurer="  " + alone["insurerNumber"], branch=""))
        self.assert_served(self.medical("medication", family))
        # Without the branch the card names a household, not one person.
        self.assert_refused(self.medical("medication", family, branch=""), "SIM-CNS-001", "同意がありません")

    def test_earlier_shape_with_a_birth_date_and_days_is_still_read(self):
        p = self.person(17)
        self.consented(p, scopes=["medication"])
        root = self.assert_served(self.medical("medication", p, start=jst_today(-120), end=jst_today(), birth=p["birthDate"]))
        self.assertTrue(root.findall("MessageBody/MeTrMonthInf"))
        self.assert_refused(self.medical("medication", p, birth="19000101"), "SIM-CNS-001", "同意がありません")

    def test_bad_medical_info_requests_are_refused_with_the_element_named(self):
        p = self.person(18)
        for kw, code, words in ((dict(flag=None), "SIM-4003", "MedicalTreatmentFlag"),
                                (dict(flag="4"), "SIM-4004", "MedicalTreatmentFlag"),
                                (dict(start="2026-11"), "SIM-4004", "StartDate"),
                                (dict(start=jst_month(), end=jst_month(-2)), "SIM-4004", "EndDate"),
                                (dict(category="5"), "SIM-4004", "FileCategory"),
                                (dict(branch="1"), "SIM-4004", "BranchNumber"),
                                (dict(insurer="01130013"), "SIM-4004", "InsurerNumber")):
            status, _, body = self.medical("medication", p, **kw)
            self.assertEqual(status, 400, kw)
            root = ET.fromstring(body)
            self.assertEqual(text(root, "MessageHeader/ErrorCode"), code, kw)
            self.assertIn(words, text(root, "MessageHeader/ErrorMessage"), kw)

    # --- outpatient (MedicalTreatmentFlag 1): the consent block of the qualification decides ---
    def test_outpatient_request_is_served_under_the_populations_outpatient_consent(self):
        active = [q for q in self.valid if q["outpatientConsent"] and not q["outpatientConsent"]["expired"]
                  and "medication" in q["outpatientConsent"]["scopes"]][0]
        expired = [q for q in self.valid if q["outpatientConsent"] and q["outpatientConsent"]["expired"]][0]
        root = self.assert_served(self.medical("medication", active, flag="1"))
        self.assertEqual(text(root, "MessageHeader/QuaInf/Name"), active["name"])
        # The outpatient consent says nothing about home visits and online care.
        self.assert_refused(self.medical("medication", active, flag="3"), "SIM-CNS-001", "同意がありません")
        scope = expired["outpatientConsent"]["scopes"][0]
        self.assert_refused(self.medical(scope, expired, flag="1"), "SIM-CNS-002",
                            expired["outpatientConsent"]["availableTime"])
        # A home consent says nothing about outpatient care.
        p = self.person(19)
        self.consented(p, scopes=["medication"])
        self.assert_served(self.medical("medication", p, flag="2"))
        self.assert_refused(self.medical("medication", p, flag="1"), "SIM-CNS-001", "同意がありません")

    def test_outpatient_consent_set_by_a_test_decides_missing_expired_withdrawn_and_scope(self):
        p = self.person(20)
        self.outpatient(p, ["medication"], jst_now(3600))  # at every institution
        self.assert_served(self.medical("medication", p, flag="1"))
        self.assert_served(self.medical("medication", p, flag="1", client="other-facility-client",
                                        institution=OTHER_INSTITUTION))
        self.assert_refused(self.medical("checkup", p, flag="1"), "SIM-CNS-001", "同意がありません")
        past = jst_now(-60)
        answer = self.outpatient(p, ["medication"], past)
        self.assertEqual((answer["state"], answer["consTime"]), ("expired", jst_now_minus_day(past)))
        self.assert_refused(self.medical("medication", p, flag="1"), "SIM-CNS-002", "同意の有効期限が切れています（有効期限 " + past)
        withdrawn = jst_now(-30)
        self.outpatient(p, ["medication"], jst_now(3600), withdrawnAt=withdrawn)
        self.assert_refused(self.medical("medication", p, flag="1"), "SIM-CNS-003", "同意が撤回されています（撤回日時 " + withdrawn)
        # One institution's block wins there over the block set for every institution.
        self.outpatient(p, ["checkup"], jst_now(3600), institution=INSTITUTION)
        self.assert_served(self.medical("checkup", p, flag="1"))
        self.assert_refused(self.medical("medication", p, flag="1"), "SIM-CNS-001", "同意がありません")
        self.assert_refused(self.medical("medication", p, flag="1", client="other-facility-client",
                                         institution=OTHER_INSTITUTION), "SIM-CNS-003", "同意が撤回されています")
        self.assertEqual(self.sim.control("DELETE", "/sim/outpatient-consent"), (200, {"cleared": 2}))
        self.assert_refused(self.medical("checkup", p, flag="1"), "SIM-CNS-001", "同意がありません")

    # --- reference numbers ---
    def test_reference_number_is_registered_then_carried_in_results(self):
        p, unknown = self.person(10), dict(self.person(11), cardNumber="99999999")
        info = lambda person, ref: "<ReferenceNumberRegistrationInfo>%s</ReferenceNumberRegistrationInfo>" % leaves(
            ReferenceNumber=ref, InsurerNumber=person["insurerNumber"], InsuredCardSymbol=person["cardSymbol"] or None,
            InsuredIdentificationNumber=person["cardNumber"], InsuredBranchNumber=person["branchNumber"])
        header = leaves(MedicalInstitutionCode=INSTITUTION, ArbitraryFileIdentifier="202611260003")
        status, _, body = self.sim.api("POST", "/v1/reference-numbers", xml_msg(header, info(p, "PT-0042")))
        self.assertEqual(status, 200, body)
        [result] = ET.fromstring(body).findall("MessageBody/ReferenceNumberRegistrationResult")
        self.assertEqual((text(result, "ReferenceNumber"), text(result, "ProcessingResultStatus")), ("PT-0042", "1"))

        bulk = "".join("<BulkRegistrationUnit>%s</BulkRegistrationUnit>" % info(person, ref)
                       for person, ref in ((unknown, "PT-0043"), (self.person(12), "bad ref!"), (self.person(12), "PT-0042")))
        status, _, body = self.sim.api("POST", "/v1/reference-numbers", xml_msg(header, bulk))
        self.assertEqual(status, 200)
        results = ET.fromstring(body).findall("MessageBody/ReferenceNumberRegistrationResult")
        self.assertEqual([text(r, "ProcessingResultStatus") for r in results], ["2", "2", "2"])
        self.assertEqual([text(r, "ProcessingResultCode") for r in results], ["SIM-R005", "SIM-R002", "SIM-R007"])
        self.assertTrue(all(text(r, "ProcessingResultMessage") for r in results))

        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry", request_xml([search_info_xml(p)]))
        r = ET.fromstring(body).find("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertEqual(text(r, "ReferenceNumber"), "PT-0042")
        body = request_xml([search_info_xml(p)], OTHER_INSTITUTION)
        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry", body, client="other-facility-client")
        r = ET.fromstring(body).find("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertIsNone(r.find("ReferenceNumber"))  # kept per institution

        self.consented(p, scopes=["medication"])
        root = self.consent_list(3, ConsentDateFrom=jst_today(), ConsentDateTo=jst_today())
        # A batch result holds the number after the records, as a child of the unit.
        self.assertEqual(text(root, "MessageBody/BulkConfirmUnit/ReferenceNumber"), "PT-0042")
        self.assertIsNone(root.find("MessageBody/BulkConfirmUnit/ResultOfQualificationConfirmation/ReferenceNumber"))

    # --- withdrawals ---
    def test_facility_withdrawal_is_listed_by_since_and_ends_the_consent(self):
        p = self.person(13)
        before = datetime.datetime.now(JST).strftime("%Y%m%d%H%M%S")
        self.consented(p, scopes=["medication", "clinical"])
        rid = str(uuid.uuid4())
        status, w = self.api_json("POST", "/v1/consents/withdrawals", identifiers(p), request_id=rid)
        self.assertEqual(status, 200, w)
        self.assertEqual(w["by"], "facility")
        self.assertEqual(self.api_json("POST", "/v1/consents/withdrawals", identifiers(p), request_id=rid), (200, w))
        self.assertEqual(self.api_json("POST", "/v1/consents/withdrawals", identifiers(p))[0], 404)

        status, listed = self.api_json("GET", "/v1/consents/withdrawals?since=" + before)
        self.assertEqual(status, 200)
        [entry] = listed["withdrawals"]
        self.assertEqual(entry["withdrawalId"], w["withdrawalId"])
        self.assertEqual(entry["by"], "facility")
        self.assertGreaterEqual(entry["withdrawnAt"], before)
        for key in ("insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate"):
            self.assertEqual(entry[key], p[key])
        self.assertRegex(listed["asOf"], r"^\d{14}$")
        self.assertEqual(self.api_json("GET", "/v1/consents/withdrawals?since=20991231000000")[1]["withdrawals"], [])
        self.assertEqual(self.api_json("GET", "/v1/consents/withdrawals", client="other-facility-client")[1]["withdrawals"], [])
        self.assertEqual(self.api_json("GET", "/v1/consents/withdrawals?since=yesterday")[0], 400)
        self.assert_refused(self.medical("clinical", p), "SIM-CNS-003", "同意が撤回されています")

    # --- the common /v1 rules and reset ---
    def test_faults_and_request_log_apply_to_the_new_endpoints_and_reset_clears_the_state(self):
        p = self.person(14)
        self.consented(p)
        self.sim.control("POST", "/sim/faults", {"errorRate": 1.0})
        rid = str(uuid.uuid4())
        status, _, _ = self.medical("medication", p, request_id=rid)
        self.assertEqual(status, 503)
        self.sim.control("POST", "/sim/faults", {"errorRate": 0.0, "malformedRate": 1.0})
        status, _, raw = self.sim.api("GET", "/v1/home-consent/url")
        self.assertEqual(status, 200)
        with self.assertRaises(ValueError):
            json.loads(raw)
        self.sim.control("POST", "/sim/faults", {"malformedRate": 0.0})
        self.assertEqual(self.medical("medication", p, request_id=rid)[0], 200)
        [entry] = [e for e in self.sim.control("GET", "/sim/requests")[1]["requests"] if e["requestId"] == rid]
        self.assertEqual((entry["timesSeen"], entry["acted"], entry["firstStatus"], entry["lastStatus"]),
                         (2, True, 503, 200))
        self.assertEqual(self.api_json("GET", "/v1/home-consent/url", request_id=False)[0], 400)

        self.api_json("POST", "/v1/consents/withdrawals", identifiers(p))
        self.sim.control("POST", "/sim/reset")
        state = self.sim.control("GET", "/sim/consents")[1]
        self.assertEqual((state["consents"], state["withdrawals"], state["referenceNumbers"]), ([], [], []))
        self.assertEqual(self.api_json("GET", "/v1/consents/withdrawals")[1]["withdrawals"], [])

    def test_logs_carry_no_names_insured_numbers_or_birth_dates(self):
        people = [self.person(15), self.person(16)]
        for p in people:
            self.consented(p, scopes=["medication", "checkup"])
            self.medical("medication", p)
            self.sim.control("POST", "/sim/home-reception/%s/withdraw" % self.token, identifiers(p))
        log = self.sim.log_text()
        self.assertIn("event=sim.consent", log)
        self.assertIn("event=sim.withdrawal", log)
        for p in people:
            for key in ("name", "nameKana", "cardNumber", "birthDate"):
                self.assertNotIn(p[key], log, key)


if __name__ == "__main__":
    unittest.main(verbosity=2)

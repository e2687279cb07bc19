#!/usr/bin/env python3
"""The central-system simulator's identity endpoints (tests/central-sim/README.md §3.10).

A card check on a home visit: the challenge (a single-use nonce bound to the institution, with a TTL),
the JPKI verify (the card's user-auth certificate and its signature over the nonce), the visual check
(the certificate and the staff member who looked at the card), the holder a certificate serial stands
for, the qualification and the home consent a verify answers and registers, every refusal in its
order, and the control-side test aids (/sim/identity/holder, /sim/identity/verifications).

Runs the real kakehashi-central-sim binary (the harness's CentralSim) over mutual TLS with the
certificates of scripts/make-certs; signatures are made with `openssl dgst -sha256 -sign`.
Environment: CENTRAL_SIM_BIN (the binary), KAKEHASHI_SOURCE (the repository root).
Run as a script: python3 test_central_sim_identity.py (exit status non-zero on failure).
"""
import base64
import datetime
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import types
import unittest
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import INSTITUTION, OTHER_INSTITUTION, SIM_BIN, CentralSim, certs, free_port  # noqa: E402

JST = datetime.timezone(datetime.timedelta(hours=9))
IDENTIFIER_KEYS = ("insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate")


def jst_today(offset_days=0):
    return (datetime.datetime.now(JST) + datetime.timedelta(days=offset_days)).strftime("%Y%m%d")


def cert_path(name):
    return os.path.join(certs(), name)


def der_b64(card):
    with open(cert_path(card + ".der"), "rb") as f:
        return base64.b64encode(f.read()).decode()


def card_signature(key, nonce_hex):
    """What the card returns: RSASSA-PKCS1-v1_5 over the DigestInfo of SHA-256(the 32 nonce bytes)."""
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", cert_path(key + ".key")],
                         input=bytes.fromhex(nonce_hex), capture_output=True, check=True)
    return base64.b64encode(out.stdout).decode()


def text(root, path):
    e = root.find(path)
    return None if e is None else (e.text or "")


def api(sim, method, path, body=None, raw=None, client="facility-client", request_id=None):
    """One request to the API over mutual TLS; answers (status, content type, JSON or raw bytes)."""
    ctx = ssl.create_default_context(cafile=cert_path("central-ca.crt"))
    ctx.load_cert_chain(cert_path(client + ".crt"), cert_path(client + ".key"))
    conn = http.client.HTTPSConnection("127.0.0.1", sim.api_port, timeout=15, context=ctx)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    content_type = "application/xml; charset=UTF-8" if path.startswith("/v1/qualifications") else "application/json"
    try:
        conn.request(method, path, body=data, headers={"Content-Type": content_type,
                                                       "X-Request-Id": request_id or str(uuid.uuid4())})
        res = conn.getresponse()
        payload = res.read()
        kind = res.getheader("Content-Type") or ""
        return res.status, kind, json.loads(payload) if kind.startswith("application/json") else payload
    finally:
        conn.close()


def control(sim, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", sim.control_port, timeout=15)
    try:
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                     headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        return res.status, json.loads(res.read() or b"null")
    finally:
        conn.close()


def inquiry_document(p):
    """The inquiry the verify's qualification equals: the person's identifiers, today, no file id."""
    search = "".join("<%s>%s</%s>" % (tag, p[key], tag) for tag, key in (
        ("InsurerNumber", "insurerNumber"), ("InsuredCardSymbol", "cardSymbol"),
        ("InsuredIdentificationNumber", "cardNumber"), ("InsuredBranchNumber", "branchNumber"),
        ("Birthdate", "birthDate")) if p[key])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<XmlMsg><MessageHeader>'
            "<QualificationConfirmationDate>%s</QualificationConfirmationDate>"
            "<MedicalInstitutionCode>%s</MedicalInstitutionCode></MessageHeader>"
            "<MessageBody><QualificationConfirmSearchInfo>%s</QualificationConfirmSearchInfo></MessageBody></XmlMsg>"
            % (jst_today(), INSTITUTION, search)).encode()


def without_execution_time(document):
    return re.sub(r"<ProcessExecutionTime>\d{14}</ProcessExecutionTime>", "", document)


class IdentityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="central-sim-identity-")
        cls.sim = CentralSim(cls.workdir).start()
        cls.others = []

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        for other in cls.others:
            other.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        self.assertEqual(control(self.sim, "POST", "/sim/reset")[0], 200)

    # --- helpers ---
    def challenge(self, sim=None, client="facility-client", body=None):
        status, kind, answer = api(sim or self.sim, "POST", "/v1/identity/challenge", {} if body is None else body,
                                   client=client)
        self.assertEqual(status, 200, answer)
        return answer["nonce"]

    def verify(self, nonce, method="jpki", card="jpki-card-1", key=None, sim=None, client="facility-client",
               request_id=None, **extra):
        body = {"nonce": nonce, "method": method, "certificate": der_b64(card)}
        if method == "jpki":
            body["signature"] = card_signature(key or card, nonce)
        body.update(extra)
        status, kind, answer = api(sim or self.sim, "POST", "/v1/identity/verify", body, client=client,
                                   request_id=request_id)
        if status != 200:
            self.assertTrue(kind.startswith("application/json"), (status, kind, answer))
        return status, answer

    def assert_refused(self, result, status, code):
        got_status, answer = result
        self.assertEqual((got_status, answer.get("code")), (status, code), answer)
        self.assertTrue(answer["error"])

    def holder(self, serial="1001"):
        status, person = control(self.sim, "GET", "/sim/identity/holder?serial=" + serial)
        self.assertEqual(status, 200, person)
        return person

    def verifications(self):
        status, answer = control(self.sim, "GET", "/sim/identity/verifications")
        self.assertEqual(status, 200)
        return answer["verifications"]

    def other_sim(self, **options):
        sim = CentralSim(self.workdir, **options).start()
        self.others.append(sim)
        return sim

    # --- the challenge ---
    def test_challenge_is_a_fresh_32_byte_nonce_with_its_japan_time_window(self):
        before = datetime.datetime.now(JST).replace(microsecond=0) - datetime.timedelta(seconds=1)
        status, kind, answer = api(self.sim, "POST", "/v1/identity/challenge",
                                   {"medicalInstitutionCode": INSTITUTION})
        after = datetime.datetime.now(JST) + datetime.timedelta(seconds=1)
        self.assertEqual(status, 200, answer)
        self.assertEqual(kind, "application/json; charset=UTF-8")
        self.assertEqual(set(answer), {"nonce", "issuedAt", "expiresAt", "expiresInSeconds"})
        self.assertRegex(answer["nonce"], r"^[0-9a-f]{64}$")
        self.assertEqual(answer["expiresInSeconds"], 120)
        issued = datetime.datetime.strptime(answer["issuedAt"], "%Y%m%d%H%M%S").replace(tzinfo=JST)
        expires = datetime.datetime.strptime(answer["expiresAt"], "%Y%m%d%H%M%S").replace(tzinfo=JST)
        self.assertTrue(before <= issued <= after, (before, issued, after))
        self.assertEqual((expires - issued).total_seconds(), 120)
        self.assertEqual(len({self.challenge() for _ in range(20)} | {answer["nonce"]}), 21)

    def test_challenge_refuses_another_institution_and_a_body_that_is_not_an_object(self):
        status, _, answer = api(self.sim, "POST", "/v1/identity/challenge", {"medicalInstitutionCode": OTHER_INSTITUTION})
        self.assertEqual((status, answer["code"]), (403, "SIM-4031"))
        for raw in (b"", b"[]", b"\"nonce\"", b"{nonce"):
            status, _, answer = api(self.sim, "POST", "/v1/identity/challenge", raw=raw)
            self.assertEqual((status, answer["code"]), (400, "SIM-4002"), raw)
        status, _, answer = api(self.sim, "POST", "/v1/identity/challenge", {"medicalInstitutionCode": 1312345679})
        self.assertEqual((status, answer["code"]), (400, "SIM-4004"))

    # --- JPKI verify ---
    def test_jpki_verify_names_the_holder_and_answers_the_qualification_an_inquiry_gives(self):
        nonce = self.challenge()
        status, answer = self.verify(nonce, medicalInstitutionCode=INSTITUTION)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["verified"], True)
        self.assertEqual(answer["method"], "jpki")
        self.assertIsNone(answer["staffId"])
        self.assertIsNone(answer["consent"])
        self.assertEqual(answer["certificateSerial"], "1001")
        self.assertRegex(answer["verifiedAt"], r"^\d{14}$")
        self.assertEqual(answer["verifiedAt"][:8], jst_today())

        holder = self.holder("1001")
        self.assertEqual(answer["identifiers"], {k: holder[k] for k in IDENTIFIER_KEYS})
        # The holder is the valid person at index serial mod their count, in population order.
        status, page = control(self.sim, "GET", "/sim/population?validity=1&limit=1")
        status, page = control(self.sim, "GET", "/sim/population?validity=1&limit=1&offset=%d" % (0x1001 % page["total"]))
        self.assertEqual(page["persons"][0], holder)
        self.assertEqual(self.holder("01001"), holder)
        self.assertNotEqual(self.holder("1002"), holder)

        root = ET.fromstring(answer["qualification"])
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")
        r = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertEqual(text(r, "Name"), holder["name"])
        self.assertEqual(text(r, "Birthdate"), holder["birthDate"])
        status, _, inquiry = api(self.sim, "POST", "/v1/qualifications/inquiry", raw=inquiry_document(holder))
        self.assertEqual(status, 200)
        self.assertEqual(without_execution_time(answer["qualification"]), without_execution_time(inquiry.decode()))

        [record] = self.verifications()
        self.assertEqual(record["method"], "jpki")
        self.assertEqual(record["serial"], "1001")
        self.assertEqual(record["outcome"], "verified")
        self.assertEqual(record["nonce"], nonce[:8])
        self.assertIsNone(record["staffId"])

    def test_jpki_verify_with_consent_registers_a_home_consent_like_the_web_does(self):
        exam = jst_today(2)
        nonce = self.challenge()
        status, answer = self.verify(nonce, card="jpki-card-2", staffId="N-0042",
                                     consent={"scopes": ["medication", "checkup"], "medicalTreatmentFlag": 2,
                                              "examinationDate": exam})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["certificateSerial"], "1002")
        self.assertEqual(answer["staffId"], "N-0042")
        consent = answer["consent"]
        self.assertRegex(consent["consentId"], r"^C\d{15}$")
        self.assertEqual(consent["institution"], INSTITUTION)
        self.assertEqual(consent["scopes"], ["medication", "checkup"])
        self.assertEqual(consent["medicalTreatmentFlag"], 2)
        self.assertEqual(consent["examinationDate"], exam)
        self.assertEqual(consent["availableTime"], exam + "235959")
        self.assertEqual(consent["consentTime"], answer["verifiedAt"])
        self.assertEqual(consent["state"], "active")
        self.assertEqual({k: consent[k] for k in IDENTIFIER_KEYS}, answer["identifiers"])

        # The same record as a consent made on the simulated web page.
        status, listed = control(self.sim, "GET", "/sim/consents")
        self.assertEqual(listed["consents"], [consent])
        status, url = control(self.sim, "GET", "/sim/home-reception/url?institution=" + INSTITUTION)
        other = self.holder("2001")
        status, web = control(self.sim, "POST", "/sim/home-reception/%s/consent" % url["token"],
                              dict({k: other[k] for k in IDENTIFIER_KEYS}, pin="1234", scopes=["clinical"],
                                   medicalTreatmentFlag=2, examinationDate=exam))
        self.assertEqual(status, 200, web)
        self.assertEqual(set(web), set(consent))

        # Both are listed to the institution's home-visit query.
        search = ("<QualificationConfirmSearchInfo><ExaminationDateFrom>%s</ExaminationDateFrom>"
                  "<ExaminationDateTo>%s</ExaminationDateTo><MedicalTreatmentFlag>2</MedicalTreatmentFlag>"
                  "</QualificationConfirmSearchInfo>" % (jst_today(), jst_today(7)))
        doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>%s'
               "</MedicalInstitutionCode></MessageHeader><MessageBody>%s</MessageBody></XmlMsg>" % (INSTITUTION, search))
        status, _, body = api(self.sim, "POST", "/v1/home-consent/qualifications", raw=doc.encode())
        self.assertEqual(status, 202, body)
        reception = text(ET.fromstring(body), "MessageBody/ReceptionNumber")
        deadline = time.time() + 15
        while True:
            status, _, body = api(self.sim, "GET", "/v1/qualifications/batches/" + reception)
            if status != 202 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(status, 200, body)
        units = ET.fromstring(body).findall("MessageBody/BulkConfirmUnit")
        holder = self.holder("1002")
        self.assertEqual([text(u, "ResultOfQualificationConfirmation/Name") for u in units],
                         [holder["name"], other["name"]])
        self.assertEqual(text(units[0], "ResultOfQualificationConfirmation/PharmacistsInfoConsTime"),
                         consent["consentTime"])
        self.assertEqual(text(units[0], "ResultOfQualificationConfirmation/DiagnosisInfoConsFlg"), "0")

    # --- the nonce ---
    def test_a_nonce_is_single_use_even_when_its_first_verify_failed(self):
        nonce = self.challenge()
        self.assertEqual(self.verify(nonce)[0], 200)
        self.assert_refused(self.verify(nonce), 403, "SIM-IDV-003")

        nonce = self.challenge()
        self.assert_refused(self.verify(nonce, key="jpki-card-2"), 403, "SIM-IDV-004")
        self.assert_refused(self.verify(nonce), 403, "SIM-IDV-003")

        # A request that fails the 400 checks does not use the nonce up.
        nonce = self.challenge()
        status, _, answer = api(self.sim, "POST", "/v1/identity/verify",
                                {"nonce": nonce, "method": "jpki", "certificate": der_b64("jpki-card-1")})
        self.assertEqual((status, answer["code"]), (400, "SIM-4004"))
        self.assertIn("signature", answer["error"])
        self.assertEqual(self.verify(nonce)[0], 200)

    def test_a_replayed_verify_gets_the_same_answer_and_is_processed_once(self):
        nonce = self.challenge()
        rid = str(uuid.uuid4())
        first = self.verify(nonce, request_id=rid)
        self.assertEqual(first[0], 200)
        self.assertEqual(self.verify(nonce, request_id=rid), first)
        self.assertEqual([v["requestId"] for v in self.verifications()], [rid])

    def test_an_expired_nonce_is_refused(self):
        sim = self.other_sim(challenge_ttl_seconds=1)
        status, _, answer = api(sim, "POST", "/v1/identity/challenge", {})
        self.assertEqual(answer["expiresInSeconds"], 1)
        time.sleep(2.2)
        self.assert_refused(self.verify(answer["nonce"], sim=sim), 403, "SIM-IDV-002")

    def test_a_nonce_of_another_institution_is_unknown_and_stays_usable_by_its_own(self):
        nonce = self.challenge()
        self.assert_refused(self.verify(nonce, client="other-facility-client"), 403, "SIM-IDV-001")
        self.assert_refused(self.verify("ab" * 32), 403, "SIM-IDV-001")
        self.assertEqual(self.verify(nonce)[0], 200)
        self.assert_refused(self.verify(nonce, client="other-facility-client",
                                        medicalInstitutionCode=INSTITUTION), 403, "SIM-4031")

    # --- the certificate and the signature ---
    def test_a_signature_by_another_card_is_refused(self):
        nonce = self.challenge()
        self.assert_refused(self.verify(nonce, card="jpki-card-1", key="jpki-card-2"), 403, "SIM-IDV-004")
        nonce = self.challenge()
        status, _, answer = api(self.sim, "POST", "/v1/identity/verify", {
            "nonce": nonce, "method": "jpki", "certificate": der_b64("jpki-card-1"),
            "signature": card_signature("jpki-card-1", self.challenge())})
        self.assertEqual((status, answer["code"]), (403, "SIM-IDV-004"))
        self.assertEqual([v["outcome"] for v in self.verifications()], ["SIM-IDV-004"] * 2)
        self.assertEqual({v["serial"] for v in self.verifications()}, {"1001"})

    def test_a_card_certificate_from_another_ca_is_refused_for_jpki_and_visual(self):
        self.assert_refused(self.verify(self.challenge(), card="jpki-rogue-card"), 403, "SIM-IDV-005")
        self.assert_refused(self.verify(self.challenge(), method="visual", card="jpki-rogue-card", staffId="N-1"),
                            403, "SIM-IDV-005")
        self.assertEqual({v["serial"] for v in self.verifications()}, {"1003"})

    def test_a_certificate_that_is_not_der_is_refused_after_the_nonce_is_used(self):
        nonce = self.challenge()
        status, _, answer = api(self.sim, "POST", "/v1/identity/verify", {
            "nonce": nonce, "method": "visual", "staffId": "N-1",
            "certificate": base64.b64encode(b"not a certificate").decode()})
        self.assertEqual((status, answer["code"]), (400, "SIM-4004"))
        self.assert_refused(self.verify(nonce, method="visual", staffId="N-1"), 403, "SIM-IDV-003")

    def test_without_a_jpki_ca_every_card_check_is_refused(self):
        sim = types.SimpleNamespace(api_port=free_port(), control_port=free_port())
        args = [SIM_BIN, "--listen", "127.0.0.1:%d" % sim.api_port, "--control", "127.0.0.1:%d" % sim.control_port,
                "--cert", cert_path("central-server.crt"), "--key", cert_path("central-server.key"),
                "--client-ca", cert_path("facility-ca.crt"), "--population", "200"]
        with open(os.path.join(self.workdir, "no-jpki.log"), "ab") as log:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log)
            try:
                self.assertIn(b"central-sim ready", proc.stdout.readline())
                status, _, answer = api(sim, "POST", "/v1/identity/challenge", {})
                self.assertEqual(status, 200)
                self.assert_refused(self.verify(answer["nonce"], sim=sim), 403, "SIM-IDV-005")
                status, _, answer = api(sim, "POST", "/v1/identity/challenge", {})
                self.assert_refused(self.verify(answer["nonce"], method="visual", staffId="N-1", sim=sim),
                                    403, "SIM-IDV-005")
            finally:
                proc.terminate()
                proc.wait(10)
                proc.stdout.close()
        bad = subprocess.run(args + ["--jpki-ca", os.path.join(self.workdir, "missing.crt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        self.assertEqual(bad.returncode, 1)

    # --- visual check ---
    def test_visual_check_needs_the_staff_member_and_echoes_it(self):
        nonce = self.challenge()
        status, _, answer = api(self.sim, "POST", "/v1/identity/verify",
                                {"nonce": nonce, "method": "visual", "certificate": der_b64("jpki-card-1")})
        self.assertEqual((status, answer["code"]), (400, "SIM-4004"))
        self.assertIn("staffId", answer["error"])
        self.assert_refused(self.verify(nonce, method="visual", staffId="x" * 65), 400, "SIM-4004")
        self.assert_refused(self.verify(nonce, method="visual", staffId="  "), 400, "SIM-4004")

        status, answer = self.verify(nonce, method="visual", staffId="看護師-" + "七" * 60)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["method"], "visual")
        self.assertEqual(answer["staffId"], "看護師-" + "七" * 60)
        self.assertEqual(answer["identifiers"], {k: self.holder("1001")[k] for k in IDENTIFIER_KEYS})
        self.assertEqual([(v["method"], v["outcome"]) for v in self.verifications()][-1:], [("visual", "verified")])

    # --- malformed bodies ---
    def test_malformed_bodies_are_refused_before_the_nonce_is_looked_at(self):
        nonce = self.challenge()
        good = {"nonce": nonce, "method": "jpki", "certificate": der_b64("jpki-card-1"),
                "signature": card_signature("jpki-card-1", nonce)}
        for raw in (b"", b"[1]", b"null", b"{\"nonce\":"):
            status, _, answer = api(self.sim, "POST", "/v1/identity/verify", raw=raw)
            self.assertEqual((status, answer["code"]), (400, "SIM-4002"), raw)
        cases = [
            ("nonce", {"nonce": nonce[:63]}), ("nonce", {"nonce": nonce[:62] + "zz"}), ("nonce", {"nonce": 12}),
            ("method", {"method": "pin"}), ("method", {"method": None}),
            ("certificate", {"certificate": "not base64!"}), ("certificate", {"certificate": ""}),
            ("signature", {"signature": None}), ("signature", {"signature": "%%%"}),
            ("staffId", {"staffId": "y" * 65}), ("staffId", {"staffId": 7}),
            ("consent", {"consent": "yes"}),
            ("consent.scopes", {"consent": {"scopes": ["dental"], "medicalTreatmentFlag": 2, "examinationDate": jst_today()}}),
            ("consent.medicalTreatmentFlag", {"consent": {"medicalTreatmentFlag": 4, "examinationDate": jst_today()}}),
            ("consent.examinationDate", {"consent": {"medicalTreatmentFlag": 3, "examinationDate": "20261332"}}),
            ("consent.examinationDate", {"consent": {"medicalTreatmentFlag": 3, "examinationDate": jst_today(-1)}}),
        ]
        for field, change in cases:
            status, _, answer = api(self.sim, "POST", "/v1/identity/verify", dict(good, **change))
            self.assertEqual((status, answer["code"]), (400, "SIM-4004"), change)
            self.assertIn(field, answer["error"], change)
        self.assertEqual({v["outcome"] for v in self.verifications()}, {"SIM-4002", "SIM-4004"})
        status, answer = self.verify(nonce, consent={"medicalTreatmentFlag": "3", "examinationDate": jst_today()})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["consent"]["scopes"], [])

    # --- control aids, reset and logs ---
    def test_holder_lookup_and_reset_clears_challenges_and_verifications(self):
        self.assertEqual(control(self.sim, "GET", "/sim/identity/holder?serial=xyz")[0], 400)
        self.assertEqual(control(self.sim, "GET", "/sim/identity/holder")[0], 400)
        # Serials longer than 64 bits use their low 64 bits.
        self.assertEqual(self.holder("ABCDEF" + "0" * 12 + "1001"), self.holder("1001"))
        nonce = self.challenge()
        self.assertEqual(self.verify(self.challenge())[0], 200)
        self.assertEqual(len(self.verifications()), 1)
        self.assertEqual(control(self.sim, "POST", "/sim/reset")[0], 200)
        self.assertEqual(self.verifications(), [])
        self.assert_refused(self.verify(nonce), 403, "SIM-IDV-001")
        status, routes = control(self.sim, "GET", "/sim/routes")
        implemented = {r["path"]: r["implemented"] for r in routes["api"]}
        self.assertTrue(implemented["/v1/identity/challenge"] and implemented["/v1/identity/verify"])

    def test_logs_name_the_verify_but_no_person(self):
        nonce = self.challenge()
        self.assertEqual(self.verify(nonce, staffId="N-77", consent={"medicalTreatmentFlag": 3,
                                                                  "examinationDate": jst_today()})[0], 200)
        holder = self.holder("1001")
        with open(self.sim.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        line = [l for l in log.splitlines() if "event=sim.identity.verify" in l][-1]
        for part in ("method=jpki", "serial=1001", "outcome=verified", "staffId=N-77", "nonce=" + nonce[:8]):
            self.assertIn(part, line)
        self.assertIn("event=sim.identity.challenge", log)
        self.assertIn("via=identity", log)
        for secret in (holder["name"], holder["nameKana"], holder["cardNumber"], holder["birthDate"], nonce):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)

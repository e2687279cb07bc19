#!/usr/bin/env python3
"""The central-system simulator speaks profile v1 (tests/central-sim/README.md) over mutual TLS.

Runs the real kakehashi-central-sim binary against certificates made by scripts/make-certs.
Environment: CENTRAL_SIM_BIN (the binary), KAKEHASHI_SOURCE (the repository root).
Run as a script: python3 test_central_sim.py (exit status non-zero on failure).
"""
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
import warnings
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port  # noqa: E402

SOURCE = os.environ.get("KAKEHASHI_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
INSTITUTION = "1312345679"
OTHER_INSTITUTION = "2712345673"


def sim_binary():
    candidates = [os.environ.get("CENTRAL_SIM_BIN", "")] + [
        os.path.join(SOURCE, d, "tests", "central-sim", "kakehashi-central-sim") for d in ("build", "build-sim")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    raise RuntimeError("kakehashi-central-sim not found; set CENTRAL_SIM_BIN")


class Simulator:
    """One kakehashi-central-sim process with its ports, certificates and stderr log file."""

    def __init__(self, certs, workdir, extra=(), control_host="127.0.0.1"):
        self.certs = certs
        self.api_port, self.control_port = free_port(), free_port()
        self.log_path = os.path.join(workdir, "sim-%d.log" % self.api_port)
        self.log = open(self.log_path, "wb")
        cmd = [sim_binary(), "--listen", "127.0.0.1:%d" % self.api_port,
               "--control", "%s:%d" % (control_host, self.control_port),
               "--cert", self.cert("central-server.crt"), "--key", self.cert("central-server.key"),
               "--client-ca", self.cert("facility-ca.crt"), *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log)

    def cert(self, name):
        return os.path.join(self.certs, name)

    def wait_ready(self, timeout=20):
        line = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].startswith(b"central-sim ready"):
            raise RuntimeError("simulator did not become ready: %r\n%s" % (line, self.log_text()))
        return line[0].decode()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return rc

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    # --- the control port (plain HTTP JSON) ---
    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    # --- the API (HTTPS, mutual TLS) ---
    def client_context(self, client="facility-client", max_version=None, seclevel0=False):
        ctx = ssl.create_default_context(cafile=self.cert("central-ca.crt"))
        if client:
            ctx.load_cert_chain(self.cert(client + ".crt"), self.cert(client + ".key"))
        if seclevel0:  # so the client itself is able to offer TLS 1.0/1.1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        if max_version:
            ctx.maximum_version = max_version
        return ctx

    def connection(self, **ctx_args):
        return http.client.HTTPSConnection("127.0.0.1", self.api_port, timeout=15,
                                           context=self.client_context(**ctx_args))

    def api(self, method, path, body=None, request_id=None, conn=None, **ctx_args):
        own = conn is None
        conn = conn or self.connection(**ctx_args)
        headers = {"Content-Type": "application/xml; charset=UTF-8"}
        if request_id is not False:
            headers["X-Request-Id"] = request_id or str(uuid.uuid4())
        try:
            conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            if own:
                conn.close()


def search_info_xml(p, consent="0", arbitrary="P-1", birth=None):
    return ("<QualificationConfirmSearchInfo><InsurerNumber>%s</InsurerNumber>"
            "<InsuredCardSymbol>%s</InsuredCardSymbol><InsuredIdentificationNumber>%s</InsuredIdentificationNumber>"
            "<InsuredBranchNumber>%s</InsuredBranchNumber><Birthdate>%s</Birthdate>"
            "<LimitApplicationCertificateRelatedConsFlg>%s</LimitApplicationCertificateRelatedConsFlg>"
            "<ArbitraryIdentifier>%s</ArbitraryIdentifier></QualificationConfirmSearchInfo>"
            % (p["insurerNumber"], p["cardSymbol"], p["cardNumber"], p["branchNumber"], birth or p["birthDate"],
               consent, arbitrary))


def request_xml(search_infos, institution=INSTITUTION):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<XmlMsg><MessageHeader>'
            "<QualificationConfirmationDate>20261126</QualificationConfirmationDate>"
            "<MedicalInstitutionCode>%s</MedicalInstitutionCode>"
            "<ArbitraryFileIdentifier>202611260001</ArbitraryFileIdentifier></MessageHeader>"
            "<MessageBody>%s</MessageBody></XmlMsg>" % (institution, "".join(search_infos)))


def text(root, path):
    e = root.find(path)
    return None if e is None else (e.text or "")


class CentralSimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="central-sim-test-")
        cls.certs = os.path.join(cls.tmp.name, "certs")
        subprocess.run([os.path.join(SOURCE, "scripts", "make-certs"), cls.certs], check=True)
        cls.sim = Simulator(cls.certs, cls.tmp.name, extra=["--seed", "20261125", "--batch-delay-ms", "1500"])
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

    def person(self, kind="shaho", validity="1", index=0):
        return [p for p in self.persons if p["kind"] == kind and p["validity"] == validity][index]

    def inquire(self, person, **kw):
        status, headers, body = self.sim.api("POST", "/v1/qualifications/inquiry",
                                             request_xml([search_info_xml(person, **kw)]))
        return status, headers, ET.fromstring(body)

    def log_entry(self, request_id):
        _, log = self.sim.control("GET", "/sim/requests")
        return [e for e in log["requests"] if e["requestId"] == request_id]

    # --- mTLS and the single check ---
    def test_mtls_inquiry_returns_the_persons_data_with_validity_1(self):
        p = self.person("shaho")
        status, headers, root = self.inquire(p, arbitrary="ARB-42")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/xml; charset=UTF-8")
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")
        self.assertEqual(text(root, "MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier"), "ARB-42")
        r = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertEqual(text(r, "Name"), p["name"])
        self.assertEqual(text(r, "NameKana"), p["nameKana"])
        self.assertEqual(text(r, "InsuredIdentificationNumber"), p["cardNumber"])
        self.assertEqual(text(r, "Birthdate"), p["birthDate"])
        self.assertEqual(text(r, "InsurerNumber"), p["insurerNumber"])

    def test_kokuho_insurer_number_comes_back_padded_and_symbols_compare_half_width(self):
        p = dict(self.person("kokuho"))
        p["cardSymbol"] = p["cardSymbol"].translate({0xFF0D: "-", **{0xFF10 + i: str(i) for i in range(10)}})
        _, _, root = self.inquire(p)
        r = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertEqual(text(r, "InsurerNumber"), "  " + p["insurerNumber"])

    def test_unknown_person_gets_validity_4_and_lapsed_person_2(self):
        for person, validity in ((self.person("shaho", "4"), "4"), (self.person("shaho", "1"), "4"),
                                 (self.person("shaho", "2"), "2"), (self.person("kokuho", "5"), "5")):
            birth = "19000101" if validity == "4" and person["validity"] == "1" else None
            _, _, root = self.inquire(person, birth=birth)
            self.assertEqual(text(root, "MessageBody/QualificationValidity"), validity)
            result = root.find("MessageBody/ResultList/ResultOfQualificationConfirmation")
            if validity in ("4", "5"):
                self.assertIsNone(result)
            else:
                self.assertTrue(text(result, "DisqualificationDate"))
                self.assertTrue(text(result, "ReasonOfLoss"))

    def test_client_without_certificate_fails_the_handshake(self):
        with self.assertRaises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
            self.sim.api("POST", "/v1/qualifications/inquiry", "<XmlMsg/>", client=None)

    def test_client_certificate_from_another_ca_fails_the_handshake(self):
        with self.assertRaises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
            self.sim.api("POST", "/v1/qualifications/inquiry", "<XmlMsg/>", client="rogue-server")

    def test_client_limited_to_tls_1_1_fails_and_the_same_client_with_tls_1_2_succeeds(self):
        with self.assertRaises(ssl.SSLError) as caught:
            self.sim.api("GET", "/v1/qualifications/batches/R0", max_version=ssl.TLSVersion.TLSv1_1, seclevel0=True)
        self.assertNotIn("NO_PROTOCOLS_AVAILABLE", str(caught.exception))  # refused by the server
        status, _, _ = self.sim.api("GET", "/v1/qualifications/batches/R0",
                                    max_version=ssl.TLSVersion.TLSv1_2, seclevel0=True)
        self.assertEqual(status, 404)

    def test_other_institution_naming_1312345679_in_the_body_gets_403(self):
        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry",
                                       request_xml([search_info_xml(self.person())], INSTITUTION),
                                       client="other-facility-client")
        self.assertEqual(status, 403)
        root = ET.fromstring(body)
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "9")
        self.assertTrue(text(root, "MessageHeader/ErrorCode"))
        self.assertTrue(text(root, "MessageHeader/ErrorMessage"))

    def test_dtd_in_body_gets_400_and_missing_request_id_gets_400(self):
        evil = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                "<XmlMsg><MessageHeader/><MessageBody>&e;</MessageBody></XmlMsg>")
        status, _, body = self.sim.api("POST", "/v1/qualifications/inquiry", evil)
        self.assertEqual(status, 400)
        self.assertEqual(text(ET.fromstring(body), "MessageHeader/SegmentOfResult"), "9")
        self.assertNotIn(b"root:", body)
        status, _, _ = self.sim.api("POST", "/v1/qualifications/inquiry", "<XmlMsg", request_id="bad-xml-1")
        self.assertEqual(status, 400)
        status, _, _ = self.sim.api("POST", "/v1/qualifications/inquiry",
                                    request_xml([search_info_xml(self.person())]), request_id=False)
        self.assertEqual(status, 400)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = self.sim.connection()
        try:
            for i in range(3):
                status, _, _ = self.sim.api("POST", "/v1/qualifications/inquiry",
                                            request_xml([search_info_xml(self.person(index=i))]), conn=conn)
                self.assertEqual(status, 200)
        finally:
            conn.close()

    def test_concurrent_inquiries_are_all_answered(self):
        results = []

        def one(i):
            status, _, _ = self.sim.api("POST", "/v1/qualifications/inquiry",
                                        request_xml([search_info_xml(self.person(index=i))]))
            results.append(status)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(results, [200] * 16)

    # --- idempotency ---
    def test_repeated_request_id_replays_the_first_answer_without_second_effect(self):
        rid = str(uuid.uuid4())
        body = request_xml([search_info_xml(self.person())])
        first = self.sim.api("POST", "/v1/qualifications/inquiry", body, request_id=rid)
        stamp = lambda answer: text(ET.fromstring(answer[2]), "MessageHeader/ProcessExecutionTime")
        # Wait until a fresh answer carries another ProcessExecutionTime, so a replay is told from one.
        deadline = time.time() + 10
        while stamp(self.sim.api("POST", "/v1/qualifications/inquiry", body)) == stamp(first) and time.time() < deadline:
            time.sleep(0.05)
        second = self.sim.api("POST", "/v1/qualifications/inquiry", body, request_id=rid)
        self.assertEqual((first[0], first[2]), (second[0], second[2]))
        [entry] = self.log_entry(rid)
        self.assertEqual((entry["timesSeen"], entry["acted"], entry["firstStatus"]), (2, True, 200))
        self.assertEqual(entry["institution"], INSTITUTION)
        # The same id from another institution is that institution's own request, never a replay.
        other_body = request_xml([search_info_xml(self.person())], OTHER_INSTITUTION)
        other = self.sim.api("POST", "/v1/qualifications/inquiry", other_body, request_id=rid,
                             client="other-facility-client")
        self.assertEqual(text(ET.fromstring(other[2]), "MessageHeader/MedicalInstitutionCode"), OTHER_INSTITUTION)
        self.assertEqual(len(self.log_entry(rid)), 2)

        upload = request_xml([search_info_xml(self.person())])
        bid = str(uuid.uuid4())
        a = self.sim.api("POST", "/v1/qualifications/batches", upload, request_id=bid)
        b = self.sim.api("POST", "/v1/qualifications/batches", upload, request_id=bid)
        self.assertEqual((a[0], a[2]), (b[0], b[2]))
        self.assertEqual(a[0], 202)
        c = self.sim.api("POST", "/v1/qualifications/batches", upload)
        reception = lambda r: text(ET.fromstring(r[2]), "MessageBody/ReceptionNumber")
        self.assertNotEqual(reception(a), reception(c))

    # --- batches ---
    def test_batch_upload_then_202_while_processing_then_200_with_all_units_in_order(self):
        people = [self.person("shaho"), self.person("kokuho"), self.person("koki"), self.person("kohi"),
                  self.person("shaho", "2"), self.person("kokuho", "4")]
        infos = [search_info_xml(p, arbitrary="U%d" % i) for i, p in enumerate(people)]
        infos.append("<QualificationConfirmSearchInfo><InsurerNumber>01130013</InsurerNumber>"
                     "<InsuredIdentificationNumber>1</InsuredIdentificationNumber><Birthdate>19800101</Birthdate>"
                     "<ArbitraryIdentifier>U6</ArbitraryIdentifier></QualificationConfirmSearchInfo>")
        status, headers, body = self.sim.api("POST", "/v1/qualifications/batches", request_xml(infos))
        self.assertEqual(status, 202)
        reception = text(ET.fromstring(body), "MessageBody/ReceptionNumber")
        self.assertRegex(reception, r"^R\d{15}$")
        self.assertTrue(text(ET.fromstring(body), "MessageBody/ReceptionDateTime"))

        status, headers, body = self.sim.api("GET", "/v1/qualifications/batches/" + reception)
        self.assertEqual(status, 202)
        self.assertEqual(headers.get("Retry-After"), "1")
        self.assertEqual(text(ET.fromstring(body), "MessageHeader/SegmentOfResult"), "2")
        self.assertIsNone(ET.fromstring(body).find("MessageBody/BulkConfirmUnit"))

        status, _, _ = self.sim.api("GET", "/v1/qualifications/batches/" + reception, client="other-facility-client")
        self.assertEqual(status, 404)

        deadline = time.time() + 10
        while status != 200 and time.time() < deadline:
            time.sleep(0.3)
            status, headers, body = self.sim.api("GET", "/v1/qualifications/batches/" + reception)
        self.assertEqual(status, 200)
        root = ET.fromstring(body)
        self.assertEqual(text(root, "MessageHeader/ReceptionNumber"), reception)
        self.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), "7")
        self.assertEqual(text(root, "MessageHeader/NumberOfNormalProcessing"), "6")
        self.assertEqual(text(root, "MessageHeader/NumberOfError"), "1")
        units = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual([text(u, "QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units],
                         ["U%d" % i for i in range(7)])
        self.assertEqual([text(u, "QualificationValidity") for u in units], ["1", "1", "1", "1", "2", "4", None])
        self.assertEqual(text(units[6], "ProcessingResultStatus"), "2")
        for unit, person in zip(units[:5], people):
            self.assertEqual(text(unit, "ResultOfQualificationConfirmation/Name"), person["name"])

        status, _, _ = self.sim.api("GET", "/v1/qualifications/batches/R999999999999999")
        self.assertEqual(status, 404)

    # --- faults ---
    def test_outage_closes_connections_and_reset_restores(self):
        body = request_xml([search_info_xml(self.person())])
        self.assertEqual(self.sim.control("POST", "/sim/faults", {"outage": True})[0], 200)
        rid = str(uuid.uuid4())
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.sim.api("POST", "/v1/qualifications/inquiry", body, request_id=rid)
        [entry] = self.log_entry(rid)
        self.assertEqual((entry["timesSeen"], entry["acted"]), (1, False))
        self.sim.control("POST", "/sim/reset")
        self.assertFalse(self.sim.control("GET", "/sim/faults")[1]["outage"])
        status, _, _ = self.sim.api("POST", "/v1/qualifications/inquiry", body, request_id=rid)
        self.assertEqual(status, 200)

    def test_request_refused_by_a_fault_does_not_act_and_its_retry_does(self):
        body = request_xml([search_info_xml(self.person())])
        self.sim.control("POST", "/sim/faults", {"errorRate": 1.0})
        rid = str(uuid.uuid4())
        status, headers, _ = self.sim.api("POST", "/v1/qualifications/batches", body, request_id=rid)
        self.assertEqual(status, 503)
        self.assertEqual(self.log_entry(rid)[0]["acted"], False)
        self.sim.control("POST", "/sim/faults", {"errorRate": 0.0, "malformedRate": 1.0})
        status, _, raw = self.sim.api("POST", "/v1/qualifications/batches", body, request_id=rid)
        self.assertEqual(status, 200)
        with self.assertRaises(ET.ParseError):
            ET.fromstring(raw)
        self.sim.control("POST", "/sim/faults", {"malformedRate": 0.0})
        status, _, _ = self.sim.api("POST", "/v1/qualifications/batches", body, request_id=rid)
        self.assertEqual(status, 202)
        [entry] = self.log_entry(rid)
        self.assertEqual((entry["timesSeen"], entry["acted"], entry["firstStatus"], entry["lastStatus"]),
                         (3, True, 503, 202))
        self.assertEqual(self.sim.control("POST", "/sim/faults", {"bogus": 1})[0], 400)

    def test_body_cut_short_does_not_act_and_its_complete_resend_does(self):
        """A client killed mid-upload leaves a fragment of its body behind. Acting on it would store the
        fragment's refusal as the answer to the id and replay it to the complete resend."""
        body = request_xml([search_info_xml(self.person())]).encode()
        rid = str(uuid.uuid4())
        cut_short = lambda: self.sim.log_text().count("outcome=read-failed")
        before = cut_short()
        conn = self.sim.connection()
        conn.putrequest("POST", "/v1/qualifications/batches")
        conn.putheader("Content-Type", "application/xml; charset=UTF-8")
        conn.putheader("X-Request-Id", rid)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        conn.send(body[:len(body) // 2])
        try:
            conn.sock.unwrap()  # the end of the stream, cleanly: the simulator reads end of file, not an error
        except (OSError, ssl.SSLError):
            pass
        conn.close()
        deadline = time.time() + 10
        while cut_short() == before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(cut_short(), before + 1, "the fragment was answered")
        self.assertEqual(self.log_entry(rid), [])
        status, _, _ = self.sim.api("POST", "/v1/qualifications/batches", body, request_id=rid)
        self.assertEqual(status, 202)
        [entry] = self.log_entry(rid)
        self.assertEqual((entry["timesSeen"], entry["acted"], entry["firstStatus"]), (1, True, 202))

    # --- control port and logs ---
    def test_control_port_answers_health_and_population(self):
        self.assertEqual(self.sim.control("GET", "/sim/health"), (200, {"ok": True}))
        status, page = self.sim.control("GET", "/sim/population?offset=10&limit=5&kind=koki")
        self.assertEqual(status, 200)
        self.assertEqual(len(page["persons"]), 5)
        self.assertGreaterEqual(len(self.persons), 10000)
        self.assertEqual({p["kind"] for p in self.persons}, {"shaho", "kokuho", "koki", "kohi"})
        for p in self.persons[:50]:
            self.assertIn(p["validity"], ("1", "2", "4", "5"))
            self.assertIn("\u3000", p["name"])

    def test_logs_carry_no_names_or_insured_numbers(self):
        people = [self.person(k) for k in ("shaho", "kokuho", "koki", "kohi")]
        for p in people:
            self.inquire(p)
        log = self.sim.log_text()
        self.assertIn("event=api.request", log)
        for p in people:
            self.assertNotIn(p["name"], log)
            self.assertNotIn(p["nameKana"], log)
            self.assertNotIn(p["cardNumber"], log)

    def test_startup_refuses_a_control_address_off_loopback(self):
        other = Simulator(self.certs, self.tmp.name, extra=["--population", "100"], control_host="0.0.0.0")
        rc = other.proc.wait(20)
        other.stop()
        self.assertNotEqual(rc, 0)

    def test_sigterm_exits_cleanly_and_the_population_is_the_same_for_the_same_seed(self):
        other = Simulator(self.certs, self.tmp.name, extra=["--seed", "20261125", "--population", "10000"])
        other.wait_ready()
        status, page = other.control("GET", "/sim/population?limit=10000")

        def undated(persons):
            # An outpatient consent in force was given "today": its times move with the date, so a run
            # across midnight (JST) must not make two equal populations differ.
            out = json.loads(json.dumps(persons))
            for p in out:
                if p["outpatientConsent"] and not p["outpatientConsent"]["expired"]:
                    del p["outpatientConsent"]["consTime"], p["outpatientConsent"]["availableTime"]
            return out
        self.assertEqual(undated(page["persons"]), undated(self.persons))
        self.assertEqual(other.stop(), 0)


if __name__ == "__main__":
    warnings.simplefilter("ignore", DeprecationWarning)  # ssl.TLSVersion.TLSv1_1 is used on purpose
    unittest.main(verbosity=2)

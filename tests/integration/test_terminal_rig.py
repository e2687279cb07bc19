"""The terminal rig on its own: a real smbd in front of the terminal simulator, driven with Debian's smbclient
as the SMB client (what the gateway's upstream profile "terminal" will do through libsmbclient)."""
import io
import os
import re
import shutil
import tempfile
import time
import unittest
import zipfile

from harness import (CentralSim, batch_download, batch_upload, document, header, parse, search_info,
                     sensitive_strings, single_request, text, wait_until)
from terminal_rig import TerminalRig

SESSIONS = 5


class TerminalRigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started = time.monotonic()
        cls.workdir = tempfile.mkdtemp(prefix="kakehashi-term-")
        cls.sim = CentralSim(cls.workdir, batch_delay_ms=200).start()
        try:
            cls.rig = TerminalRig(cls.workdir, cls.sim, sessions=SESSIONS).start()
        except Exception:
            cls.sim.stop()
            raise
        cls.persons = cls.sim.persons(30, validity="1")
        cls.counter = 0

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.rig.stop()
            assert code == 0, "the terminal simulator should exit 0 on SIGTERM, not %s" % code
            with open(cls.rig.sim.log_path, "rb") as f:
                log = f.read().decode("utf-8", "replace")
            for s in sensitive_strings(cls.persons):
                assert s not in log, "patient data in the terminal simulator's log"
        finally:
            cls.sim.stop()
        if os.environ.get("KAKEHASHI_KEEP_TEST_DIRS") is None:
            shutil.rmtree(cls.workdir, ignore_errors=True)
        print("terminal rig tests: %.1f s" % (time.monotonic() - cls.started))

    def setUp(self):
        if not self.rig.smbd.running():
            self.rig.share_up()
        self.rig.reset()
        self.sim.faults(slowBatchMs=0)

    def name(self, prefix):
        TerminalRigTest.counter += 1
        return "%sreq_%s%04d.xml" % (prefix, time.strftime("%Y%m%d"), TerminalRigTest.counter)

    def assert_no_duplicates(self, log):
        self.assertEqual(log["duplicateNames"], [], "a request file was taken twice under one name")
        self.assertEqual(log["duplicateContents"], [], "the same request content arrived under two names")

    # --- single check ---------------------------------------------------------------------------------

    def test_single_check_over_smb(self):
        p = self.persons[0]
        utf8, sjis = self.name("OQSsiquc01"), self.name("OQSsiquc01")
        self.rig.put({utf8: single_request(p, file_id="kh-U1", arbitrary_id="P-1"),
                      sjis: single_request(p, file_id="kh-S1", arbitrary_id="P-2", encoding="Shift_JIS")})
        res = self.rig.wait_files([utf8.replace("req_", "res_"), sjis.replace("req_", "res_")])
        for name, file_id, code in ((utf8, "kh-U1", "0"), (sjis, "kh-S1", "1")):
            data = res[name.replace("req_", "res_")]
            root = parse(data)
            self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), file_id)
            self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
            self.assertEqual(text(root, "MessageHeader/CharacterCodeIdentifier"), code)
            self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")
            self.assertEqual(text(root, ".//ResultOfQualificationConfirmation/Birthdate"), p["birthDate"])
            self.assertEqual(text(root, ".//ResultOfQualificationConfirmation/Name"), p["name"])
        self.assertTrue(res[sjis.replace("req_", "res_")].startswith(b'<?xml version="1.0" encoding="Shift_JIS"'))
        self.assertEqual(self.rig.ls("req"), [], "taken files leave req/")
        log = self.rig.log()
        self.assert_no_duplicates(log)
        self.assertEqual(sorted(e["name"] for e in log["entries"]), sorted([utf8, sjis]))
        ids = {e["requestId"] for e in log["entries"]}
        self.assertEqual(len(ids), 2, "a fresh X-Request-Id per request file")
        seen = {r["requestId"]: r for r in self.sim.requests()}
        for i in ids:
            self.assertEqual(seen[i]["path"], "/v1/qualifications/inquiry")
            self.assertEqual(seen[i]["timesSeen"], 1)

    # --- batch ----------------------------------------------------------------------------------------

    def test_batch_two_phases(self):
        self.sim.faults(slowBatchMs=3600000)  # the result is not ready until the test says so
        up = self.name("OQSmuquc01")
        self.rig.put({up: batch_upload(self.persons[1:4], file_id="kh-B1")})
        ack = parse(self.rig.wait_files([up.replace("req_", "res_")])[up.replace("req_", "res_")])
        reception = text(ack, "MessageBody/ReceptionNumber")
        self.assertRegex(reception, r"^R\d{15}$")

        down = self.name("OQSmuquc02")
        self.rig.put({down: batch_download(reception)})
        pending = parse(self.rig.wait_files([down.replace("req_", "res_")])[down.replace("req_", "res_")])
        self.assertEqual(text(pending, "MessageHeader/SegmentOfResult"), "2", "processing")
        self.assertEqual(len(pending.findall("MessageBody/BulkConfirmUnit")), 0)

        self.sim.faults(slowBatchMs=0)
        for i in range(20):  # a client asks again with a new file until the result is there
            down = self.name("OQSmuquc02")
            self.rig.put({down: batch_download(reception, file_id="kh-D%d" % i)})
            result = parse(self.rig.wait_files([down.replace("req_", "res_")])[down.replace("req_", "res_")])
            if text(result, "MessageHeader/SegmentOfResult") == "1":
                break
        self.assertEqual(text(result, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(result, "MessageHeader/NumberOfProcessingResult"), "3")
        units = result.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual([text(u, "QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units],
                         ["E00000", "E00001", "E00002"])
        self.assert_no_duplicates(self.rig.log())

    # --- request-level failures -----------------------------------------------------------------------

    def test_err_fault_and_malformed_request(self):
        p = self.persons[4]
        self.rig.faults(errNext=1)
        failed, missing, fine = self.name("OQSsiquc01"), self.name("OQSsiquc01"), self.name("OQSsiquc01")
        failed_data = single_request(p, file_id="kh-E1")
        self.rig.put({failed: failed_data})
        base = failed[:-len(".xml")]
        res = self.rig.wait_files([failed, base + ".err"])
        self.assertEqual(res[failed], failed_data, "a byte-identical copy of the request in res/")
        self.assertIn("code=TSIM-E900", res[base + ".err"].decode("utf-8"))

        no_birth = document(header("kh-E2") + "<MessageBody>"
                            + re.sub(r"<Birthdate>\d+</Birthdate>", "", search_info(p)) + "</MessageBody>")
        self.rig.put({missing: no_birth, fine: single_request(p, file_id="kh-E3")})
        res = self.rig.wait_files([missing, missing[:-4] + ".err", fine.replace("req_", "res_")])
        self.assertIn("Birthdate", res[missing[:-4] + ".err"].decode("utf-8"))
        self.assertEqual(text(parse(res[fine.replace("req_", "res_")]), "MessageBody/QualificationValidity"), "1",
                         "errNext=1 fails one request only")
        outcomes = {e["name"]: e["outcome"] for e in self.rig.log()["entries"]}
        self.assertEqual(outcomes, {failed: "err", missing: "err", fine: "answered"})

    # --- face -----------------------------------------------------------------------------------------

    def test_face_file_appears(self):
        p = self.persons[5]
        made = self.rig.face(p)
        name = made["file"]
        self.assertRegex(name, r"^OQSsiquc01res_face_1312345679[0-9a-f]{20}_\d{14}\.xml$")
        root = parse(self.rig.wait_files([name], folder="face")[name])
        self.assertEqual(text(root, "MessageHeader/ReferenceClassification"), "1")
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")
        records = root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")
        self.assertEqual(len(records), 1)
        self.assertEqual(text(records[0], "Birthdate"), p["birthDate"])
        self.assertEqual(text(records[0], "InsuredIdentificationNumber"), p["cardNumber"])

    # --- sessions -------------------------------------------------------------------------------------

    def test_sessions_capped(self):
        # All 25 wait in req/ while the terminal is paused; then each answer holds its session a while.
        self.rig.faults(delayMs=300, paused=True)
        files = {}
        for i in range(25):
            files[self.name("OQSsiquc01")] = single_request(self.persons[i], file_id="kh-C%02d" % i)
        self.rig.put(files)
        self.assertEqual(len(self.rig.ls("req")), 25)
        self.rig.resume()

        def all_answered():
            log = self.rig.log()
            return log if sum(e["outcome"] == "answered" for e in log["entries"]) == 25 else None
        log = wait_until(all_answered, 45, "25 answers", interval=0.1)
        self.assertEqual(log["maxInFlight"], SESSIONS, "at most --sessions requests at a time, and all of them used")
        self.assert_no_duplicates(log)
        results = [n.replace("req_", "res_") for n in files]
        self.assertLessEqual(set(results), set(self.rig.ls("res")))
        got = self.rig.get(results[:3])
        for n in results[:3]:
            self.assertEqual(text(parse(got[n]), "MessageBody/QualificationValidity"), "1")

    def test_open_file_is_not_taken(self):
        name = self.name("OQSsiquc01")
        path = os.path.join(self.rig.folder, "req", name)
        with open(path, "wb") as f:  # a writer that has not closed its file yet
            f.write(single_request(self.persons[6], file_id="kh-O1"))
            f.flush()
            scans = self.rig.state()["scans"]
            wait_until(lambda: self.rig.state()["scans"] >= scans + 10, 10, "ten scans of req/")
            self.assertTrue(os.path.exists(path))
            self.assertEqual(self.rig.log()["entries"], [])
        self.rig.wait_files([name.replace("req_", "res_")])

    # --- other request types -------------------------------------------------------------------------

    def test_other_request_types(self):
        p = self.persons[8]
        ids = ("<InsurerNumber>%s</InsurerNumber><InsuredCardSymbol>%s</InsuredCardSymbol>"
               "<InsuredIdentificationNumber>%s</InsuredIdentificationNumber>"
               "<InsuredBranchNumber>%s</InsuredBranchNumber>"
               % (p["insurerNumber"], p["cardSymbol"], p["cardNumber"], p["branchNumber"]))
        register = document("<MessageHeader><MedicalInstitutionCode>1312345679</MedicalInstitutionCode>"
                            "<ArbitraryFileIdentifier>kh-I1</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
                            "<ReferenceNumberRegistrationInfo><ReferenceNumber>PT-%d</ReferenceNumber>%s"
                            "</ReferenceNumberRegistrationInfo></MessageBody>" % (os.getpid(), ids), "Shift_JIS")
        medication = document(
            "<MessageHeader><MedicalInstitutionCode>1312345679</MedicalInstitutionCode>"
            "<InsurerNumber>%s</InsurerNumber><InsuranceCardSymbol>%s</InsuranceCardSymbol>"
            "<InsuredPersonIdentificationNumber>%s</InsuredPersonIdentificationNumber>"
            "<BranchNumber>%s</BranchNumber><ArbitraryFileIdentifier>kh-Y1</ArbitraryFileIdentifier></MessageHeader>"
            "<MessageBody><FileCategory>2</FileCategory><PrDiInfClassification>1</PrDiInfClassification>"
            "<MedicalTreatmentFlag>1</MedicalTreatmentFlag></MessageBody>"
            % (p["insurerNumber"], p.get("cardSymbol", ""), p["cardNumber"], p["branchNumber"]))
        # An outpatient consent for medication, given at the reader: the terminal relays the information.
        self.sim.control("POST", "/sim/outpatient-consent", {
            "insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p.get("cardSymbol", ""), "cardNumber": p["cardNumber"],
            "branchNumber": p["branchNumber"], "birthDate": p["birthDate"], "scopes": ["medication"],
            "availableTime": time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 9 * 3600 + 3600))})
        aid = document(header("kh-T1") + "<MessageBody><QualificationConfirmSearchInfo><MedicalTreatmentMonth>%s"
                       "</MedicalTreatmentMonth></QualificationConfirmSearchInfo></MessageBody>"
                       % time.strftime("%Y%m"))
        siimm = self.name("OQSsiimm01")
        yzk = "YZKsiquc01req_02%s%04d.xml" % (time.strftime("%y%m%d%H%M"), os.getpid() % 10000)
        mutic, muimm2 = self.name("OQSmutic01"), self.name("OQSmuimm02")
        self.rig.put({siimm: register, yzk: medication, mutic: aid, muimm2: batch_download("R000000000000001")})
        self.rig.wait_files([siimm.replace("req_", "res_"), yzk.replace("req_", "res_"), muimm2[:-4] + ".err"])

        res = self.rig.get([siimm.replace("req_", "res_"), yzk.replace("req_", "res_"), muimm2[:-4] + ".err"])
        reg = res[siimm.replace("req_", "res_")]
        self.assertTrue(reg.startswith(b'<?xml version="1.0" encoding="Shift_JIS"'),
                        "answered in the request's encoding")
        self.assertEqual(text(parse(reg), ".//ReferenceNumberRegistrationResult/ProcessingResultStatus"), "1")
        medication_result = parse(res[yzk.replace("req_", "res_")])  # with the outpatient consent set above
        self.assertEqual(text(medication_result, ".//ResultCode"), "1")
        self.assertIsNotNone(medication_result.find("MessageBody/MeTrMonthInf"))
        self.assertIn("code=TSIM-E101", res[muimm2[:-4] + ".err"].decode("utf-8"))

        def mutic_answered():
            names = self.rig.local_names("res")
            return names & {mutic.replace("req_", "res_"), mutic[:-4] + ".err"}
        got = wait_until(mutic_answered, 30, "an answer to the medical-aid batch")
        if mutic[:-4] + ".err" in got:  # until the central simulator serves /v1/medical-aid/batches
            err = self.rig.get([mutic[:-4] + ".err"])[mutic[:-4] + ".err"]
            self.assertIn("centralErrorCode=SIM-4040", err.decode("utf-8"))

    # --- faults -----------------------------------------------------------------------------------------

    def wait_outcome(self, name, outcome):
        def found():
            return [e for e in self.rig.log()["entries"] if e["name"] == name and e["outcome"] == outcome]
        return wait_until(found, 30, "%s to be %s" % (name, outcome), interval=0.05)[0]

    def test_pause_delete_stuck_and_zip(self):
        p = self.persons[9]
        paused = self.name("OQSsiquc01")
        self.rig.pause()
        self.rig.put({paused: single_request(p, file_id="kh-P1")})
        scans = self.rig.state()["scans"]
        wait_until(lambda: self.rig.state()["scans"] >= scans + 10, 10, "ten passes while paused")
        self.assertIn(paused, self.rig.ls("req"), "a paused terminal takes nothing")
        self.assertEqual(self.rig.log()["entries"], [])
        self.rig.resume()
        self.rig.wait_files([paused.replace("req_", "res_")])

        deleted = self.name("OQSsiquc01")
        self.rig.faults(mode="delete")
        self.rig.put({deleted: single_request(p, file_id="kh-P2")})
        self.wait_outcome(deleted, "deleted")
        self.assertNotIn(deleted, self.rig.ls("req"))

        stuck = self.name("OQSsiquc01")
        self.rig.faults(mode="stuck")
        self.rig.put({stuck: single_request(p, file_id="kh-P3")})
        self.wait_outcome(stuck, "stuck")
        self.assertEqual(self.rig.state()["inFlight"], 1, "a stuck request holds its session")
        self.rig.faults(mode="answer")
        self.wait_outcome(stuck, "dropped")
        wait_until(lambda: self.rig.state()["inFlight"] == 0, 10, "the session to be freed")
        answers = set(self.rig.ls("res"))
        for n in (deleted, stuck):
            self.assertNotIn(n.replace("req_", "res_"), answers)
            self.assertNotIn(n[:-4] + ".err", answers)

        self.rig.faults(zipResults=True)
        up = self.name("OQSmuquc01")
        self.rig.put({up: batch_upload(self.persons[10:12], file_id="kh-Z1")})
        ack = parse(self.rig.wait_files([up.replace("req_", "res_")])[up.replace("req_", "res_")])
        reception = text(ack, "MessageBody/ReceptionNumber")
        for i in range(20):
            down = self.name("OQSmuquc02")
            self.rig.put({down: batch_download(reception, file_id="kh-Z%d" % (i + 2))})
            base = down[:-4].replace("req_", "res_")
            got = wait_until(lambda: self.rig.local_names("res") & {base + ".xml", base + ".zip"}, 30, "02 answer")
            if base + ".zip" in got:
                break
        data = self.rig.get([base + ".zip"])[base + ".zip"]
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.assertEqual(z.namelist(), [base + ".xml"])
            result = parse(z.read(base + ".xml"))
        self.assertEqual(text(result, "MessageHeader/NumberOfProcessingResult"), "2")
        self.assert_no_duplicates(self.rig.log())

    # --- the share goes away --------------------------------------------------------------------------

    def test_share_down_and_up(self):
        port = self.rig.port
        self.rig.share_down()
        out = self.rig.smbclient(["ls"], timeout=30)
        self.assertNotEqual(out.returncode, 0, "no share while smbd is down")
        self.rig.share_up()
        self.assertEqual(self.rig.port, port)
        name = self.name("OQSsiquc01")
        self.rig.put({name: single_request(self.persons[7], file_id="kh-R1")})
        root = parse(self.rig.wait_files([name.replace("req_", "res_")])[name.replace("req_", "res_")])
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "kh-R1")


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""居宅同意取得型, end to end against the simulator over mutual TLS: a synthetic patient consents in the
simulated マイナ在宅受付Web → the appliance's consent list shows them → medication information is
served (live, then from the cache) → after the patient withdraws (not under profile terminal: a terminal has no
withdrawal notice), the cached information is gone and the next request is refused with the reason; an expired consent is refused even when information is cached."""
import time
import xml.etree.ElementTree as ET

from harness import INSTITUTION, IntegrationTest, inquiry_json, main


def japan_today():
    return time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600))


def japan_now(offset_seconds=0):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 9 * 3600 + offset_seconds))


class HomeConsentTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.token = self.sim.control("GET", "/sim/home-reception/url?institution=" + INSTITUTION)["token"]

    def consent(self, p, scopes, treatment=2):
        body = {"insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p["cardSymbol"], "cardNumber": p["cardNumber"],
                "branchNumber": p["branchNumber"], "birthDate": p["birthDate"], "pin": "1234", "scopes": scopes,
                "medicalTreatmentFlag": treatment, "examinationDate": japan_today()}
        return self.sim.control("POST", "/sim/home-reception/%s/consent" % self.token, body)

    def ask(self, p, scope="medication", category="xml"):
        body = {"insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p["cardSymbol"], "cardNumber": p["cardNumber"],
                "branchNumber": p["branchNumber"], "birthDate": p["birthDate"], "fileCategory": category}
        return self.gateway.request("POST", "/api/v1/medical-info/" + scope, body)

    def refresh(self):
        status, body, _ = self.gateway.request("POST", "/api/v1/home-consent/qualifications/refresh")
        self.assertEqual(status, 200, body)
        return body

    def test_consent_list_and_medical_info(self):
        p, q = self.persons(2, validity="1")
        self.assertIn("consentId", self.consent(p, ["medication"]))
        self.assertGreaterEqual(self.refresh()["consents"], 1)
        status, body, _ = self.gateway.request("GET", "/api/v1/home-consent/qualifications?since=" + japan_today())
        self.assertEqual(status, 200)
        listed = [x for x in body["patients"] if x.get("eligibility", {}).get("name") == p["name"]]
        self.assertEqual(len(listed), 1, body)
        self.assertEqual(listed[0]["medicalTreatmentFlag"], "2")
        self.assertTrue(listed[0]["consent"]["medication"]["consented"])
        self.assertFalse(listed[0]["consent"]["checkup"]["consented"])
        self.assertTrue(listed[0]["consent"]["medication"]["availableUntil"].endswith("235959"))

        # The clinic registers its own patient number (照会番号); the next consent list carries it.
        status, body, _ = self.gateway.request("POST", "/api/v1/reference-numbers", {"entries": [{
            "referenceNumber": "KARTE-0042", "insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p["cardSymbol"],
            "cardNumber": p["cardNumber"], "branchNumber": p["branchNumber"]}]})
        self.assertEqual((status, body["results"][0]["status"]), (200, "registered"), body)
        self.refresh()
        status, body, _ = self.gateway.request("GET", "/api/v1/home-consent/qualifications")
        listed = [x for x in body["patients"] if x.get("eligibility", {}).get("name") == p["name"]]
        self.assertEqual(listed[0]["eligibility"]["referenceNumber"], "KARTE-0042")

        status, _, res = self.ask(p)
        self.assertEqual(status, 200)
        self.assertEqual(res.getheader("X-Kakehashi-Source"), "live")
        self.assertIn(b"<XmlMsg", self.gateway.last_body)
        status, _, res = self.ask(p)
        self.assertEqual((status, res.getheader("X-Kakehashi-Source")), (200, "cache"))
        status, _, res = self.ask(p, category="pdf")
        self.assertEqual((status, res.getheader("Content-Type")), (200, "application/pdf"))
        self.assertTrue(self.gateway.last_body.startswith(b"%PDF"))

        status, body, _ = self.ask(p, scope="checkup")  # consent was for medication only
        self.assertEqual((status, body["type"]), (403, "urn:kakehashi:problem:consent-missing"))
        self.assertIn("同意がありません", body["detail"])
        status, body, _ = self.ask(q)  # never consented
        self.assertEqual((status, body["type"]), (403, "urn:kakehashi:problem:consent-missing"))

        medical = [r for r in self.sim.requests() if r["path"] == "/v1/medical-info/medication"]
        self.assertEqual(len(medical), 2, "xml once, pdf once; the refusals came from the appliance itself")

    def test_withdrawal_removes_cached_information(self):
        self.skip_under_terminal("a 資格確認端末's file interface has no withdrawal notice (a consent ends with its window)")
        p = self.persons(1, validity="1")[0]
        self.consent(p, ["medication"])
        self.assertGreaterEqual(self.refresh()["consents"], 1)
        status, _, res = self.ask(p)
        self.assertEqual((status, res.getheader("X-Kakehashi-Source")), (200, "live"))
        self.sim.control("POST", "/sim/home-reception/%s/withdraw" % self.token,
                         {"insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p["cardSymbol"],
                          "cardNumber": p["cardNumber"], "branchNumber": p["branchNumber"], "birthDate": p["birthDate"]})
        self.assertEqual(self.refresh()["withdrawals"], 1)
        status, body, _ = self.ask(p)
        self.assertEqual((status, body["type"]), (403, "urn:kakehashi:problem:consent-withdrawn"))
        self.assertIn("撤回", body["detail"])
        medical = [r for r in self.sim.requests() if r["path"] == "/v1/medical-info/medication"]
        self.assertEqual(len(medical), 1, "the refusal came from the appliance itself")

    def test_file_channel_consent_list_and_medical_info(self):
        from harness import document, parse, text, wait_until
        p = self.persons(1, validity="1")[0]
        self.consent(p, ["medication"])
        today = japan_today()
        head = ("<MessageHeader><MedicalInstitutionCode>%s</MedicalInstitutionCode>"
                "<ArbitraryFileIdentifier>%%s</ArbitraryFileIdentifier></MessageHeader>" % INSTITUTION)
        self.gateway.drop("OQSmuhvq01req_%s0001.xml" % today, document(
            head % "L1" + "<MessageBody><QualificationConfirmSearchInfo><ConsentDateFrom>%s</ConsentDateFrom>"
            "<ConsentDateTo>%s</ConsentDateTo><MedicalTreatmentFlag>2</MedicalTreatmentFlag>"
            "</QualificationConfirmSearchInfo></MessageBody>" % (today, today)))
        reception = text(parse(self.gateway.result("OQSmuhvq01res_%s0001.xml" % today)), "MessageBody/ReceptionNumber")
        self.assertTrue(reception)
        seq = [0]

        def listed():
            seq[0] += 1
            name = "OQSmuhvq02req_%s%04d.xml" % (today, seq[0])
            self.gateway.drop(name, document(head % "L2" + "<MessageBody><ReceptionNumber>%s</ReceptionNumber>"
                                             "</MessageBody>" % reception))
            root = parse(self.gateway.result(name.replace("req", "res")))
            return root if text(root, "MessageHeader/SegmentOfResult") == "1" else time.sleep(0.5)
        root = wait_until(listed, 60, "the consent list", interval=0)
        units = [u for u in root.findall("MessageBody/BulkConfirmUnit")
                 if text(u, "ResultOfQualificationConfirmation/Name") == p["name"]]
        self.assertEqual(len(units), 1)
        self.assertEqual(text(units[0], "ResultOfQualificationConfirmation/PharmacistsInfoConsFlg"), "1")

        def medical_request(file_category):
            return ("<MessageHeader><MedicalInstitutionCode>%s</MedicalInstitutionCode><InsurerNumber>%s</InsurerNumber>"
                    "<InsuranceCardSymbol>%s</InsuranceCardSymbol><InsuredPersonIdentificationNumber>%s"
                    "</InsuredPersonIdentificationNumber><BranchNumber>%s</BranchNumber><ArbitraryFileIdentifier>M"
                    "</ArbitraryFileIdentifier></MessageHeader><MessageBody><FileCategory>%d</FileCategory>"
                    "<MedicalTreatmentFlag>2</MedicalTreatmentFlag><Birthdate>%s</Birthdate></MessageBody>"
                    % (INSTITUTION, p["insurerNumber"].strip(), p["cardSymbol"], p["cardNumber"], p["branchNumber"],
                       file_category, p["birthDate"]))
        self.gateway.drop("YZKsiquc01req_%s0001.xml" % today, document(medical_request(2), "Shift_JIS"))
        data = self.gateway.result("YZKsiquc01res_%s0001.xml" % today)
        self.assertIn(b'encoding="Shift_JIS"', data[:100])
        parse(data)
        self.gateway.drop("YZKsiquc01req_%s0002.xml" % today, document(medical_request(1)))
        self.assertTrue(self.gateway.result("YZKsiquc01res_%s0002.pdf" % today).startswith(b"%PDF"))
        self.gateway.drop("TKKsiquc01req_%s0003.xml" % today, document(medical_request(2)))
        # Refused the way the central system refuses: a result a client reads by ResultCode/MessageContents.
        root = parse(self.gateway.result("TKKsiquc01res_%s0003.xml" % today))
        self.assertEqual(text(root, "MessageHeader/ResultCode"), "2")
        self.assertIn("同意がありません", text(root, "MessageHeader/MessageContents"))
        self.assertEqual(text(root, "MessageHeader/ProcessingResultCode"), "KKH-E5001")
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "M")

    def test_expired_consent_is_refused_even_when_cached(self):
        p = self.persons(1, validity="1")[0]
        consent_id = self.consent(p, ["medication", "checkup"])["consentId"]
        self.refresh()
        self.assertEqual(self.ask(p)[0], 200)
        self.assertEqual(self.ask(p)[2].getheader("X-Kakehashi-Source"), "cache")
        self.sim.control("POST", "/sim/consents/%s/expire" % consent_id)
        self.refresh()
        status, body, _ = self.ask(p)
        self.assertEqual((status, body["type"]), (403, "urn:kakehashi:problem:consent-expired"))
        self.assertIn("有効期限", body["detail"])

    def test_outpatient_consent_given_at_the_reader_serves_medical_info_until_its_time(self):
        """An outpatient consents at the face reader; the qualification answer carries the consent block. A
        YZK request (MedicalTreatmentFlag 1, no birth date, as clients write it) is then answered, and refused
        once the block's AvailableTime has passed."""
        p, q = self.persons(2, validity="1")
        self.sim.control("POST", "/sim/outpatient-consent", dict(self.identifiers(p), scopes=["medication"],
                                                                  availableTime=japan_now(3600)))
        self.sim.control("POST", "/sim/outpatient-consent", dict(self.identifiers(q), scopes=["medication"],
                                                                  availableTime=japan_now(-60)))
        for person in (p, q):
            status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(person))
            self.assertEqual(status, 200, body)
        # Outpatient consents are not home consents: the home consent list does not show them.
        status, body, _ = self.gateway.request("GET", "/api/v1/home-consent/qualifications")
        self.assertEqual([x for x in body["patients"] if x.get("eligibility", {}).get("name") in (p["name"], q["name"])], [])

        def yzk(person, number):
            name = "YZKsiquc01req_%s%04d.xml" % (japan_today(), number)
            self.gateway.drop(name, ('<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>'
                                     "<MedicalInstitutionCode>%s</MedicalInstitutionCode><InsurerNumber>%s</InsurerNumber>"
                                     "<InsuranceCardSymbol>%s</InsuranceCardSymbol><InsuredPersonIdentificationNumber>%s"
                                     "</InsuredPersonIdentificationNumber><BranchNumber>%s</BranchNumber>"
                                     "<ArbitraryFileIdentifier>O%d</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
                                     "<FileCategory>2</FileCategory><MedicalTreatmentFlag>1</MedicalTreatmentFlag>"
                                     "</MessageBody></XmlMsg>" % (INSTITUTION, person["insurerNumber"].strip(), person["cardSymbol"],
                                                                  person["cardNumber"], person["branchNumber"], number)).encode())
            return ET.fromstring(self.gateway.result(name.replace("req_", "res_")))

        served = yzk(p, 1)
        self.assertEqual(served.findtext("MessageHeader/ResultCode"), "1")
        refused = yzk(q, 2)
        self.assertEqual(refused.findtext("MessageHeader/ResultCode"), "2")
        self.assertIn("有効期限", refused.findtext("MessageHeader/MessageContents"))
        medical = [r for r in self.sim.requests() if r["path"] == "/v1/medical-info/medication"]
        self.assertEqual(len(medical), 1, "the expired consent was refused by the appliance itself")

    @staticmethod
    def identifiers(p):
        return {k: p[k].strip() for k in ("insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate")}

    def test_bad_requests_are_refused_clearly(self):
        p = self.persons(1, validity="1")[0]
        status, body, _ = self.gateway.request("POST", "/api/v1/medical-info/medication", raw=b"{nope")
        self.assertEqual((status, body["type"]), (400, "urn:kakehashi:problem:malformed-json"))
        status, body, _ = self.gateway.request("POST", "/api/v1/medical-info/medication",
                                               {"insurerNumber": "01130013", "cardNumber": "1", "branchNumber": "00",
                                                "birthDate": "19800101"})
        self.assertEqual((status, body["type"]), (422, "urn:kakehashi:problem:invalid-field"))
        status, body, _ = self.gateway.request("POST", "/api/v1/medical-info/surgery", {})
        self.assertEqual(status, 404)
        status, body, _ = self.gateway.request("GET", "/api/v1/home-consent/qualifications?since=2026-11-25")
        self.assertEqual((status, body["type"]), (422, "urn:kakehashi:problem:invalid-field"))
        status, body, _ = self.ask(p, category="docx")
        self.assertEqual(status, 422)


if __name__ == "__main__":
    main()

"""照会番号登録 end to end against the simulator over mutual TLS: registration over HTTP (JSON and CSV, UTF-8
and Shift_JIS), the number then carried by eligibility answers, all-or-nothing CSV parsing, refusals with
the central system's code, queued registrations followed by ticket, and the OQSsiimm / OQSmuimm files."""
from harness import (IntegrationTest, INSTITUTION, document, header, inquiry_json, main, parse, text,
                     wait_until)

IMPORT = "/api/v1/reference-numbers/import"


def entry_json(p, number):
    return {"referenceNumber": number, "insurerNumber": p["insurerNumber"].strip(),
            "cardSymbol": p.get("cardSymbol", ""), "cardNumber": p["cardNumber"],
            "branchNumber": p.get("branchNumber", "")}


def csv_row(p, number):
    return '%s,%s,"%s",%s,%s' % (number, p["insurerNumber"].strip(), p.get("cardSymbol", ""), p["cardNumber"],
                                 p.get("branchNumber", ""))


def registration_info(p, number):
    parts = ["<ReferenceNumberRegistrationInfo>", "<ReferenceNumber>%s</ReferenceNumber>" % number,
             "<InsurerNumber>%s</InsurerNumber>" % p["insurerNumber"].strip()]
    if p.get("cardSymbol"):
        parts.append("<InsuredCardSymbol>%s</InsuredCardSymbol>" % p["cardSymbol"])
    parts.append("<InsuredIdentificationNumber>%s</InsuredIdentificationNumber>" % p["cardNumber"])
    if p.get("branchNumber"):
        parts.append("<InsuredBranchNumber>%s</InsuredBranchNumber>" % p["branchNumber"])
    parts.append("</ReferenceNumberRegistrationInfo>")
    return "".join(parts)


class ReferenceNumberTest(IntegrationTest):
    def registered_at_sim(self):
        return {r["referenceNumber"] for r in self.sim.control("GET", "/sim/consents")["referenceNumbers"]
                if r["institution"] == INSTITUTION}

    def upstream_registrations(self):
        return [r for r in self.sim.requests() if r["path"] == "/v1/reference-numbers"]

    def distinct_people(self, count):
        """Valid persons of different households (a household shares its card number)."""
        out, seen = [], set()
        for p in self.persons(200, validity="1"):
            key = (p["insurerNumber"], p["cardNumber"])
            if key not in seen:
                seen.add(key)
                out.append(p)
            if len(out) == count:
                return out
        raise AssertionError("not enough households")

    def test_registered_number_comes_back_in_the_next_inquiry(self):
        p = self.distinct_people(1)[0]
        status, body, _ = self.gateway.request("POST", "/api/v1/reference-numbers",
                                               {"entries": [entry_json(p, "PT-0042")]})
        self.assertEqual(status, 200, body)
        result = body["results"][0]
        self.assertEqual((result["referenceNumber"], result["status"], result["code"]), ("PT-0042", "registered", ""))
        self.assertIn("PT-0042", self.registered_at_sim())
        self.assertEqual(len(self.upstream_registrations()), 1)

        status, answer, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["source"], "live")
        self.assertEqual(answer["eligibility"]["referenceNumber"], "PT-0042")
        with open(self.gateway.log_path, "rb") as f:
            self.assertNotIn(b"PT-0042", f.read(), "reference numbers stay out of the log")

    def test_csv_import_in_shift_jis_registers_every_row(self):
        a, b = self.distinct_people(2)
        csv = "照会番号,保険者番号,記号,番号,枝番\r\n%s\r\n%s\r\n" % (csv_row(a, "SJ-0001"), csv_row(b, "SJ-0002"))
        status, body, _ = self.gateway.request("POST", IMPORT, raw=csv.encode("cp932"),
                                               headers={"Content-Type": "text/csv"})
        self.assertEqual(status, 200, body)
        self.assertEqual([(r["line"], r["referenceNumber"], r["status"]) for r in body["results"]],
                         [(2, "SJ-0001", "registered"), (3, "SJ-0002", "registered")])
        self.assertTrue({"SJ-0001", "SJ-0002"} <= self.registered_at_sim())
        self.assertEqual(len(self.upstream_registrations()), 1, "one upstream message for the whole file")

        english = "referenceNumber,insurerNumber,cardSymbol,cardNumber,branchNumber\n%s\n" % csv_row(a, "EN-0001")
        status, body, _ = self.gateway.request("POST", IMPORT, raw=english.encode("utf-8"),
                                               headers={"Content-Type": "text/csv; charset=utf-8"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["results"][0]["status"], "registered")

    def test_malformed_csv_registers_nothing_and_names_the_line(self):
        a, b = self.distinct_people(2)
        head = "照会番号,保険者番号,記号,番号,枝番\r\n"
        cases = [
            (head + csv_row(a, "BAD-1") + '\r\n"BAD-2,%s\r\n' % b["cardNumber"], "line 3"),   # unterminated quote
            (head + csv_row(a, "BAD-1") + "\r\nBAD-2,%s,,%s\r\n" % (b["insurerNumber"].strip(), b["cardNumber"]),
             "line 3"),                                                                       # 4 fields, not 5
            ("照会番号,保険者番号,記号,番号\r\n" + "BAD-1,%s,,%s\r\n" % (a["insurerNumber"].strip(), a["cardNumber"]),
             "line 1"),                                                                       # 枝番 missing
        ]
        for csv, line in cases:
            with self.subTest(line=line):
                status, body, res = self.gateway.request("POST", IMPORT, raw=csv.encode("cp932"),
                                                         headers={"Content-Type": "text/csv"})
                self.assertEqual(status, 400, body)
                self.assertEqual(res.getheader("Content-Type"), "application/problem+json")
                self.assertEqual(body["type"], "urn:kakehashi:problem:malformed-csv")
                self.assertIn(line, body["detail"])
        self.assertEqual(self.upstream_registrations(), [], "nothing registered")
        self.assertFalse({"BAD-1", "BAD-2"} & self.registered_at_sim())

    def test_unknown_person_is_refused_with_the_central_code_and_invalid_entries_answered_here(self):
        known = self.distinct_people(1)[0]
        unknown = self.persons(1, validity="4")[0]
        invalid = dict(entry_json(known, "INV-1"), insurerNumber="01130013")  # wrong check digit
        status, body, _ = self.gateway.request("POST", "/api/v1/reference-numbers", {"entries": [
            entry_json(unknown, "UNK-1"), invalid, entry_json(known, "OK-1")]})
        self.assertEqual(status, 200, body)
        unk, inv, ok = body["results"]
        self.assertEqual((unk["referenceNumber"], unk["status"], unk["code"]), ("UNK-1", "refused", "SIM-R005"))
        self.assertTrue(unk["message"])
        self.assertEqual((inv["status"], inv["code"]), ("invalid", "KKH-E1008"))
        # Named as the JSON member the client sent (the spec's InsurerNumber is for files).
        self.assertEqual(inv["errors"][0]["field"], "insurerNumber")
        self.assertIn("insurerNumber", inv["message"])
        self.assertEqual(ok["status"], "registered")
        self.assertEqual(self.registered_at_sim(), {"OK-1"})

    def test_bad_json_gets_problem_details(self):
        for raw, status, kind in [(b"{", 400, "malformed-json"), (b'{"entries":[]}', 400, "empty-request"),
                                  (b'{"entries":[{"insurerNumber":"01130012","cardNumber":"1"}]}', 422,
                                   "invalid-field")]:
            with self.subTest(raw=raw):
                s, body, _ = self.gateway.request("POST", "/api/v1/reference-numbers", raw=raw)
                self.assertEqual(s, status, body)
                self.assertEqual(body["type"], "urn:kakehashi:problem:" + kind)
        s, body, _ = self.gateway.request("GET", "/api/v1/reference-numbers/999999")
        self.assertEqual(s, 404, body)
        s, body, _ = self.gateway.request("POST", IMPORT, raw=b"a,b", headers={"Content-Type": "application/json"})
        self.assertEqual(body["type"], "urn:kakehashi:problem:malformed-csv")

    def test_file_channel_single_and_batch(self):
        a, b = self.distinct_people(2)
        unknown = self.persons(1, validity="4")[0]
        single = document(header("202611260003") + "<MessageBody>" + registration_info(a, "FILE-1") +
                          "</MessageBody>")
        self.gateway.drop("OQSsiimm01req_202611260003.xml", single)
        root = parse(self.gateway.result("OQSsiimm01res_202611260003.xml"))
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "202611260003")
        self.assertEqual(text(root, "MessageBody/ReferenceNumberRegistrationResult/ReferenceNumber"), "FILE-1")
        self.assertEqual(text(root, "MessageBody/ReferenceNumberRegistrationResult/ProcessingResultStatus"), "1")

        units = "".join("<BulkRegistrationUnit>%s</BulkRegistrationUnit>" % registration_info(p, n)
                        for p, n in [(b, "FILE-2"), (unknown, "FILE-3")])
        batch = document(header("202611260004") + "<MessageBody>" + units + "</MessageBody>", encoding="Shift_JIS")
        self.gateway.drop("OQSmuimm01req_202611260004.xml", batch)
        # First phase (OQSmuimm01res): the reception number only, as MynaReception's UploadReception reads it.
        data = self.gateway.result("OQSmuimm01res_202611260004.xml")
        self.assertIn(b'encoding="Shift_JIS"', data[:100])
        root = parse(data)
        self.assertEqual(text(root, "MessageHeader/CharacterCodeIdentifier"), "1")
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "202611260004")
        self.assertEqual(root.findall("MessageBody/ReferenceNumberRegistrationResult"), [])
        reception = text(root, "MessageBody/ReceptionNumber")
        self.assertTrue(reception)

        # Second phase (OQSmuimm02req → 02res), asked under a new name each time until it is no longer 処理中.
        seq = [0]

        def results():
            seq[0] += 1
            file_id = "20261126%04d" % (100 + seq[0])
            self.gateway.drop("OQSmuimm02req_%s.xml" % file_id,
                              document(header(file_id) + "<MessageBody><ReceptionNumber>%s</ReceptionNumber></MessageBody>"
                                       % reception))
            r = parse(self.gateway.result("OQSmuimm02res_%s.xml" % file_id))
            return r if text(r, "MessageHeader/SegmentOfResult") == "1" else None
        root = wait_until(results, 60, "the registration's results", 0.2)
        self.assertEqual(text(root, "MessageHeader/ReceptionNumber"), reception)
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "202611260004")
        self.assertEqual((text(root, "MessageHeader/NumberOfProcessingResult"), text(root, "MessageHeader/NumberOfNormalProcessing"),
                          text(root, "MessageHeader/NumberOfError")), ("2", "1", "1"))
        units = root.findall("MessageBody/BulkRegistrationUnit")
        self.assertEqual([(text(u, "ReferenceNumberRegistrationInfo/ReferenceNumber"),
                           text(u, "ReferenceNumberRegistrationInfo/InsuredIdentificationNumber"),
                           text(u, "ProcessingResultStatus"), text(u, "ProcessingResultCode")) for u in units],
                         [("FILE-2", b["cardNumber"], "1", ""), ("FILE-3", unknown["cardNumber"], "2", "SIM-R005")])
        self.assertTrue({"FILE-1", "FILE-2"} <= self.registered_at_sim())

        # A reception number the box never gave is refused beside the request, its identifier filled in.
        self.gateway.drop("OQSmuimm02req_202611260199.xml",
                          document(header("202611260199") + "<MessageBody><ReceptionNumber>R9999999999</ReceptionNumber></MessageBody>"))
        err = parse(self.gateway.result("OQSmuimm02req_202611260199.err"))
        self.assertEqual(text(err, "MessageHeader/SegmentOfResult"), "9")
        self.assertEqual(text(err, "MessageHeader/ArbitraryFileIdentifier"), "202611260199")
        self.assertTrue(text(err, "MessageHeader/ErrorMessage"))


class QueuedReferenceNumberTest(IntegrationTest):
    gateway_options = {"upstream": {"liveWaitMillis": 1000}}

    def test_registration_queued_while_the_link_is_down_is_answered_by_ticket(self):
        p = self.persons(1, validity="1")[0]
        self.upstream_outage(True)
        status, body, res = self.gateway.request("POST", "/api/v1/reference-numbers",
                                                 {"entries": [entry_json(p, "Q-1"), entry_json(p, "bad number!")]})
        self.assertEqual(status, 202, body)
        self.assertEqual(body["status"], "queued")
        ticket = body["ticket"]
        self.assertEqual(res.getheader("Location"), "/api/v1/reference-numbers/%d" % ticket)
        self.assertEqual([r["status"] for r in body["results"]], ["pending", "invalid"])
        s, still, _ = self.gateway.request("GET", "/api/v1/reference-numbers/%d" % ticket)
        self.assertEqual(s, 202, still)

        self.upstream_outage(False)

        def answered():
            s, b, _ = self.gateway.request("GET", "/api/v1/reference-numbers/%d" % ticket)
            return b if s == 200 else None
        done = wait_until(answered, 30, "the queued registration", 0.3)
        self.assertEqual([(r["referenceNumber"], r["status"]) for r in done["results"]], [("Q-1", "registered")])

        s, answer, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(s, 200, answer)
        self.assertEqual(answer["eligibility"]["referenceNumber"], "Q-1")


if __name__ == "__main__":
    main()

"""A spec XML request dropped into req/ gets the right result in res/, answered by the simulator over
mutual TLS — in UTF-8 and in Shift_JIS — and bad input gets a clear spec error without hurting anyone."""
import os
import time

from harness import (IntegrationTest, INSTITUTION, OTHER_INSTITUTION, document, header, main, parse,
                     search_info, single_request, text, wait_until)


class FileChannelTest(IntegrationTest):
    def test_single_inquiry_utf8_is_answered_live_and_matches_the_person(self):
        p = self.persons(1, validity="1")[0]
        self.gateway.drop("OQSsiquc01req_202611250001.xml", single_request(p, "202611250001"))
        root = parse(self.gateway.result("OQSsiquc01res_202611250001.xml"))
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
        self.assertEqual(text(root, "MessageHeader/CharacterCodeIdentifier"), "0")
        self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "202611250001")
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")
        self.assertEqual(text(root, "MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier"), "A1")
        record = "MessageBody/ResultList/ResultOfQualificationConfirmation/"
        self.assertEqual(text(root, record + "Name"), p["name"])
        self.assertEqual(text(root, record + "InsuredIdentificationNumber"), p["cardNumber"])
        self.assertFalse(os.path.exists(os.path.join(self.gateway.share, "req", "OQSsiquc01req_202611250001.xml")))
        acted = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        self.assertEqual(len(acted), 1)

    def test_shift_jis_request_gets_a_shift_jis_result(self):
        p = self.persons(1, validity="1")[0]
        self.gateway.drop("OQSsiquc01req_202611250002.xml", single_request(p, "202611250002", encoding="Shift_JIS"))
        data = self.gateway.result("OQSsiquc01res_202611250002.xml")
        self.assertIn(b'encoding="Shift_JIS"', data[:100])
        self.assertEqual(parse(data).find("MessageHeader/CharacterCodeIdentifier").text, "1")
        name = p["name"].replace("〓", "")
        self.assertIn(name.split("\u3000")[0].encode("cp932"), data)  # the family name, in CP932 bytes
        self.assertEqual(text(parse(data), "MessageBody/ResultList/ResultOfQualificationConfirmation/Name"), p["name"])

    def test_unknown_person_is_answered_not_found(self):
        p = dict(self.persons(1, validity="1")[0])
        p["cardNumber"] = "99999999"
        self.gateway.drop("OQSsiquc01req_202611250003.xml", single_request(p, "202611250003"))
        root = parse(self.gateway.result("OQSsiquc01res_202611250003.xml"))
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "4")

    def reject(self, name, data, code):
        self.gateway.drop(name, data)
        err = name.rsplit(".", 1)[0] + ".err"
        root = parse(self.gateway.result(err))
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "9", name)
        self.assertEqual(text(root, "MessageHeader/ErrorCode"), code, name)
        self.assertTrue(text(root, "MessageHeader/ErrorMessage"), name)
        return root

    def test_bad_input_gets_clear_spec_errors_and_the_gateway_keeps_serving(self):
        p = self.persons(1, validity="1")[0]
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><XmlMsg>&lol3;</XmlMsg>').encode()
        external = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                    '<XmlMsg>&xxe;</XmlMsg>').encode()
        bad_digit = dict(p, insurerNumber=p["insurerNumber"].strip()[:-1] +
                         str((int(p["insurerNumber"].strip()[-1]) + 1) % 10))
        cases = [
            ("OQSsiquc01req_900000000001.xml", b"<XmlMsg><MessageHeader>", "KKH-E1001"),
            ("OQSsiquc01req_900000000002.xml", laughs, "KKH-E1002"),
            ("OQSsiquc01req_900000000003.xml", external, "KKH-E1002"),
            ("OQSsiquc01req_900000000004.xml", b"", "KKH-E1005"),
            ("OQSsiquc01req_900000000005.xml", '<?xml version="1.0" encoding="UTF-8"?><XmlMsg>山田</XmlMsg>'.encode("cp932"),
             "KKH-E1006"),
            ("OQSsiquc01req_900000000006.xml", single_request(bad_digit, "900000000006"), "KKH-E1008"),
            ("OQSsiquc01req_900000000007.xml", single_request(p, "900000000007", institution=OTHER_INSTITUTION),
             "KKH-E1011"),
            ("notes.txt", b"hello", "KKH-E1009"),
            ("OQSsiquc01req_..evil.xml", b"<XmlMsg/>", "KKH-E1009"),
        ]
        for name, data, code in cases:
            with self.subTest(name=name):
                root = self.reject(name, data, code)
                if code == "KKH-E1008":
                    self.assertIn("InsurerNumber", text(root, "MessageHeader/ErrorMessage"))
        quarantine = os.listdir(os.path.join(self.gateway.share, "quarantine"))
        self.assertTrue(any("900000000001" in q for q in quarantine), quarantine)
        self.assertTrue(any(q.endswith("_notes.txt") for q in quarantine), quarantine)
        # A 50 MB file is refused without being read into memory whole.
        big = os.path.join(self.gateway.share, "req", "OQSsiquc01req_900000000008.xml")
        with open(big, "wb") as f:
            f.write(b"<XmlMsg>" + b" " * (50 * 1024 * 1024) + b"</XmlMsg>")
        root = parse(self.gateway.result("OQSsiquc01req_900000000008.err", timeout=60))
        self.assertEqual(text(root, "MessageHeader/ErrorCode"), "KKH-E1003")
        # Still alive, still answering.
        self.assertTrue(self.gateway.alive())
        self.gateway.drop("OQSsiquc01req_202611250009.xml", single_request(p, "202611250009"))
        root = parse(self.gateway.result("OQSsiquc01res_202611250009.xml"))
        self.assertEqual(text(root, "MessageBody/QualificationValidity"), "1")

    def test_a_file_written_slowly_is_taken_only_when_complete(self):
        p = self.persons(1, validity="1")[0]
        data = single_request(p, "202611250010")
        path = os.path.join(self.gateway.share, "req", "OQSsiquc01req_202611250010.xml")
        with open(path, "wb") as f:
            for i in range(0, len(data), 64):
                f.write(data[i:i + 64])
                f.flush()
                time.sleep(0.02)
        root = parse(self.gateway.result("OQSsiquc01res_202611250010.xml"))
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")


if __name__ == "__main__":
    main()

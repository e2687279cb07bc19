"""The conformance corpus (tests/fixtures/interface/, each file naming the public client whose field list it
follows), against the real gateway and the central simulator.

Requests are dropped into req/ byte for byte, the way those clients write them: Shift_JIS or UTF-8, their element
order, `standalone="no"`, no Birthdate for YZK/TKK. Each is answered under a name a client waiting for its
identifier finds; a second phase follows the reception number its first phase was given until it is no longer 処理中.

Results: the simulator serves the corpus's real-shaped results (/sim/canned), and what reaches the receipt computer
holds the same elements, values, order and record count — from the link, and again from the cache in an outage."""
import os
import re
import xml.etree.ElementTree as ET

from harness import INSTITUTION, IntegrationTest, SOURCE, main, parse, text, wait_until

FIXTURES = os.path.join(SOURCE, "tests", "fixtures", "interface")
CORPUS = os.path.join(FIXTURES, "requests")

# What each first-phase request is answered with: "result" (a result document under the res name), "refusal"
# (a request-level refusal: a copy of the request and a .err beside it), "reception" (a reception number to follow).
FIRST_PHASE = {
    "OQSsiquc01req_202611240001.xml": "result",
    "OQSsiquc01req_202611240002.xml": "result",
    "OQSsiquc01req_202611240011.xml": "refusal",   # an impossible birth date
    "OQSsiquc01req_202611240012.xml": "refusal",   # no Birthdate
    "YZKsiquc01req_02261124103012340.xml": "result",  # refused for want of consent, in the result's own shape
    "YZKsiquc01req_01261124103512340.xml": "result",
    "TKKsiquc01req_02261124103112340.xml": "result",
    "OQSmuquc01req_202611240003.xml": "reception",
    "OQSmutic01req_202611240005.xml": "reception",
    "OQSmuimm01req_202611240007.xml": "reception",
    "OQSmuhvq01req_202611240009.xml": "reception",
    "OQSmuonq01req_202611240013.xml": "reception",
}
# Second phases: the request, and the first phase whose reception number it asks for.
SECOND_PHASE = {
    "OQSmuquc02req_202611240004.xml": "OQSmuquc01req_202611240003.xml",
    "OQSmutic02req_202611240006.xml": "OQSmutic01req_202611240005.xml",
    "OQSmuimm02req_202611240008.xml": "OQSmuimm01req_202611240007.xml",
}


def fixture(name):
    with open(os.path.join(CORPUS, name), "rb") as f:
        return f.read()


def result_text(name):
    """A result fixture as the link carries it: UTF-8, declared so."""
    with open(os.path.join(FIXTURES, "results", name), "rb") as f:
        raw = f.read()
    if re.match(rb'<\?xml[^>]*encoding="Shift_JIS"', raw):
        return raw.decode("cp932").replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
    return raw.decode("utf-8")


def same_tree(test, got, want, where=""):
    """Element by element: names, text (surrounding white space aside) and children, in order."""
    here = where + "/" + want.tag
    test.assertEqual(got.tag, want.tag, here)
    test.assertEqual((got.text or "").strip(), (want.text or "").strip(), here)
    test.assertEqual([c.tag for c in got], [c.tag for c in want], here)
    for g, w in zip(got, want):
        same_tree(test, g, w, here)


def identifier(name):
    return name.split("_", 1)[1].rsplit(".", 1)[0]


class InterfaceConformanceTest(IntegrationTest):
    def answer_to(self, name, timeout=60):
        """What a watcher that knows only the request's identifier finds in res/: the result (any extension) or
        the .err of a refusal; never the copy of the request kept beside a .err."""
        res = os.path.join(self.gateway.share, "res")
        wanted = identifier(name)

        def found():
            for entry in sorted(os.listdir(res)):
                if entry.startswith(".") or identifier(entry) != wanted or entry == name:
                    continue
                return entry
            return None
        entry = wait_until(found, timeout, "an answer to " + name, 0.05)
        with open(os.path.join(res, entry), "rb") as f:
            return entry, f.read()

    def test_every_request_in_the_corpus_is_answered(self):
        # Every file of the corpus is in one of the two tables: a new fixture must say what it is answered with.
        self.assertEqual(sorted(os.listdir(CORPUS)), sorted(list(FIRST_PHASE) + list(SECOND_PHASE)))
        receptions = {}
        for name, expected in FIRST_PHASE.items():
            with self.subTest(request=name):
                data = fixture(name)
                self.gateway.drop(name, data)
                entry, body = self.answer_to(name)
                if expected == "refusal":
                    self.assertEqual(entry, name.rsplit(".", 1)[0] + ".err")
                    root = parse(body)
                    self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "9")
                    self.assertTrue(text(root, "MessageHeader/ErrorMessage"))
                    continue
                self.assertEqual(entry, name.replace("req_", "res_", 1), "answered as %s" % entry)
                # The answer is written in the encoding the request was written in.
                declared = re.search(rb'encoding="([^"]+)"', data[:120]).group(1).lower()
                self.assertIn(re.search(rb'encoding="([^"]+)"', body[:120]).group(1).lower(), {declared})
                root = parse(body)
                if expected == "reception":
                    self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
                    self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
                    receptions[name] = text(root, "MessageBody/ReceptionNumber")
                    self.assertTrue(receptions[name])
                elif name.startswith("OQS"):
                    self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
                else:
                    # Medication / checkup: ResultCode and MessageContents, as OQSDrug2 reads them.
                    self.assertTrue(root.findall(".//ResultCode"), "no ResultCode in " + entry)
                    self.assertTrue(root.findall(".//MessageContents"), "no MessageContents in " + entry)

        for name, first in SECOND_PHASE.items():
            with self.subTest(request=name):
                original = re.search(rb"<ReceptionNumber>([^<]*)</ReceptionNumber>", fixture(name)).group(1)
                data = fixture(name).replace(original, receptions[first].encode())
                seq = [0]

                def done():
                    # A new name each time, as receipt computers do: <id> + a counter.
                    seq[0] += 1
                    again = name.replace(".xml", "%02d.xml" % seq[0])
                    self.gateway.drop(again, data)
                    entry, body = self.answer_to(again)
                    self.assertEqual(entry, again.replace("req_", "res_", 1), "answered as %s" % entry)
                    root = parse(body)
                    segment = text(root, "MessageHeader/SegmentOfResult")
                    self.assertIn(segment, ("1", "2"))
                    return root if segment == "1" else None
                root = wait_until(done, 120, "the second phase of " + first, 0.2)
                self.assertEqual(text(root, "MessageHeader/ReceptionNumber") or text(root, "MessageBody/ReceptionNumber"),
                                 receptions[first])
                units = root.findall("MessageBody/BulkConfirmUnit") + root.findall("MessageBody/BulkRegistrationUnit")
                self.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), str(len(units)))
                if first.startswith("OQSmutic"):
                    # Every unit holds the person's 医療扶助 record (A1) with its BeneficiaryNumber.
                    self.assertTrue(units, "no 医療扶助 person in the month")
                    for u in units:
                        aid = [r for r in u.iter("ResultOfQualificationConfirmation")
                               if text(r, "InsuredCardClassification") == "A1"]
                        self.assertTrue(aid and text(aid[0], "BeneficiaryNumber"))


    def test_real_shaped_single_results_reach_the_client_whole_from_the_link_and_from_the_cache(self):
        cases = [  # result fixture, the request that asks for it, the card the simulator serves it for
            ("OQSsiquc01res_202611240001.xml", "OQSsiquc01req_202611240001.xml",
             {"insurerNumber": "06132047", "cardNumber": "3021", "branchNumber": "01"}),
            ("OQSsiquc01res_202611240002.xml", "OQSsiquc01req_202611240002.xml",
             {"insurerNumber": "  138073", "cardNumber": "004567"}),
        ]
        for result, request, card in cases:
            self.sim.control("POST", "/sim/canned", dict(card, xml=result_text(result)))
        want = {r: ET.fromstring(result_text(r).encode("utf-8")).find("MessageBody") for r, _, _ in cases}
        hits = lambda: sorted(c["hits"] for c in self.sim.control("GET", "/sim/canned")["canned"])  # noqa: E731
        for round_, suffix in (("link", ""), ("cache", "9")):
            if round_ == "cache":
                self.assertEqual(hits(), [1, 1])
                self.sim.faults(outage=True)
            for result, request, _ in cases:
                with self.subTest(result=result, path=round_):
                    name = request.replace(".xml", suffix + ".xml")
                    self.gateway.drop(name, fixture(request))
                    entry, body = self.answer_to(name)
                    self.assertEqual(entry, name.replace("req_", "res_", 1))
                    root = parse(body)
                    self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
                    same_tree(self, root.find("MessageBody"), want[result])
        self.assertEqual(hits(), [1, 1], "the second round was not answered from the cache")

    def test_real_shaped_batch_units_reach_the_client_whole(self):
        fixture_result = result_text("OQSmuquc02res_202611240004.xml")
        units = re.findall(r"<BulkConfirmUnit>.*?</BulkConfirmUnit>", fixture_result, re.S)
        for unit in units:
            search = ET.fromstring(unit).find("QualificationConfirmSearchInfo")
            self.sim.control("POST", "/sim/canned", {"kind": "batch", "insurerNumber": text(search, "InsurerNumber"),
                                                     "cardNumber": text(search, "InsuredIdentificationNumber"),
                                                     "xml": unit})
        upload = "OQSmuquc01req_202611240003.xml"
        self.gateway.drop(upload, fixture(upload))
        reception = text(parse(self.answer_to(upload)[1]), "MessageBody/ReceptionNumber")
        seq = [0]

        def done():
            seq[0] += 1
            name = "OQSmuquc02req_2026112400%02d.xml" % (40 + seq[0])
            self.gateway.drop(name, re.sub(rb"<ReceptionNumber>[^<]*</ReceptionNumber>",
                                           b"<ReceptionNumber>" + reception.encode() + b"</ReceptionNumber>",
                                           fixture("OQSmuquc02req_202611240004.xml")))
            root = parse(self.answer_to(name)[1])
            return root if text(root, "MessageHeader/SegmentOfResult") == "1" else None
        root = wait_until(done, 120, "the batch result", 0.2)
        got = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(len(got), len(units))
        for g, w in zip(got, units):
            same_tree(self, g, ET.fromstring(w))


class ResultEncodingTest(IntegrationTest):
    """A share set to answer in Shift_JIS, as a terminal serving programs that read nothing else is."""
    gateway_options = {"fileDrop": {"resultEncoding": "shift_jis"}}

    def test_a_utf8_request_is_answered_in_shift_jis_results_and_refusals_alike(self):
        for name, answer in (("OQSsiquc01req_202611240001.xml", "OQSsiquc01res_202611240001.xml"),
                             ("OQSsiquc01req_202611240012.xml", "OQSsiquc01req_202611240012.err")):
            with self.subTest(request=name):
                self.assertIn(b'encoding="UTF-8"', fixture(name)[:100])
                self.gateway.drop(name, fixture(name))
                body = self.gateway.result(answer)
                self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="Shift_JIS"'), body[:80])
                body.decode("cp932")
                self.assertEqual(text(parse(body), "MessageHeader/CharacterCodeIdentifier"), "1")


if __name__ == "__main__":
    main()

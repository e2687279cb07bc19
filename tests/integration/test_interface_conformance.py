"""The conformance corpus (tests/fixtures/interface/requests/, each file naming the public client whose field list it
follows) dropped into req/ byte for byte, the way those clients write it: Shift_JIS or UTF-8, their element order,
`standalone="no"`, no Birthdate for YZK/TKK. Each request is answered under a name a client waiting for its
identifier finds; a second phase follows the reception number its first phase was given, until it is no longer
処理中."""
import os
import re

from harness import INSTITUTION, IntegrationTest, SOURCE, main, parse, text, wait_until

CORPUS = os.path.join(SOURCE, "tests", "fixtures", "interface", "requests")

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


if __name__ == "__main__":
    main()

"""Shared steps of the batch tests: upload a batch file, then ask for its result until it is ready."""
import time

from harness import batch_download, batch_upload, parse, text, wait_until


def upload(gateway, persons, file_id):
    gateway.drop("OQSmuquc01req_%s.xml" % file_id, batch_upload(persons, file_id))
    root = parse(gateway.result("OQSmuquc01res_%s.xml" % file_id, timeout=120))
    reception = text(root, "MessageBody/ReceptionNumber")
    assert reception, "no reception number in the upload result"
    return reception


def download(gateway, reception, timeout=180, first_seq=1):
    """Drop 02req files (a new name each time, as receipt computers do) until SegmentOfResult is 1."""
    seq = [first_seq]

    def ready():
        file_id = "D%011d" % seq[0]
        seq[0] += 1
        gateway.drop("OQSmuquc02req_%s.xml" % file_id, batch_download(reception, file_id))
        root = parse(gateway.result("OQSmuquc02res_%s.xml" % file_id, timeout=60))
        segment = text(root, "MessageHeader/SegmentOfResult")
        if segment == "1":
            return root
        assert segment == "2", "unexpected segment " + segment
        time.sleep(0.5)
        return None

    return wait_until(ready, timeout, "the batch result", interval=0)


def check_units(test, root, persons, reception=None):
    """Every entry answered exactly once, in order, each with the right person's answer: the count alone
    would miss an entry answered twice in place of a lost one, and the identifiers alone an answer filed
    under another entry (the gateway writes each entry's own inquiry back, so the answer itself is compared
    with the person: insured number and birth date, whatever the person's validity)."""
    units = root.findall("MessageBody/BulkConfirmUnit")
    ids = [text(u, "QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units]
    test.assertEqual(len(units), len(persons))
    test.assertEqual(ids, ["E%05d" % i for i in range(len(persons))])
    test.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
    test.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), str(len(persons)))
    test.assertEqual(text(root, "MessageHeader/NumberOfNormalProcessing"), str(len(persons)))
    test.assertEqual(text(root, "MessageHeader/NumberOfError"), "0")
    if reception is not None:
        test.assertEqual(text(root, "MessageHeader/ReceptionNumber"), reception)
    for i, (p, u) in enumerate(zip(persons, units)):
        test.assertEqual(text(u, "QualificationConfirmSearchInfo/InsuredIdentificationNumber"), p["cardNumber"])
        test.assertEqual(text(u, "QualificationConfirmSearchInfo/Birthdate"), p["birthDate"])
        test.assertEqual(text(u, "ProcessingResultStatus"), "1")
        test.assertEqual(text(u, "QualificationValidity"), p["validity"])
        # A unit holds one record per qualification (insurance and 医療扶助); the card's number is in the
        # insurance record, a 医療扶助 record carries its BeneficiaryNumber instead.
        records = u.findall("ResultOfQualificationConfirmation")
        if p["validity"] in ("1", "2"):
            test.assertTrue(records, "no answer for entry %d" % i)
        for r in records:
            test.assertEqual(text(r, "Birthdate") or p["birthDate"], p["birthDate"])
        if records:
            numbers = [text(r, "InsuredIdentificationNumber") or text(r, "BeneficiaryNumber") for r in records]
            test.assertIn(p["cardNumber"], numbers)
        if p["validity"] == "1":
            test.assertTrue(all(text(r, "Name") == p["name"] for r in records))


def check_entries(test, body, persons):
    """The same for a batch answered over HTTP (GET /api/v1/eligibility/batches/{id} once done)."""
    entries = body["entries"]
    test.assertEqual((body["status"], body["entryCount"], len(entries)), ("done", len(persons), len(persons)))
    test.assertEqual([e["arbitraryIdentifier"] for e in entries], ["E%05d" % i for i in range(len(persons))])
    for i, (p, e) in enumerate(zip(persons, entries)):
        test.assertEqual(e["processingResult"]["status"], "1")
        test.assertEqual(e["qualificationValidity"], p["validity"])
        found = e.get("eligibility")
        if p["validity"] in ("1", "2"):
            test.assertIsNotNone(found, "no answer for entry %d" % i)
        if found is not None:
            # A person with 医療扶助 only has no insurance record: the card's number is the BeneficiaryNumber.
            number = found.get("cardNumber") or found.get("medicalAid", {}).get("beneficiaryNumber")
            test.assertEqual((number, found.get("birthDate", p["birthDate"])), (p["cardNumber"], p["birthDate"]))
        if p["validity"] == "1":
            test.assertEqual(found["name"], p["name"])

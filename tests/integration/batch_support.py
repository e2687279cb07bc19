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


def check_units(test, root, persons):
    """Every entry answered exactly once, in order, each with the right person's answer."""
    units = root.findall("MessageBody/BulkConfirmUnit")
    ids = [text(u, "QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units]
    test.assertEqual(len(units), len(persons))
    test.assertEqual(ids, ["E%05d" % i for i in range(len(persons))])
    test.assertEqual(text(root, "MessageHeader/NumberOfProcessingResult"), str(len(persons)))
    for p, u in zip(persons, units):
        test.assertEqual(text(u, "ProcessingResultStatus"), "1")
        test.assertEqual(text(u, "QualificationValidity"), p["validity"])
        if p["validity"] == "1":
            # Every record of the unit (insurance and 医療扶助) names the person; the card's number is in the
            # insurance record, a 医療扶助 record carries its BeneficiaryNumber instead.
            records = u.findall("ResultOfQualificationConfirmation")
            test.assertTrue(records, "a unit without a record")
            test.assertTrue(all(text(r, "Name") == p["name"] for r in records))
            numbers = [text(r, "InsuredIdentificationNumber") or text(r, "BeneficiaryNumber") for r in records]
            test.assertIn(p["cardNumber"], numbers)

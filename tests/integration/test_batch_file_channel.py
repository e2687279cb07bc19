"""一括照会: a 2,000-entry batch file is uploaded, polled, and answered entry by entry; with
fileDrop.faceExportBatches every qualification found is also written to face/."""
import os

from batch_support import check_units, download, upload
from harness import INSTITUTION, IntegrationTest, main, parse, text, wait_until


class BatchFileTest(IntegrationTest):
    sim_options = {"batch_delay_ms": 1500}

    def test_2000_entry_batch_is_answered_entry_by_entry(self):
        persons = self.persons(2000)
        reception = upload(self.gateway, persons, "202611250100")
        root = download(self.gateway, reception)
        check_units(self, root, persons)
        uploads = [r for r in self.sim.requests() if r["method"] == "POST" and r["path"] == "/v1/qualifications/batches"]
        self.assertEqual(len(uploads), 4, "2,000 entries in chunks of 500")
        self.assertTrue(all(r["acted"] and r["timesSeen"] == 1 for r in uploads))


class FaceExportTest(IntegrationTest):
    gateway_options = {"fileDrop": {"faceExportBatches": True, "faceConsumers": ["chart"]}}

    def test_every_qualification_found_by_a_batch_is_also_a_face_file(self):
        found = self.persons(3, validity="1")
        missing = self.persons(1, validity="4")
        reception = upload(self.gateway, found + missing, "202611250200")
        check_units(self, download(self.gateway, reception), found + missing)
        folder = os.path.join(self.gateway.share, "face", "chart")
        names = wait_until(lambda: [n for n in sorted(os.listdir(folder)) if not n.startswith(".")]
                           if os.path.isdir(folder) and len(os.listdir(folder)) >= 3 else None,
                           30, "three face files")
        numbers = []
        for name in names:
            self.assertTrue(name.startswith("OQSsiquc01res_face_" + INSTITUTION), name)
            with open(os.path.join(folder, name), "rb") as f:
                root = parse(f.read())
            self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "1")
            self.assertEqual(text(root, "MessageHeader/ReferenceClassification"), "2")  # by insured number
            self.assertEqual(text(root, "MessageHeader/MedicalInstitutionCode"), INSTITUTION)
            numbers.append(text(root, "MessageBody/ResultList/ResultOfQualificationConfirmation/InsuredIdentificationNumber"))
        # One per person found, none for the person without a qualification.
        self.assertEqual(sorted(numbers), sorted(p["cardNumber"] for p in found))


if __name__ == "__main__":
    main()

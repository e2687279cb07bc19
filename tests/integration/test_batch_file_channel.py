"""一括照会: a 2,000-entry batch file is uploaded, polled, and answered entry by entry."""
from batch_support import check_units, download, upload
from harness import IntegrationTest, main


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


if __name__ == "__main__":
    main()

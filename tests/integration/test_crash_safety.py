"""Nothing lost, nothing duplicated: the gateway is killed with SIGKILL at random moments while a
2,000-entry batch is taken, sent upstream in chunks and polled; in the end every entry is answered exactly
once and the simulator's log shows no request acted on twice and no chunk sent under two request ids."""
import collections
import os
import random
import time

from batch_support import check_units, download
from harness import IntegrationTest, batch_upload, main, parse, text

KILLS = 24


class CrashSafetyTest(IntegrationTest):
    sim_options = {"batch_delay_ms": 5000}
    gateway_options = {"batch": {"chunkSize": 100}}

    def test_sigkill_at_random_moments_loses_and_duplicates_nothing(self):
        rng = random.Random(int(os.environ.get("KAKEHASHI_CRASH_SEED", time.time())))
        persons = self.persons(2000)
        file_id = "202611250200"
        self.gateway.drop("OQSmuquc01req_%s.xml" % file_id, batch_upload(persons, file_id))
        res_path = os.path.join(self.gateway.share, "res", "OQSmuquc01res_%s.xml" % file_id)
        moments = []
        for _ in range(KILLS):
            pause = rng.uniform(0.02, 0.6)
            time.sleep(pause)
            moments.append(round(pause, 3))
            self.gateway.kill()
            self.gateway.start()
        print("killed after", moments, "s of uptime each")
        reception = text(parse(self.gateway.result(os.path.basename(res_path), timeout=60)), "MessageBody/ReceptionNumber")
        root = download(self.gateway, reception)
        check_units(self, root, persons)

        # The request file was taken exactly once and answered with one reception number.
        self.assertFalse(os.listdir(os.path.join(self.gateway.share, "req")))
        uploads = [f for f in os.listdir(os.path.join(self.gateway.share, "res")) if f.startswith("OQSmuquc01res")]
        self.assertEqual(uploads, ["OQSmuquc01res_%s.xml" % file_id])
        for name in os.listdir(os.path.join(self.gateway.share, "res")):
            self.assertFalse(name.startswith("."), "a temporary file was left behind: " + name)

        # Upstream: 20 chunks, each sent under exactly one request id, each id acted on once.
        posts = [r for r in self.sim.requests() if r["method"] == "POST" and r["path"] == "/v1/qualifications/batches"]
        self.assertTrue(all(r["acted"] for r in posts if r["firstStatus"] < 500))
        by_body = collections.Counter(r["bodySha256"] for r in posts if r["acted"])
        self.assertEqual(len(by_body), 20, "2,000 entries in chunks of 100")
        self.assertEqual(max(by_body.values()), 1, "a chunk was sent upstream under two request ids")
        replays = sum(r["timesSeen"] - 1 for r in posts)
        print("upstream uploads: %d, replayed after a crash: %d" % (len(posts), replays))


if __name__ == "__main__":
    main()

"""Nothing lost, nothing duplicated: the gateway is killed with SIGKILL at 100 random moments during a
10,000-entry batch — while it takes the batch (a file in req/, or a POST with an Idempotency-Key that the
client sends again after each kill that cost it its answer), sends the chunks upstream, polls them, and
answers. In the end every entry is answered exactly once, the batch exists once, and the simulator's log
shows each chunk acted on once and never sent under two request ids.

The pauses are random: the seed is printed first, and KAKEHASHI_CRASH_SEED=<seed> replays the same pauses.
"""
import collections
import http.client
import json
import os
import random
import sqlite3
import threading
import time

from batch_support import check_entries, check_units
from harness import IntegrationTest, batch_download, batch_upload, inquiry_json, main, parse, send, text, wait_until

KILLS = 100
ENTRIES = 10000
CHUNK = 100  # 100 chunks, each uploaded, polled and answered on its own: a hundred small steps to cut short
CHUNKS = ENTRIES // CHUNK
UPLOAD_PATH = "/v1/qualifications/batches"


class Phase:
    """One step of a batch's life, told by an event: `active()` is true while it lasts. It gets at most
    `quota` kills, each after a pause drawn from `pause` (seconds of uptime after the gateway is ready)."""

    def __init__(self, name, quota, pause, active):
        self.name, self.quota, self.pause, self.active = name, quota, pause, active


class Client(threading.Thread):
    """What the clinic's system does meanwhile, in a thread beside the kills (`body()`, in each test). A
    failed check ends it; the test raises that failure again as soon as it looks (`check`)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.error = None
        self.finish = threading.Event()   # set after the last kill: one more complete answer, then stop
        self.complete = 0                 # complete answers received, each checked entry by entry

    def run(self):
        try:
            self.body()
        except BaseException as e:
            self.error = e

    def check(self):
        """Raises what ended the client's run, at once, rather than letting the test wait for it."""
        if self.error is not None:
            raise self.error

    def join_checked(self, test, timeout):
        self.join(timeout)
        self.check()
        test.assertFalse(self.is_alive(), "the client did not get its last answer")


def seed_of(name):
    seed = int(os.environ.get("KAKEHASHI_CRASH_SEED", int(time.time() * 1000) % 10 ** 9))
    print("\n%s: seed %d (replay with KAKEHASHI_CRASH_SEED=%d)" % (name, seed, seed), flush=True)
    return seed


class CrashSafetyTest(IntegrationTest):
    # Chunks are ready 4 s after their upload: polls find some chunks still processing and some ready
    # while later chunks are still being uploaded.
    sim_options = {"batch_delay_ms": 4000}
    gateway_options = {"batch": {"chunkSize": CHUNK, "maxEntries": ENTRIES}}

    def setUp(self):
        self.started = time.time()
        super().setUp()
        # A round trip to the central system over the VPN: each upload and poll is in flight long enough
        # for kills to land while the central system acts on a request whose answer the gateway never gets.
        self.sim.faults(latencyMs=30)

    # --- shared steps -------------------------------------------------------------------------------

    def uploads(self):
        return [r for r in self.sim.requests() if r["method"] == "POST" and r["path"] == UPLOAD_PATH]

    def uploading(self):
        return len({r["bodySha256"] for r in self.uploads() if r["acted"]}) < CHUNKS

    def kill_at_random_moments(self, rng, client, phases):
        """KILLS kills, phase by phase: a phase takes at most its quota, then the gateway is left alone until
        the phase is over, so the batch always moves on; the last phase takes what is left. Each kill is
        counted under the phase it interrupted, as seen just before it. Returns, for each phase, its kills
        and how long it lasted."""
        counts = collections.Counter()
        spans = {}

        def current():
            return next((p.name for p in phases[:-1] if p.active()), phases[-1].name)

        def over(phase):
            client.check()
            return not phase.active()

        for n, phase in enumerate(phases):
            began = time.time()
            last = n == len(phases) - 1
            quota = KILLS - sum(counts.values()) if last else phase.quota
            for _ in range(quota):
                client.check()
                if not last and over(phase):
                    break
                time.sleep(rng.uniform(*phase.pause))  # the random moment of the kill
                counts[current()] += 1
                self.gateway.kill()
                self.gateway.start()  # returns once the gateway answers /readyz again
            if not last:
                wait_until(lambda: over(phase), 300, phase.name + " to end", interval=0.2)
            spans[phase.name] = time.time() - began
        self.assertEqual(sum(counts.values()), KILLS)
        return [(p.name, counts[p.name], spans[p.name]) for p in phases]

    def check_upstream(self):
        """Each chunk acted on once upstream, under one request id; every resend after a crash a replay."""
        posts = self.uploads()
        self.assertTrue(all(r["acted"] for r in posts), "an upload was never acted on")
        self.assertFalse([r for r in posts if r["conflicts"]], "a request id was reused for another body")
        ids_per_chunk = collections.Counter(r["bodySha256"] for r in posts)
        self.assertEqual(len(ids_per_chunk), CHUNKS, "10,000 entries in chunks of 100")
        self.assertEqual(max(ids_per_chunk.values()), 1, "a chunk was sent upstream under two request ids")
        return len(posts), sum(r["timesSeen"] - 1 for r in posts)

    def database(self):
        return sqlite3.connect(os.path.join(self.gateway.config["stateDir"], "kakehashi.db"))

    def check_stored_batch(self):
        """The one batch, every entry with its result and every chunk done (read after a clean stop).
        Returns the batch's origin and the inbound files (id, name, state)."""
        db = self.database()
        try:
            batches = db.execute("SELECT id, origin, state, entry_count FROM batches").fetchall()
            self.assertEqual(len(batches), 1, "exactly one batch: %r" % batches)
            batch_id, origin, state, count = batches[0]
            self.assertEqual((state, count), ("done", ENTRIES))
            self.assertEqual(db.execute("SELECT COUNT(*), COUNT(result_sealed), COUNT(DISTINCT entry_no) "
                                        "FROM batch_entries WHERE batch_id = ?", (batch_id,)).fetchone(),
                             (ENTRIES, ENTRIES, ENTRIES))
            self.assertEqual(db.execute("SELECT COUNT(*) FROM batch_chunks WHERE batch_id = ? AND state = 'done'",
                                        (batch_id,)).fetchone()[0], CHUNKS)
            return origin, db.execute("SELECT id, name, state FROM inbound_files ORDER BY id").fetchall()
        finally:
            db.close()

    def report(self, channel, seed, phases, answers, posts, replays, extra=""):
        print("%s: seed %d, %d kills in %.0f s (%s); %.0f s in all; %d complete answers checked; %d uploads "
              "upstream, %d of them replayed after a crash%s"
              % (channel, seed, sum(k for _, k, _ in phases), sum(s for _, _, s in phases),
                 ", ".join("%s: %d in %.0f s" % p for p in phases), time.time() - self.started, answers, posts,
                 replays, extra), flush=True)

    # --- the file channel ---------------------------------------------------------------------------

    def test_file_batch_survives_100_sigkills(self):
        seed = seed_of("file channel")
        rng = random.Random(seed)
        persons = self.persons(ENTRIES)
        file_id = "202611250200"
        share = self.gateway.share
        accepted = os.path.join(share, "res", "OQSmuquc01res_%s.xml" % file_id)
        test = self

        class ReceiptComputer(Client):
            """Waits for the reception number, then asks for the result (02req, a new name each time, as
            receipt computers do) until told to stop, checking every complete result."""

            def __init__(self):
                super().__init__()
                self.downloads = 0

            def body(self):
                wait_until(lambda: os.path.exists(accepted), 300, "the upload's answer")
                with open(accepted, "rb") as f:
                    self.reception = text(parse(f.read()), "MessageBody/ReceptionNumber")
                test.assertTrue(self.reception)
                while True:
                    last = self.finish.is_set()
                    self.downloads += 1
                    name = "D%011d" % self.downloads
                    test.gateway.drop("OQSmuquc02req_%s.xml" % name, batch_download(self.reception, name))
                    root = parse(test.gateway.result("OQSmuquc02res_%s.xml" % name, timeout=300))
                    if text(root, "MessageHeader/SegmentOfResult") == "1":
                        check_units(test, root, persons, self.reception)
                        self.complete += 1
                        if last:
                            return
                    else:
                        test.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "2")
                        time.sleep(0.25)  # polling for the result, as receipt computers do

        client = ReceiptComputer()
        client.start()
        self.gateway.drop("OQSmuquc01req_%s.xml" % file_id, batch_upload(persons, file_id))
        phases = self.kill_at_random_moments(rng, client, [
            Phase("taking the file", 8, (0.01, 0.6), lambda: not os.path.exists(accepted)),
            Phase("uploading", 30, (0.02, 0.4), self.uploading),
            Phase("polling", 30, (0.05, 0.8), lambda: client.complete == 0),
            Phase("answering", None, (0.05, 1.0), None),
        ])
        client.finish.set()
        client.join_checked(self, 300)
        self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")

        # The request file was taken once and answered with one reception number; every download once.
        self.assertEqual(os.listdir(os.path.join(share, "req")), [])
        origin, inbound = self.check_stored_batch()
        taken = [(i, n) for i, n, _ in inbound if n.startswith("OQSmuquc01req")]
        self.assertEqual([n for _, n in taken], ["OQSmuquc01req_%s.xml" % file_id], "the request file taken once")
        self.assertEqual(origin, "file:%d" % taken[0][0])
        self.assertEqual(len(inbound), 1 + client.downloads, "each download request taken once")
        self.assertEqual({s for _, _, s in inbound}, {"answered"})
        results = sorted(os.listdir(os.path.join(share, "res")))
        expected = ["OQSmuquc01res_%s.xml" % file_id] + ["OQSmuquc02res_D%011d.xml" % i
                                                          for i in range(1, client.downloads + 1)]
        self.assertEqual(results, sorted(expected), "a temporary, a refusal or a stray answer was left in res/")
        self.assertEqual(os.listdir(os.path.join(share, "quarantine")), [])

        posts, replays = self.check_upstream()
        self.report("file channel", seed, phases, client.complete, posts, replays,
                    ", %d download requests" % client.downloads)

    # --- the HTTP API -------------------------------------------------------------------------------

    def test_http_batch_survives_100_sigkills(self):
        seed = seed_of("HTTP API")
        rng = random.Random(seed)
        persons = self.persons(ENTRIES)
        payload = json.dumps({"entries": [inquiry_json(p, "E%05d" % i) for i, p in enumerate(persons)]}).encode()
        key = "crash-%d" % seed
        test = self

        class ClinicSystem(Client):
            """Posts the batch until it gets an answer (the same Idempotency-Key each time), then asks for
            the result until told to stop, checking every complete result, and at last posts once more."""

            def __init__(self):
                super().__init__()
                self.posts = 0
                self.receptions = set()

            def back(self):
                """Waits for the gateway to answer again after a kill."""
                wait_until(lambda: self.call("GET", "/readyz") == (200, {"status": "ready"}), 60, "the gateway")

            def call(self, method, path, raw=None, headers=None):
                """One request; None when the gateway went away before answering (killed, or not yet back)."""
                h = {"Authorization": "Bearer " + test.gateway.token}
                h.update(headers or {})
                conn = test.gateway.connection()
                try:
                    res, body = send(conn, method, path, h, raw=raw)
                except (OSError, http.client.HTTPException):
                    return None
                finally:
                    conn.close()
                if res.status >= 500:
                    return None
                return res.status, json.loads(body)

            def post(self):
                """Until answered: a kill that cost the answer leaves the client not knowing whether the
                batch was taken, so it posts the same batch with the same key again."""
                while True:
                    self.posts += 1
                    answer = self.call("POST", "/api/v1/eligibility/batches", raw=payload,
                                       headers={"Idempotency-Key": key, "Content-Type": "application/json"})
                    if answer is not None:
                        test.assertEqual(answer[0], 202, answer[1])
                        self.receptions.add(answer[1]["receptionNumber"])
                        return answer[1]["receptionNumber"]
                    self.back()

            def body(self):
                reception = self.post()
                while True:
                    last = self.finish.is_set()
                    answer = self.call("GET", "/api/v1/eligibility/batches/" + reception)
                    if answer is None:
                        self.back()
                        continue
                    status, body = answer
                    if status == 200:
                        check_entries(test, body, persons)
                        self.complete += 1
                        if last:
                            self.post()  # once more, long after: still the same batch
                            return
                    else:
                        test.assertEqual((status, body["status"]), (202, "processing"))
                        time.sleep(0.25)  # polling for the result

        client = ClinicSystem()
        client.start()
        phases = self.kill_at_random_moments(rng, client, [
            Phase("taking the POST", 8, (0.01, 0.6), lambda: not client.receptions),
            Phase("uploading", 30, (0.02, 0.4), self.uploading),
            Phase("polling", 30, (0.05, 0.8), lambda: client.complete == 0),
            Phase("answering", None, (0.05, 0.8), None),
        ])
        client.finish.set()
        client.join_checked(self, 300)
        self.assertEqual(len(client.receptions), 1, "one reception number for the key")
        self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")
        origin, _ = self.check_stored_batch()
        self.assertEqual(origin, "http:test-client:" + key)
        posts, replays = self.check_upstream()
        self.report("HTTP API", seed, phases, client.complete, posts, replays, ", %d POSTs" % client.posts)


if __name__ == "__main__":
    main()

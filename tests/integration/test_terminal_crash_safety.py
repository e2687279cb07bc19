"""Nothing lost, nothing sent twice through a 資格確認端末: 2,000 single inquiries dropped as request files are
relayed through upstream profile "terminal" (the terminal simulator behind a real smbd) while the gateway is
killed with SIGKILL at random moments — writing request files to the terminal's share, waiting for answers,
reading them, answering the receipt computer. In the end every request has exactly one answer in res/, and
the terminal simulator's log shows every request file taken once: no name twice, no request under two names.

The pauses are random: the seed is printed first, and KAKEHASHI_CRASH_SEED=<seed> replays the same pauses.
"""
import os
import random
import sqlite3
import time

from harness import IntegrationTest, main, parse, single_request, text, wait_until
from test_crash_safety import seed_of

ENTRIES = 2000
KILLS = 20


class TerminalCrashSafetyTest(IntegrationTest):
    profile = "terminal"
    terminal_options = {"sessions": 20}
    gateway_options = {"fileDrop": {"pollMillis": 100, "settleMillis": 100}}

    def setUp(self):
        self.started = time.time()
        super().setUp()
        # Each request holds its session at the terminal a while, as the real one does while it asks the
        # central system: kills land while files are at the terminal, taken and not yet answered.
        self.terminal_rig.faults(delayMs=150)

    def answered(self):
        return {n for n in os.listdir(os.path.join(self.gateway.share, "res")) if not n.startswith(".")}

    def test_2000_inquiries_survive_sigkills_and_reach_the_terminal_once(self):
        seed = seed_of("terminal relay")
        rng = random.Random(seed)
        persons = self.persons(ENTRIES)
        names = ["OQSsiquc01req_%012d.xml" % (300000000000 + i) for i in range(ENTRIES)]
        expected = {n.replace("req_", "res_") for n in names}
        for i, (p, name) in enumerate(zip(persons, names)):
            self.gateway.drop(name, single_request(p, name[14:26], arbitrary_id="K%04d" % i))

        kills, began = 0, time.time()
        while kills < KILLS:
            time.sleep(rng.uniform(0.3, 4.0))  # the random moment of the kill
            self.assertLess(len(self.answered()), ENTRIES, "the relay ended before %d kills" % KILLS)
            self.gateway.kill()
            kills += 1
            self.gateway.start()  # returns once the gateway answers /readyz again
        killing = time.time() - began
        wait_until(lambda: len(self.answered()) >= ENTRIES, 600, "every request to be answered", interval=0.5)
        self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")

        # Exactly one answer per request, each the right person's, and no error files.
        res = self.answered()
        self.assertEqual(res, expected, "answers missing, stray or refused: %s" % sorted(res ^ expected)[:5])
        self.assertEqual(os.listdir(os.path.join(self.gateway.share, "req")), [])
        for i in rng.sample(range(ENTRIES), 100):
            root = parse(self.gateway.result(names[i].replace("req_", "res_")))
            self.assertEqual(text(root, "MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier"), "K%04d" % i)
            if persons[i]["validity"] == "1":  # the person's own record (insurance or 医療扶助)
                self.assertEqual(text(root, "MessageBody/ResultList/ResultOfQualificationConfirmation/Birthdate"),
                                 persons[i]["birthDate"])
        db = sqlite3.connect(os.path.join(self.gateway.config["stateDir"], "kakehashi.db"))
        try:
            inbound = db.execute("SELECT name, state FROM inbound_files").fetchall()
            queue = db.execute("SELECT state, COUNT(*) FROM outbound_queue GROUP BY state").fetchall()
        finally:
            db.close()
        self.assertEqual(sorted(n for n, _ in inbound), sorted(names), "each request file taken once")
        self.assertEqual({s for _, s in inbound}, {"answered"})
        self.assertEqual(dict(queue), {"done": ENTRIES}, "one queued call per request, each answered")

        # The terminal took each request file once: the same ENTRIES files, none twice, none under two names.
        log = self.terminal_rig.log()
        taken = [e for e in log["entries"] if e["name"].startswith("OQSsiquc01req_")]
        self.assertEqual(log["duplicateNames"], [], "a request file was written twice")
        self.assertEqual(log["duplicateContents"], [], "a request was sent under two names")
        self.assertEqual(len(taken), ENTRIES, "every request reached the terminal exactly once")
        self.assertEqual(len({e["sha256"] for e in taken}), ENTRIES)
        print("terminal relay: seed %d, %d kills in %.0f s; %d requests answered once each, %d files taken by the "
              "terminal, at most %d at once; %.0f s in all"
              % (seed, kills, killing, len(res), len(taken), log["maxInFlight"], time.time() - self.started), flush=True)


if __name__ == "__main__":
    main()

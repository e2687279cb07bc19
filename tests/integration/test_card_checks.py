#!/usr/bin/env python3
"""Card checks on home visits with real parts: pcscd with the vpcd driver, kakehashi-vjpki (a virtual My
Number card with a test JPKI key, PIN and 3 tries), the gateway, and the central simulator, which checks
the card's signature over its own nonce. Every test ends by looking for the test PINs in every log and
in the database (they must be nowhere).
"""
import json
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import INSTITUTION, CentralSim, Gateway, IntegrationTest, inquiry_json, wait_until  # noqa: E402
from card_rig import CardRig  # noqa: E402
from harness import terminal_upstream, with_upstream  # noqa: E402
from terminal_rig import TerminalRig  # noqa: E402

RIGHT_PIN, WRONG_PIN = "7391", "6058"
STAFF = "訪問看護 佐藤"
FINAL = {"verified", "failed", "cancelled"}


def japan_today():
    return time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600))


class CardCheckTest(IntegrationTest):
    readers = True
    cards = ({"slot": 0},)

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-card-")
        self.used_persons = []
        self.rig = CardRig(self.workdir, readers=self.readers).start_pcscd()
        for c in self.cards:
            self.rig.insert_card(**c)
        self.sim = CentralSim(self.workdir, **self.sim_options).start()
        self.gateway = Gateway(self.workdir, self.sim, **self.gateway_options).start()
        if self.cards:
            wait_until(lambda: self.reader_state(self.rig.reader(0)).get("cardPresent"), 15, "the card in reader 0")

    def tearDown(self):
        try:
            if self.gateway.alive():
                self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")
            self.assert_no_pin_anywhere()
        finally:
            self.rig.stop()
            super().tearDown()

    # --- helpers ----------------------------------------------------------------------------------

    def assert_no_pin_anywhere(self):
        """The test PINs appear in no log and not in the database (nor as the hex of a VERIFY)."""
        paths = [os.path.join(self.workdir, n) for n in ("kakehashi.log", "central-sim.log", "pcscd.log")]
        state = os.path.join(self.workdir, "state")
        paths += [os.path.join(state, n) for n in os.listdir(state)] if os.path.isdir(state) else []
        for pin in (RIGHT_PIN, WRONG_PIN):
            hexed = pin.encode().hex()
            # A PIN stands alone; inside a hex digest or key ("ab6058cd") four digits are chance.
            patterns = [re.compile(rb"(?<![0-9A-Fa-f])" + pin.encode() + rb"(?![0-9A-Fa-f])"),
                        re.compile(hexed.encode(), re.I), re.compile(" ".join(hexed[i:i + 2] for i in range(0, 8, 2)).encode(), re.I)]
            for path in paths:
                if not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for p in patterns:
                    self.assertIsNone(p.search(data), "a PIN leaked into " + os.path.basename(path))

    def holder(self, serial="1001"):
        person = self.sim.control("GET", "/sim/identity/holder?serial=" + serial)
        self.used_persons.append(person)
        return person

    def readers_view(self):
        status, body, _ = self.gateway.request("GET", "/api/v1/readers")
        self.assertEqual(status, 200)
        return body

    def reader_state(self, name):
        for r in self.readers_view()["readers"]:
            if r["name"] == name:
                return r
        return {}

    def open_check(self, mode="pin", slot=0, staff=STAFF, consent=None, expect=201):
        body = {"reader": self.rig.reader(slot), "mode": mode, "staffId": staff}
        if consent:
            body["consent"] = consent
        status, check, _ = self.gateway.request("POST", "/api/v1/card-checks", body)
        self.assertEqual(status, expect, check)
        return check

    def check(self, check_id, since=0, wait=0):
        status, body, _ = self.gateway.request("GET", "/api/v1/card-checks/%s?since=%d&wait=%d" % (check_id, since, wait))
        self.assertEqual(status, 200, body)
        return body

    def wait_state(self, check_id, states, timeout=20):
        deadline = time.time() + timeout
        view = self.check(check_id)
        while view["state"] not in states:
            if time.time() > deadline:
                self.fail("check stayed %s (wanted %s): %s" % (view["state"], states, view))
            view = self.check(check_id, view["version"], 2000)
        return view

    def submit_pin(self, check_id, pin, confirm=False):
        raw = json.dumps({"pin": pin, "confirmLastTry": confirm}, ensure_ascii=False).encode()
        status, body, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/pin" % check_id, raw=raw)
        return status, body

    def card(self, slot=0):
        return self.rig.cards[slot]

    def audit_rows(self):
        db = sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))
        try:
            return db.execute("SELECT actor, action, subject, detail FROM audit_log ORDER BY id").fetchall()
        finally:
            db.close()

    def sim_paths(self, prefix):
        return [r for r in self.sim.requests() if r.get("path", "").startswith(prefix)]


class PinCheckTest(CardCheckTest):
    def setUp(self):
        self.skip_under_terminal("a 資格確認端末's file interface has no PIN identity check")
        super().setUp()

    def test_right_pin_is_verified_cached_and_registers_consent(self):
        person = self.holder()
        consent = {"scopes": ["medication"], "medicalTreatmentFlag": 2, "examinationDate": japan_today()}
        opened = self.open_check(consent=consent)
        view = self.wait_state(opened["id"], {"awaiting-pin"})
        self.assertEqual(view["triesLeft"], 3, "tries are read before the prompt")
        self.assertFalse(view["confirmationRequired"])

        status, done = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual(status, 200, done)
        self.assertEqual(done["state"], "verified")
        self.assertEqual(done["answer"]["status"], "valid")
        self.assertEqual(done["answer"]["eligibility"]["name"], person["name"])
        self.assertTrue(done["consentId"])

        verifications = self.sim.control("GET", "/sim/identity/verifications")["verifications"]
        self.assertEqual([(v["method"], v["serial"], v["outcome"]) for v in verifications], [("jpki", "1001", "verified")])
        consents = self.sim.control("GET", "/sim/consents")["consents"]
        mine = [c for c in consents if c["consentId"] == done["consentId"]]
        self.assertEqual(len(mine), 1)
        self.assertEqual((mine[0]["cardNumber"], mine[0]["scopes"], mine[0]["institution"]),
                         (person["cardNumber"], ["medication"], INSTITUTION))

        # The qualification is in the cache: reception asks and the central system is not asked.
        before = len(self.sim_paths("/v1/qualifications/inquiry"))
        status, answer, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(person))
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["source"], answer["stale"]), ("cache", False))
        self.assertEqual(len(self.sim_paths("/v1/qualifications/inquiry")), before)

        card = self.card().status()
        self.assertEqual((card["verifyWithPin"], card["signs"], card["triesLeft"]), (1, 1, 3))
        actions = [(a, act) for a, act, _, _ in self.audit_rows()]
        self.assertIn((STAFF, "card-check.verified"), actions)

    def test_wrong_pin_counts_down_and_is_never_retried(self):
        opened = self.open_check()
        self.wait_state(opened["id"], {"awaiting-pin"})
        status, problem = self.submit_pin(opened["id"], WRONG_PIN)
        self.assertEqual(status, 422, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:pin-wrong")
        self.assertEqual((problem["check"]["state"], problem["check"]["triesLeft"]), ("awaiting-pin", 2))
        self.assertEqual(self.check(opened["id"])["triesLeft"], 2)
        time.sleep(1.5)  # nothing is sent again behind the staff member's back
        card = self.card().status()
        self.assertEqual((card["verifyWithPin"], card["triesLeft"]), (1, 2))

        status, problem = self.submit_pin(opened["id"], WRONG_PIN)
        self.assertEqual((status, problem["check"]["triesLeft"], problem["check"]["confirmationRequired"]), (422, 1, True))

        # One try left: the PIN is taken only with an explicit confirmation.
        status, problem = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual(status, 428, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:pin-confirmation-required")
        self.assertEqual(self.card().status()["verifyWithPin"], 2, "an unconfirmed last try never reaches the card")
        status, done = self.submit_pin(opened["id"], RIGHT_PIN, confirm=True)
        self.assertEqual((status, done["state"]), (200, "verified"))
        self.assertEqual(self.card().status()["triesLeft"], 3)

    def test_malformed_pins_never_reach_the_card(self):
        opened = self.open_check()
        self.wait_state(opened["id"], {"awaiting-pin"})
        for pin in ("739", "73911", "73a1", "７３９１", ""):
            status, problem = self.submit_pin(opened["id"], pin)
            self.assertEqual(status, 422, (pin, problem))
            self.assertEqual(problem["type"], "urn:kakehashi:problem:pin-format")
        for raw in (b"", b"7391", b'{"pin": 7391}', b'{"pin":"7391","extra":1}', b'{"pin":"73\\u0039"}', b'{"pin":"7391"} x'):
            status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/pin" % opened["id"], raw=raw)
            self.assertEqual(status, 400, (raw, problem))
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/pin" % opened["id"],
                                                  raw=b'{"pin":"' + b"1" * 4000 + b'"}')
        self.assertEqual(status, 413)
        status, problem = self.submit_pin("no-such-check", RIGHT_PIN)
        self.assertEqual(status, 404)
        self.assertEqual(self.card().status()["verifyWithPin"], 0)
        self.assertEqual(self.check(opened["id"])["triesLeft"], 3)

    def test_card_removed_mid_operation_and_put_back(self):
        opened = self.open_check()
        self.wait_state(opened["id"], {"awaiting-pin"})
        self.card().command("remove-on verify")
        status, problem = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual(status, 409, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:card-removed")
        self.assertEqual(problem["check"]["state"], "waiting-for-card")
        self.assertNotIn("triesLeft", problem["check"], "after an interrupted VERIFY the tries are not known")
        self.assertTrue(self.gateway.alive())
        self.card().insert()
        view = self.wait_state(opened["id"], {"awaiting-pin"})
        self.assertEqual(view["triesLeft"], 3, "tries are read again from the card")
        # Taken out while waiting for the PIN: the check says so, and goes on when the card is back.
        self.card().remove()
        view = self.wait_state(opened["id"], {"waiting-for-card"})
        self.assertEqual(view["error"]["type"], "card-removed")
        self.card().insert()
        self.wait_state(opened["id"], {"awaiting-pin"})
        status, done = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual((status, done["state"]), (200, "verified"))
        self.assertEqual(self.card().status()["verifyWithPin"], 2)

    def test_pcscd_restart_during_a_check(self):
        opened = self.open_check()
        before = self.wait_state(opened["id"], {"awaiting-pin"})
        self.rig.restart_pcscd()
        view = self.wait_state(opened["id"], {"waiting-for-card", "reading-card"}, timeout=20)
        self.assertGreater(view["version"], before["version"])
        view = self.wait_state(opened["id"], {"awaiting-pin"}, timeout=30)
        self.assertEqual(view["triesLeft"], 3)
        self.assertTrue(self.readers_view()["serviceUp"])
        status, done = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual((status, done["state"]), (200, "verified"))

    def test_one_check_per_reader_and_cancel(self):
        opened = self.open_check()
        self.open_check(expect=409)
        status, cancelled, _ = self.gateway.request("DELETE", "/api/v1/card-checks/" + opened["id"])
        self.assertEqual((status, cancelled["state"]), (200, "cancelled"))
        self.open_check()
        self.open_check(staff="", expect=422)
        self.open_check(mode="photo", expect=422)
        self.open_check(consent={"scopes": ["genome"], "medicalTreatmentFlag": 2, "examinationDate": japan_today()},
                        expect=422)
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks", raw=b"{not json")
        self.assertEqual(status, 400)
        status, problem, _ = self.gateway.request("GET", "/api/v1/card-checks/unknown")
        self.assertEqual(status, 404)
        status, _, _ = self.gateway.request("GET", "/api/v1/readers", auth=False)
        self.assertEqual(status, 401)


class VisualCheckTest(CardCheckTest):
    def test_visual_check_needs_no_pin_and_names_the_staff_member(self):
        person = self.holder()
        opened = self.open_check(mode="visual")
        view = self.wait_state(opened["id"], {"awaiting-visual-check"})
        self.assertNotIn("triesLeft", view)
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/visual-check" % opened["id"],
                                                  {"staffId": "看護師 田中", "confirmed": False})
        self.assertEqual(status, 422, problem)
        status, done, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/visual-check" % opened["id"],
                                               {"staffId": "看護師 田中", "confirmed": True})
        self.assertEqual((status, done["state"]), (200, "verified"), done)
        self.assertEqual(done["answer"]["eligibility"]["name"], person["name"])
        self.assertEqual(self.card().status()["verifyWithPin"], 0)
        v = self.sim.control("GET", "/sim/identity/verifications")["verifications"][-1]
        self.assertEqual((v["method"], v["staffId"], v["outcome"]), ("visual", "看護師 田中", "verified"))
        self.check(opened["id"])
        rows = self.audit_rows()
        self.assertIn(("看護師 田中", "card-check.verified"), [(a, act) for a, act, _, _ in rows])
        self.assertIn("card-check.viewed", [act for _, act, _, _ in rows])
        for row in rows:
            for value in row:
                for secret in (person["name"], person["cardNumber"]):
                    self.assertNotIn(secret, value, "the audit log names no patient data")

    def test_reused_challenge_is_refused_clearly(self):
        first = self.open_check(mode="visual")
        self.wait_state(first["id"], {"awaiting-visual-check"})
        status, done, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/visual-check" % first["id"],
                                               {"staffId": STAFF, "confirmed": True})
        self.assertEqual(status, 200, done)
        self.sim.control("POST", "/sim/identity/replay-next-challenge?institution=" + INSTITUTION)
        second = self.open_check(mode="visual")
        self.wait_state(second["id"], {"awaiting-visual-check"})
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/visual-check" % second["id"],
                                                  {"staffId": STAFF, "confirmed": True})
        self.assertEqual(status, 403, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:identity-rejected")
        self.assertIn("SIM-IDV-003", problem["detail"])
        self.assertEqual(problem["check"]["state"], "failed")
        self.assertTrue(self.gateway.alive())


class ExpiredChallengeTest(CardCheckTest):
    sim_options = {"challenge_ttl_seconds": 1}

    def test_expired_challenge_is_refused_clearly(self):
        opened = self.open_check()
        self.wait_state(opened["id"], {"awaiting-pin"})
        self.sim.faults(latencyMs=1500)  # the verify arrives after the nonce's one second
        status, problem = self.submit_pin(opened["id"], RIGHT_PIN)
        self.sim.faults(latencyMs=0)
        self.assertEqual(status, 403, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:identity-rejected")
        self.assertIn("SIM-IDV-002", problem["detail"])
        self.assertEqual(problem["check"]["state"], "failed")


class BlockedAndForeignCardTest(CardCheckTest):
    cards = ({"slot": 0, "blocked": True}, {"slot": 1, "not_mynumber": True})

    def test_blocked_card_is_refused_without_verify(self):
        opened = self.open_check()
        view = self.wait_state(opened["id"], FINAL)
        self.assertEqual((view["state"], view["error"]["type"], view["triesLeft"]), ("failed", "pin-blocked", 0))
        self.assertIn("市区町村", view["message"])
        status, problem = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertEqual(status, 409, problem)
        card = self.card().status()
        self.assertEqual(card["verifyWithPin"], 0, "a blocked card is never sent a PIN")
        self.assertGreaterEqual(card["verifyEmpty"], 1)
        # The visual check is still possible.
        visual = self.open_check(mode="visual")
        self.wait_state(visual["id"], {"awaiting-visual-check"})

    def test_a_card_without_jpki_is_named(self):
        wait_until(lambda: self.reader_state(self.rig.reader(1)).get("cardPresent"), 15, "the card in reader 1")
        opened = self.open_check(slot=1)
        view = self.wait_state(opened["id"], {"waiting-for-card"})
        wait_until(lambda: self.check(opened["id"]).get("error"), 10, "the read to fail")
        self.assertEqual(self.check(opened["id"])["error"]["type"], "not-mynumber-card")


class TwoReadersTest(CardCheckTest):
    cards = ({"slot": 0, "card": "jpki-card-1"}, {"slot": 1, "card": "jpki-card-2", "quirks": True})

    def test_two_readers_at_once(self):
        wait_until(lambda: self.reader_state(self.rig.reader(1)).get("cardPresent"), 15, "the card in reader 1")
        names = [r["name"] for r in self.readers_view()["readers"]]
        self.assertEqual(names, [self.rig.reader(0), self.rig.reader(1)])
        people = [self.holder("1001"), self.holder("1002")]
        checks = [self.open_check(slot=0), self.open_check(slot=1, staff="訪問看護 鈴木")]
        for c in checks:
            self.wait_state(c["id"], {"awaiting-pin"})
        results = {}

        def submit(i):
            results[i] = self.submit_pin(checks[i]["id"], RIGHT_PIN)

        threads = [threading.Thread(target=submit, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i in (0, 1):
            status, done = results[i]
            self.assertEqual((status, done["state"]), (200, "verified"), done)
            self.assertEqual(done["answer"]["eligibility"]["name"], people[i]["name"])


class CardWatchdogTest(CardCheckTest):
    gateway_options = {"cardReaders": {"cardDeadlineMillis": 1500}}

    def test_a_card_that_stops_answering_is_reported(self):
        opened = self.open_check()
        self.wait_state(opened["id"], {"awaiting-pin"})
        self.card().command("stall-on sign 4000")
        started = time.time()
        status, problem = self.submit_pin(opened["id"], RIGHT_PIN)
        self.assertLess(time.time() - started, 4, "the watchdog answers before the card does")
        self.assertEqual(status, 504, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:card-timeout")
        self.assertTrue(self.gateway.alive())
        time.sleep(3)
        self.card().remove()
        self.card().insert()
        view = self.wait_state(opened["id"], {"awaiting-pin"}, timeout=30)
        self.assertEqual(view["triesLeft"], 3)


class TerminalCardCheckTest(CardCheckTest):
    """Through a 資格確認端末 (profile terminal, always, whatever KAKEHASHI_UPSTREAM_PROFILE says): its file
    interface has no identity check, so a PIN check is refused in plain Japanese and a visual check ends in an
    ordinary qualification inquiry with the identifiers staff read from the card."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-card-")
        self.used_persons = []
        self.rig = CardRig(self.workdir, readers=self.readers).start_pcscd()
        for c in self.cards:
            self.rig.insert_card(**c)
        self.sim = CentralSim(self.workdir, **self.sim_options).start()
        self.terminal_rig = TerminalRig(self.workdir, self.sim, sessions=5).start()
        options = with_upstream(self.gateway_options, terminal_upstream(self.terminal_rig))
        self.gateway = Gateway(self.workdir, self.sim, **options).start()
        wait_until(lambda: self.reader_state(self.rig.reader(0)).get("cardPresent"), 15, "the card in reader 0")

    def test_pin_check_is_refused_plainly_and_a_visual_check_inquires(self):
        person = self.holder()
        status, modes, _ = self.gateway.request("GET", "/api/v1/card-checks/modes")
        self.assertEqual(status, 200, modes)
        self.assertEqual((modes["pin"], modes["consent"], modes["visualNeedsInsured"]), (False, False, True))
        self.assertIn("暗証番号", modes["note"])

        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks",
                                                  {"reader": self.rig.reader(0), "mode": "pin", "staffId": STAFF})
        self.assertEqual(status, 409, problem)
        self.assertEqual(problem["type"], "urn:kakehashi:problem:identity-unsupported")
        self.assertIn("暗証番号による本人確認ができません", problem["title"])

        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks",
                                                  {"reader": self.rig.reader(0), "mode": "visual", "staffId": STAFF})
        self.assertEqual(status, 422, problem)  # the insured identifiers are needed for the inquiry
        self.assertIn("insured", problem["detail"])

        status, opened, _ = self.gateway.request("POST", "/api/v1/card-checks", {
            "reader": self.rig.reader(0), "mode": "visual", "staffId": STAFF, "insured": inquiry_json(person)})
        self.assertEqual(status, 201, opened)
        self.wait_state(opened["id"], {"awaiting-visual-check"})
        status, done, _ = self.gateway.request("POST", "/api/v1/card-checks/%s/visual-check" % opened["id"],
                                               {"staffId": STAFF, "confirmed": True})
        self.assertEqual((status, done["state"]), (200, "verified"), done)
        self.assertEqual(done["answer"]["eligibility"]["name"], person["name"])
        self.assertEqual(self.card().status()["verifyWithPin"], 0)
        self.assertEqual(self.sim_paths("/v1/identity"), [], "no identity call: the terminal has none")
        taken = [e["name"] for e in self.terminal_rig.log()["entries"]]
        self.assertEqual(len([n for n in taken if n.startswith("OQSsiquc01req_")]), 1, taken)
        self.assertIn(("%s" % STAFF, "card-check.verified"), [(a, act) for a, act, _, _ in self.audit_rows()])


class NoReaderTest(CardCheckTest):
    readers = False
    cards = ()

    def test_no_reader_and_no_service(self):
        view = self.readers_view()
        self.assertEqual((view["serviceUp"], view["readers"]), (True, []))
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks",
                                                  {"reader": "Kakehashi Test Reader 00 00", "mode": "pin", "staffId": STAFF})
        self.assertEqual((status, problem["type"]), (404, "urn:kakehashi:problem:reader-unavailable"))
        self.rig.stop_pcscd()
        wait_until(lambda: not self.readers_view()["serviceUp"], 15, "the service to be reported down")
        status, problem, _ = self.gateway.request("POST", "/api/v1/card-checks",
                                                  {"reader": "Kakehashi Test Reader 00 00", "mode": "pin", "staffId": STAFF})
        self.assertEqual((status, problem["type"]), (503, "urn:kakehashi:problem:card-service-unavailable"))
        self.assertTrue(self.gateway.alive())
        self.rig.start_pcscd()
        wait_until(lambda: self.readers_view()["serviceUp"], 15, "the service to be back")


if __name__ == "__main__":
    unittest.main(verbosity=2)

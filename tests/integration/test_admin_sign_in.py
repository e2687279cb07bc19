#!/usr/bin/env python3
"""Signing in to the web admin as an attacker on the clinic's LAN would try it, against a real gateway.
Several machines are played from distinct loopback addresses (127.0.0.2, 127.0.0.3, …) towards the admin
listener on 127.0.0.1:
- a lockout is per account and address: failures from one machine never lock the account for another;
- each address has a burst of sign-in tries, then one every few seconds (429 with Retry-After);
- unknown, wrong-password and locked answers are the same in status, body and time;
- the setup code is not spent by a request that cannot create the administrator;
- the session id and CSRF token change when the second factor is passed (no session fixation);
- per-account state (failures, locks) is shown only to administrators.
"""
import json
import os
import re
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IntegrationTest, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code, totp  # noqa: E402

ADMIN_PASSWORD = "Hashi-Kanrisha-2026!"
OPERATOR_PASSWORD = "Uketsuke-Mado-2026?"
AUDITOR_PASSWORD = "Tantou-Kakunin-2026#"
LOCK_FAILURES = 5  # the documented default
BURST, REFILL_SECONDS = 10, 3  # the documented defaults of the per-address throttle
LOCK_STATE_KEYS = ("failedAttempts", "locked", "lockedUntil", "lockedFrom")
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


class SignInTest(IntegrationTest):
    admin_overrides = {}

    def setUp(self):
        options = admin_options()
        options["admin"].update(self.admin_overrides)
        type(self).gateway_options = options  # a fresh port for every test
        super().setUp()
        self.admin = AdminClient(self.gateway)

    def signed_in_admin(self):
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.secret, self.recovery = self.admin.enrol()
        return self.admin

    def add_user(self, username, role, password):
        status, body = self.admin.request("POST", "/admin/api/users", {"username": username, "displayName": username,
                                                                       "role": role, "password": password})
        self.assertEqual(status, 201, body)
        return body

    def from_address(self, source):
        return AdminClient(self.gateway, source=source)

    def user_row(self, username):
        status, listed = self.admin.request("GET", "/admin/api/users")
        self.assertEqual(status, 200, listed)
        return [u for u in listed["users"] if u["username"] == username][0]


class PerAddressLockoutTest(SignInTest):
    def test_a_lockout_from_one_address_leaves_the_others_alone(self):
        self.signed_in_admin()
        attacker = self.from_address("127.0.0.2")
        for i in range(LOCK_FAILURES):
            status, wrong = attacker.login("admin", "wrong-password-%d" % i)
            self.assertEqual(status, 401, wrong)
        status, body = attacker.login("admin", ADMIN_PASSWORD)
        self.assertEqual((status, body), (401, wrong), "locked from here: even the right password is refused alike")

        colleague = self.from_address("127.0.0.3")
        status, body = colleague.login("admin", ADMIN_PASSWORD, self.secret)
        self.assertEqual(status, 200, "another machine still signs in: %s" % body)

        row = self.user_row("admin")
        self.assertTrue(row["locked"], row)
        self.assertEqual([a["address"] for a in row["lockedFrom"]], ["127.0.0.2"])
        status, body = self.admin.request("POST", "/admin/api/users/%d/unlock" % row["id"])
        self.assertEqual((status, body["locked"]), (200, False), body)
        status, body = attacker.login("admin", ADMIN_PASSWORD)
        self.assertEqual((status, body.get("next")), (200, "second-factor"), body)

    def test_wrong_second_factors_lock_only_their_own_address(self):
        self.signed_in_admin()
        wrong_code = "000000" if totp(self.secret, step_offset=1) != "000000" else "111111"
        fumbler = self.from_address("127.0.0.4")
        status, body = fumbler.login("admin", ADMIN_PASSWORD)
        self.assertEqual(status, 200, body)
        statuses = [fumbler.request("POST", "/admin/api/login/second-factor", {"code": wrong_code})[0]
                    for _ in range(LOCK_FAILURES)]
        # The one who passed the password may hear that the account is locked from here (see auth_routes.cpp).
        self.assertEqual(statuses, [401] * (LOCK_FAILURES - 1) + [423])
        status, _ = fumbler.request("GET", "/admin/api/me")
        self.assertEqual(status, 401, "the half-open session ended with the lock")

        status, body = self.from_address("127.0.0.5").login("admin", ADMIN_PASSWORD, self.secret)
        self.assertEqual(status, 200, body)


class ThrottleTest(SignInTest):
    def test_an_address_gets_a_burst_then_one_try_every_few_seconds(self):
        self.signed_in_admin()
        flooder = self.from_address("127.0.0.6")
        started = time.monotonic()
        admitted = 0
        for i in range(4 * BURST):
            status, body = flooder.login("guess-%d" % i, "wrong-password-%d" % i)  # never the same account twice
            if status == 429:
                break
            self.assertEqual(status, 401, body)
            admitted += 1
        elapsed = time.monotonic() - started
        self.assertEqual(status, 429, "no throttle after %d failed tries" % admitted)
        self.assertGreaterEqual(admitted, BURST)
        self.assertLessEqual(admitted, BURST + elapsed / REFILL_SECONDS + 1)
        retry_after = int(flooder.last.getheader("Retry-After"))
        self.assertTrue(1 <= retry_after <= REFILL_SECONDS, retry_after)
        self.assertTrue(body["type"].endswith(":too-many-attempts"), body)
        self.assertEqual(body["status"], 429)
        self.assertRegex(body["title"], JAPANESE)

        # The throttle is per address: another machine signs in at once.
        status, body = self.from_address("127.0.0.7").login("admin", ADMIN_PASSWORD)
        self.assertEqual(status, 200, body)
        # The throttled machine gets a try back after Retry-After; the right password then goes through.
        wait_until(lambda: flooder.login("admin", ADMIN_PASSWORD)[0] == 200, 10 * REFILL_SECONDS,
                   "a try given back to the throttled address")

    def test_sign_ins_that_succeed_do_not_use_up_the_tries(self):
        self.signed_in_admin()
        staff = self.from_address("127.0.0.8")
        for i in range(BURST + 2):
            status, body = staff.login("admin", ADMIN_PASSWORD)
            self.assertEqual(status, 200, "sign-in %d: %s" % (i, body))


class IndistinguishableAnswersTest(SignInTest):
    # The throttle would answer 429 long before the timing comparison has its samples.
    admin_overrides = {"signIn": {"burst": 1000}}
    ROUNDS = 15
    # Medians of each kind may differ by this factor at most. An answer that skips the password hash is
    # ten to a hundred times quicker, so a generous factor still finds it on a slow, busy machine.
    RATIO = 1.5

    def timed_login(self, source, username, password):
        """(status, content type, set-cookie, body bytes, seconds); the TLS handshake is not timed."""
        conn = self.from_address(source).connection()
        conn.connect()
        payload = json.dumps({"username": username, "password": password}).encode()
        started = time.perf_counter()
        conn.request("POST", "/admin/api/login", body=payload, headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        body = res.read()
        seconds = time.perf_counter() - started
        conn.close()
        return res.status, res.getheader("Content-Type"), res.getheader("Set-Cookie"), body, seconds

    def test_unknown_wrong_and_locked_answer_alike_in_status_body_and_time(self):
        self.signed_in_admin()
        self.add_user("reception", "operator", OPERATOR_PASSWORD)
        locked_from = "127.0.0.9"
        for i in range(LOCK_FAILURES):
            self.from_address(locked_from).login("reception", "wrong-password-%d" % i)
        self.assertTrue(self.user_row("reception")["locked"])

        kinds = {
            # a name no account has
            "unknown": lambda i: ("127.0.1.%d" % (i + 1), "nobody-%d" % i, OPERATOR_PASSWORD),
            # a real account, a wrong password, from a machine that is not locked out
            "wrong": lambda i: ("127.0.2.%d" % (i + 1), "reception", "wrong-password-%d" % i),
            # the locked account from the machine that locked it, with its right password
            "locked": lambda i: (locked_from, "reception", OPERATOR_PASSWORD),
        }
        answers = {kind: [] for kind in kinds}
        times = {kind: [] for kind in kinds}
        for i in range(self.ROUNDS):  # interleaved, so a slow patch of the machine hits every kind alike
            for kind, attempt in kinds.items():
                status, content_type, cookie, body, seconds = self.timed_login(*attempt(i))
                answers[kind].append((status, content_type, cookie, body))
                times[kind].append(seconds)

        distinct = {a for each in answers.values() for a in each}
        self.assertEqual(len(distinct), 1, "the answers differ: %s" % distinct)
        status, content_type, cookie, body = distinct.pop()
        self.assertEqual((status, content_type, cookie), (401, "application/problem+json", None))
        problem = json.loads(body)
        self.assertTrue(problem["type"].endswith(":sign-in-failed"), problem)
        self.assertRegex(problem["title"], JAPANESE)

        medians = {kind: statistics.median(t) for kind, t in times.items()}
        print("\nsign-in answer medians over %d tries each: %s" % (
            self.ROUNDS, ", ".join("%s %.1f ms" % (k, v * 1000) for k, v in medians.items())), file=sys.stderr)
        slowest, quickest = max(medians.values()), min(medians.values())
        self.assertLess(slowest / quickest, self.RATIO, "the kinds of refusal can be told apart by time: %s" % medians)


class SetupCodeTest(SignInTest):
    def test_a_request_that_cannot_create_the_administrator_does_not_spend_the_code(self):
        code = setup_code(self.gateway)
        for username, password in (("受付 係", ADMIN_PASSWORD),                 # not a valid user name
                                   ("", ADMIN_PASSWORD),                         # no user name
                                   ("kanri", "kanri-kanri-kanri-2026"),          # the password holds the name
                                   ("kanri", "short")):                          # a weak password
            status, body = self.admin.setup(code, username=username, password=password)
            self.assertEqual(status, 422, "%r: %s" % (username, body))
        status, body = self.admin.setup("0000-0000-0000", username="受付 係")
        self.assertEqual(status, 422, "everything is checked before the code: %s" % body)
        status, body = self.admin.setup(code)
        self.assertEqual(status, 201, "the code survived the refused requests: %s" % body)
        status, body = self.admin.request("GET", "/admin/api/setup")
        self.assertFalse(body["needed"])


class SessionRotationTest(SignInTest):
    def test_passing_the_second_factor_replaces_the_session_id_and_csrf_token(self):
        self.signed_in_admin()
        self.admin.request("POST", "/admin/api/logout")
        client = AdminClient(self.gateway)
        status, body = client.request("POST", "/admin/api/login", {"username": "admin", "password": ADMIN_PASSWORD})
        self.assertEqual(status, 200, body)
        before_cookie, before_csrf = client.cookie, client.csrf
        status, body = client.request("POST", "/admin/api/login/second-factor", {"code": totp(self.secret, step_offset=1)})
        self.assertEqual(status, 200, body)
        self.assertNotEqual(client.cookie, before_cookie, "the session id is kept after the second factor")
        self.assertNotEqual(client.csrf, before_csrf)
        status, _ = client.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200)

        fixated = AdminClient(self.gateway)
        fixated.cookie, fixated.csrf = before_cookie, before_csrf
        status, _ = fixated.request("GET", "/admin/api/me")
        self.assertEqual(status, 401, "the id from before the second factor must stop working at once")
        status, _ = fixated.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 401)

    def test_the_first_enrolment_replaces_the_session_id_too(self):
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        before_cookie = self.admin.cookie
        self.admin.enrol()
        self.assertNotEqual(self.admin.cookie, before_cookie)
        stale = AdminClient(self.gateway)
        stale.cookie = before_cookie
        status, _ = stale.request("GET", "/admin/api/me")
        self.assertEqual(status, 401)
        status, _ = self.admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200)


class AccountStateTest(SignInTest):
    PUBLIC = {("GET", "/admin/api/setup"), ("POST", "/admin/api/setup"), ("POST", "/admin/api/setup/restore"),
              ("POST", "/admin/api/login")}

    def lock_state_in(self, answer):
        text = json.dumps(answer) if not isinstance(answer, (bytes, str)) else str(answer)
        return [k for k in LOCK_STATE_KEYS if '"%s"' % k in text]

    def test_only_administrators_see_failures_and_locks(self):
        self.signed_in_admin()
        self.add_user("reception", "operator", OPERATOR_PASSWORD)
        self.add_user("kansa", "auditor", AUDITOR_PASSWORD)
        for i in range(2):
            self.from_address("127.0.0.10").login("kansa", "wrong-password-%d" % i)
        self.assertEqual(self.user_row("kansa")["failedAttempts"], 2)

        status, table = self.admin.request("GET", "/admin/api/routes")
        routes = table["routes"]
        self.assertEqual({(r["method"], r["path"]) for r in routes if r["permission"] == "public"}, self.PUBLIC,
                         "a new public route must be reviewed for what it tells about accounts")
        user_routes = [r for r in routes if r["path"].startswith("/admin/api/users")]
        self.assertTrue(user_routes)
        self.assertEqual({r["permission"] for r in user_routes}, {"manage-users"})

        for username, password in (("reception", OPERATOR_PASSWORD), ("kansa", AUDITOR_PASSWORD)):
            client = AdminClient(self.gateway)
            status, answer = client.request("POST", "/admin/api/login", {"username": username, "password": password})
            self.assertEqual(status, 200, answer)
            self.assertEqual(self.lock_state_in(answer), [], "the password step's answer")
            status, me = client.request("GET", "/admin/api/me")
            self.assertEqual(self.lock_state_in(me), [], "who am I, before the second factor")
            client.enrol()
            status, _ = client.request("GET", "/admin/api/users")
            self.assertEqual(status, 403, "%s lists the users" % username)
            for r in routes:
                if r["method"] != "GET" or r["permission"] == "public" or "{" in r["path"]:
                    continue
                status, answer = client.request("GET", r["path"])
                if status == 200:
                    self.assertEqual(self.lock_state_in(answer), [], "%s sees account state in %s" % (username, r["path"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The staff page for card checks on home visits (web-admin/staff/), served by the appliance and driven in
a real browser.

The appliance serves /staff, /staff/{file} and /i18n/{file} from webAdminRoot with a strict CSP, and
nothing outside those folders; the page keeps to that CSP (no inline script or style, no other origin).
Then tests/browser/staff_card_check.mjs (playwright-core driving Debian's Chromium) runs a PIN check with
one wrong PIN and the right one, and a visual check, against pcscd + the virtual My Number card; the card
itself counts exactly two PIN VERIFYs afterwards, so the page never resent a PIN. A second card with one
try left proves the last-try confirmation, the lock, and the visual check offered instead.

Needs: node, tests/browser/node_modules (npm ci, done by scripts/bootstrap), /usr/bin/chromium, pcscd and
the vpcd driver. Screenshots go to $KAKEHASHI_ARTIFACTS, else build/test-artifacts/staff.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from admin_client import AdminClient, admin_options, setup_code
from browser_run import CHROMIUM, require_browser, run_script
from card_rig import CardRig
from harness import SOURCE, CentralSim, Gateway, IntegrationTest, certs, main
from page_source import PageSource

STAFF_DIR = os.path.join(SOURCE, "web-admin", "staff")
CARD_PIN = "7391"
WRONG_PIN = "2580"
SERVED_EXTENSIONS = (".html", ".js", ".css", ".json", ".svg", ".png")
CHECK_STATES = ("waiting-for-card", "reading-card", "awaiting-pin", "awaiting-visual-check", "verifying", "verified",
                "failed", "cancelled")


def card_serial(card):
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", os.path.join(certs(), card + ".der"),
                          "-noout", "-serial"], check=True, capture_output=True, text=True)
    return out.stdout.strip().split("=", 1)[1]


class StaffPageTest(IntegrationTest):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-it-")
        self.sim = CentralSim(self.workdir).start()
        self.rig = CardRig(self.workdir)
        try:
            self.rig.start_pcscd()
            self.card = self.rig.insert_card(0, card="jpki-card-1", pin=CARD_PIN)
            self.last_try_card = self.rig.insert_card(1, card="jpki-card-2", pin=CARD_PIN, tries=1)
            self.holder = self.sim.control("GET", "/sim/identity/holder?serial=" + card_serial("jpki-card-1"))
            other = self.sim.control("GET", "/sim/identity/holder?serial=" + card_serial("jpki-card-2"))
            self.used_persons = [self.holder, other]
            self.gateway = Gateway(self.workdir, self.sim, webAdminRoot=os.path.join(SOURCE, "web-admin"),
                                   **admin_options()).start()
        except BaseException:
            self.rig.stop()
            self.sim.stop()
            raise

    def tearDown(self):
        try:
            # The page's last long poll (GET /api/v1/readers?wait=20000) may still be open: SIGTERM
            # wakes it, so the gateway stops at once rather than when the poll would have ended.
            if self.gateway.alive():
                started = time.time()
                self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")
                self.assertLess(time.time() - started, 10, "open long polls must not hold up SIGTERM")
        finally:
            try:
                self.rig.stop()
            finally:
                super().tearDown()

    def artifacts(self):
        return os.environ.get("KAKEHASHI_ARTIFACTS") or os.path.join(SOURCE, "build", "test-artifacts", "staff")

    def get(self, path):
        return self.gateway.request("GET", path, auth=False, as_text=True)

    def test_staff_files_are_served_with_the_csp_and_nothing_else(self):
        for path, type_ in (("/staff", "text/html"), ("/staff/card-check.js", "text/javascript"),
                            ("/staff/card-check.css", "text/css"), ("/i18n/ja.json", "application/json"),
                            ("/i18n/en.json", "application/json")):
            with self.subTest(path=path):
                status, _, res = self.get(path)
                self.assertEqual(status, 200)
                self.assertTrue(res.getheader("Content-Type").startswith(type_), res.getheader("Content-Type"))
                csp = res.getheader("Content-Security-Policy") or ""
                for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                                  "connect-src 'self'", "frame-ancestors 'none'"):
                    self.assertIn(directive, csp)
        for path in ("/staff/../x", "/staff/..%2Fcard-check.html", "/staff/%2e%2e", "/staff/nope.js",
                     "/staff/README.md", "/staff/.card-check.js", "/i18n/../staff/card-check.html", "/i18n/fr.json",
                     "/staff/sub/card-check.js"):
            with self.subTest(path=path):
                status, _, _ = self.get(path)
                self.assertEqual(status, 404)

    def test_the_page_keeps_to_the_csp_and_loads_only_its_own_files(self):
        names = sorted(os.listdir(STAFF_DIR))
        for name in names:
            self.assertTrue(os.path.isfile(os.path.join(STAFF_DIR, name)), "web-admin/staff must be flat: " + name)
            self.assertTrue(name.endswith(SERVED_EXTENSIONS), "the appliance does not serve " + name)
        status, page, _ = self.get("/staff")
        self.assertEqual(status, 200)
        refs = PageSource()
        refs.feed(page)
        self.assertEqual(refs.inline, [], "the CSP refuses inline script and style")
        for url in refs.urls:
            with self.subTest(url=url):
                self.assertRegex(url, r"^/(staff|i18n)/[A-Za-z0-9_.-]+$", "absolute paths to the page's own files")
                self.assertEqual(self.get(url)[0], 200)
        for name in names:
            if not name.endswith(".js"):
                continue
            with open(os.path.join(STAFF_DIR, name), encoding="utf-8") as f:
                js = f.read()
            with self.subTest(module=name):
                for imported in re.findall(r"^import .* from '([^']+)';", js, re.M):
                    # the page's own modules, or the text module every page shares
                    self.assertRegex(imported, r"^(\./[A-Za-z0-9_-]+\.js|/i18n/texts\.js)$")
                    self.assertEqual(self.get(imported if imported.startswith("/") else "/staff/" + imported[2:])[0], 200)
                for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", ".style.",
                                  "console.", "eval(", "new Function", "http://", "https://"):
                    self.assertNotIn(forbidden, js)

    def test_ja_and_en_have_the_same_keys_and_every_text_the_page_names(self):
        tables = {}
        for lang in ("ja", "en"):
            status, _, res = self.gateway.request("GET", "/i18n/%s.json" % lang, auth=False)
            self.assertEqual(status, 200)
            tables[lang] = json.loads(self.gateway.last_body)
            empty = [k for k, v in tables[lang].items() if not isinstance(v, str) or not v.strip()]
            self.assertEqual(empty, [], "%s.json: empty texts" % lang)
        self.assertEqual(sorted(tables["ja"]), sorted(tables["en"]), "ja.json and en.json must have the same keys")
        named = set()
        for name in os.listdir(STAFF_DIR):
            with open(os.path.join(STAFF_DIR, name), encoding="utf-8", errors="replace") as f:
                source = f.read()
            named.update(re.findall(r'data-i18n(?:-aria-label|-placeholder)?="([^"]+)"', source))
            if name.endswith(".js"):  # every quoted 'group.name' is a text key, except the storage keys
                named.update(k for k in re.findall(r"'([a-z][A-Za-z]*\.[A-Za-z0-9_.-]+)'", source)
                             if not k.startswith("kakehashi."))
        named.update("state." + st for st in CHECK_STATES)
        named.update("readers.state." + st for st in ("present", "absent", "in-use", "mute", "down"))
        named.update("status." + st for st in ("valid", "lapsed", "not_found", "multiple", "unknown", "error"))
        self.assertEqual(sorted(named - set(tables["ja"])), [], "keys the page uses but the tables lack")

    def staff_account(self, username="kango-sato", password="Houmon-Kango-2026!"):
        """An administrator set up, then a nurse's account (role operator) with its authenticator enrolled, as
        the web admin makes them; returns (username, password, TOTP secret)."""
        admin = AdminClient(self.gateway)
        self.assertEqual(admin.setup(setup_code(self.gateway))[0], 201)
        admin.enrol()
        status, body = admin.request("POST", "/admin/api/users", {"username": username, "displayName": "佐藤 看護師",
                                                                  "role": "operator", "password": password})
        self.assertEqual(status, 201, body)
        nurse = AdminClient(self.gateway)
        self.assertEqual(nurse.login(username, password)[0], 200)
        secret, _ = nurse.enrol()
        return username, password, secret

    def test_staff_sign_in_checks_password_code_and_role_and_sets_a_shift_cookie(self):
        username, password, secret = self.staff_account()
        from admin_client import totp
        status, body, _ = self.gateway.request("GET", "/api/v1/staff/me", auth=False)
        self.assertEqual((status, body["signedIn"]), (200, False))
        status, body, _ = self.gateway.request("POST", "/api/v1/staff/sign-in", {"username": username, "password": "x" * 12,
                                                                             "code": totp(secret)}, auth=False)
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "KKH-E7006")
        status, body, res = self.gateway.request("POST", "/api/v1/staff/sign-in", {"username": username, "password": password,
                                                                             "code": totp(secret, step_offset=1)},
                                            auth=False)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["staff"]["username"], username)
        cookie = res.getheader("Set-Cookie")
        self.assertRegex(cookie, r"^kakehashi_staff=[A-Za-z0-9_-]{40,}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=36000$")
        jar = {"Cookie": cookie.split(";", 1)[0]}
        status, readers, _ = self.gateway.request("GET", "/api/v1/readers", auth=False, headers=jar)
        self.assertEqual(status, 200, readers)
        # A change needs the session's CSRF token too: a form on another site's page sends the cookie alone.
        status, refused, _ = self.gateway.request("POST", "/api/v1/card-checks",
                                               {"reader": self.rig.reader(0), "mode": "visual"}, auth=False, headers=jar)
        self.assertEqual((status, refused["code"]), (403, "KKH-E2002"))
        status, opened, _ = self.gateway.request("POST", "/api/v1/card-checks", {"reader": self.rig.reader(0), "mode": "visual",
                                                                              "staffId": "someone-else"}, auth=False,
                                              headers=dict(jar, **{"X-CSRF-Token": body["csrfToken"]}))
        self.assertEqual(status, 201, opened)
        self.assertEqual(opened["staffId"], username, "the staff member is the account, not what the body says")
        self.gateway.request("DELETE", "/api/v1/card-checks/" + opened["id"], auth=False,
                             headers=dict(jar, **{"X-CSRF-Token": body["csrfToken"]}))
        with open(self.gateway.log_path, encoding="utf-8") as f:
            self.assertNotIn(password, f.read())
        status, out, _ = self.gateway.request("POST", "/api/v1/staff/sign-out", auth=False,
                                           headers=dict(jar, **{"X-CSRF-Token": body["csrfToken"]}))
        self.assertEqual(status, 200, out)
        status, _, _ = self.gateway.request("GET", "/api/v1/readers", auth=False, headers=jar)
        self.assertEqual(status, 401, "the session ended with the sign-out")

    def test_a_tablet_runs_pin_checks_and_visual_checks_and_never_resends_a_pin(self):
        require_browser(self)
        username, password, secret = self.staff_account()
        env = dict(os.environ, KAKEHASHI_URL="http://127.0.0.1:%d" % self.gateway.http_port,
                   STAFF_USER=username, STAFF_NAME="佐藤 看護師", STAFF_PASSWORD=password, STAFF_TOTP_SECRET=secret,
                   READER=self.rig.reader(0), CARD_PIN=CARD_PIN,
                   WRONG_PIN=WRONG_PIN, SCREENSHOT_DIR=self.artifacts(), CHROMIUM=CHROMIUM,
                   EXPECT_INSURER_NUMBER=self.holder["insurerNumber"].strip(), LAST_TRY_READER=self.rig.reader(1))
        output = tempfile.mkdtemp(prefix="browser-", dir=self.workdir)
        code, stdout, stderr, _ = run_script(self, "staff_card_check.mjs", env, output, {}, minutes=5)
        report = "\n".join(("stdout:", stdout, "stderr:", stderr, "gateway log:", self.gateway.tail_log()))
        self.assertEqual(code, 0, report)
        sys.stderr.write(stdout)
        status = self.card.status()
        self.assertEqual(status["verifyWithPin"], 2, "one wrong PIN and one right one, nothing resent: %s" % status)
        self.assertEqual(status["triesLeft"], 3, "the right PIN resets the card's counter")
        self.assertFalse(status["blocked"])
        self.assertEqual(status["signs"], 1, "one signature for the one PIN check")
        status = self.last_try_card.status()
        self.assertEqual(status["verifyWithPin"], 1, "the last try is sent once, after the confirmation: %s" % status)
        self.assertTrue(status["blocked"])
        self.assertEqual(status["signs"], 0)


if __name__ == "__main__":
    main()

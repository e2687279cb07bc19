#!/usr/bin/env python3
"""The web admin's pages (web-admin/admin/) for IT staff, checked as files and then driven in a real browser.

First, without a gateway (fast): the two text tables have the same keys and no empty text, and every key
the admin pages name exists (data-i18n… attributes in the HTML, every quoted 'admin.…' key in the modules,
and the families the modules build from the appliance's values: roles, settings, certificates, …); the
pages keep to the CSP (no inline script or style, no on…= or style= attributes, no innerHTML, only their
own files); the folder is flat and holds only files the appliance serves.

Then against a simulator and a gateway with the web admin on (HTTPS, the box's own certificate): the files
are served on the admin listener with the CSP, and tests/browser/admin_pages.mjs (playwright-core driving
Debian's Chromium) goes through the first-run wizard with the printed setup code, sign-in with TOTP, a
lockout and its unlock, settings and their history, the live dashboard, home reception, plugins and the
json-webhook plugin's settings form (its secret token never in the page), channels and API clients, the log viewer, the audit log's tamper check, certificates, backup and restore. The
script asks this side, through marker files, for two eligibility inquiries (the dashboard must count them
by itself), for the LAN API's answers to the tokens the page issued, revoked and replaced, for one
audit row to be altered in the database (the tamper check must name it), for a signed CSR, for the
restarts the box asks for, for a wiped box (state and key folders deleted: the backup must bring it back
through the first-run wizard) and for a restart with a 5-s confirmation window (an unconfirmed
certificate must roll back by itself). The audit log is checked before the wipe (a restore keeps the
box's own audit trail, so the wiped box starts a new one) and at the end.

Needs: node, tests/browser/node_modules (npm ci, done by scripts/bootstrap), /usr/bin/chromium and a CJK
font for the screenshots (fonts-noto-cjk). Screenshots go to $KAKEHASHI_ARTIFACTS, else
build/test-artifacts/admin.
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOURCE, IntegrationTest, certs, inquiry_json, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from facility_ca import sign_client_csr  # noqa: E402
from page_source import PageSource  # noqa: E402
from browser_run import CHROMIUM, require_browser, run_script  # noqa: E402

WEB_ADMIN = os.path.join(SOURCE, "web-admin")
ADMIN_DIR = os.path.join(WEB_ADMIN, "admin")
P12_PASSPHRASE = "Shomeisho-Kagi-2026"
WEBHOOK_TOKEN = "webhook-secret-0123456789"  # json-webhook's secret setting: never to be seen in the page
# The plugins the box runs: the built-in spec-xml and json-webhook, whose settings schema has a secret (the
# other bundles under plugins/ are listed as not in the order).
PLUGINS = {"root": os.path.join(SOURCE, "plugins"), "order": ["json-webhook"], "developmentMode": True,
           "settings": {"json-webhook": {"callbackUrl": "https://chart.example/hook", "callbackToken": WEBHOOK_TOKEN}}}
RESTART_EXIT = 75  # the gateway stops and exits with this for systemd to start it again
CONFIRM_SECONDS = 5  # admin.confirmSeconds for the roll-back phase (90 s on a real box)
SERVED_EXTENSIONS = (".html", ".js", ".css", ".json", ".svg", ".png")

# Keys the modules build from what the appliance sends (t(`admin.role.${role}`) and the like): each
# family's members must exist too.
BUILT_KEYS = {
    "admin.role.": ("administrator", "operator", "auditor"),
    "admin.setting.": ("facility.name", "facility.institutionCode", "upstream.baseUrl",
                       "homeConsent.medicalInfoRetentionDays", "cardReaders.enabled", "fileDrop.enabled",
                       "fileDrop.resultEncoding", "fileDrop.faceExportBatches", "plugins.order"),
    "admin.cert.name.": ("upstream-client", "central-ca", "lan-api", "admin"),
    "admin.home.source.": ("central", "manual"),
    "admin.dash.linkState.": ("up", "down", "unknown"),
    "admin.receipt.encoding.": ("request", "utf-8", "shift_jis"),
    "admin.audit.subject.": ("login", "setup", "backup", "settings", "audit", "firmware", "staff-page"),
    "admin.plugins.state.": ("enabled", "disabled", "refused"),
    "admin.logs.level.": ("debug", "info", "warn", "error"),
    "admin.problem.": ("unauthorized", "forbidden", "not-found", "invalid-field", "account-locked", "setup-done",
                       "setup-code-wrong", "second-factor-wrong", "plugin-refused", "change-pending", "internal",
                       "length-required", "not-a-bundle", "no-space", "update-busy", "bundle-not-verified",
                       "upload-incomplete", "too-large", "sign-in-failed", "too-many-attempts", "pair-busy"),
    "admin.auditAction.": ("admin.setup", "admin.login", "admin.logout", "admin.setting-changed",
                           "admin.audit-verified", "admin.user-unlocked", "admin.certificate-installed",
                           "admin.change-confirmed", "admin.backup-made", "admin.api-client-issued",
                           "admin.api-client-revoked", "admin.restart", "admin.plugin-moved", "admin.user-password-reset",
                           "admin.password-changed", "admin.password-change-refused", "admin.pair-requested"),
    "admin.backup.contents.": ("users", "settings", "apiClients", "cacheEntries"),
    "admin.pair.state.": ("active", "ready", "standby", "offline"),
    "admin.pair.reason.": ("nodeLost", "standby", "requested", "serviceFailed", "unknown"),
    "admin.pair.action.": ("move", "standby", "online"),
    "admin.pair.request.": ("taken", "failed"),
    "admin.firmware.state.": ("waiting", "checking", "valid", "invalid", "installing", "rebooting", "install-failed",
                              "completed", "fell-back", "interrupted"),
}
FORBIDDEN_IN_JS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", ".style.", "console.", "eval(",
                   "new Function", "http://", "setAttribute('style", "setAttribute('on")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def admin_files(ext):
    """The admin's files of one kind, with the views' markup (views/*.html) among the .html."""
    found = glob.glob(os.path.join(ADMIN_DIR, "*" + ext))
    if ext == ".html":
        found += glob.glob(os.path.join(ADMIN_DIR, "views", "*.html"))
    return sorted(found)


class AdminPageFilesTest(unittest.TestCase):
    """The files alone: no gateway, no browser."""

    def tables(self):
        return {lang: json.loads(read(os.path.join(WEB_ADMIN, "i18n", lang + ".json"))) for lang in ("ja", "en")}

    def test_ja_and_en_have_the_same_keys_and_no_empty_text(self):
        tables = self.tables()
        self.assertEqual(sorted(set(tables["ja"]) - set(tables["en"])), [], "keys only in ja.json")
        self.assertEqual(sorted(set(tables["en"]) - set(tables["ja"])), [], "keys only in en.json")
        for lang, table in tables.items():
            empty = [k for k, v in table.items() if not isinstance(v, str) or not v.strip()]
            self.assertEqual(empty, [], "%s.json: empty texts" % lang)
        for lang in ("ja", "en"):  # a key given twice in one file would hide the first text
            pairs = json.loads(read(os.path.join(WEB_ADMIN, "i18n", lang + ".json")), object_pairs_hook=list)
            keys = [k for k, _ in pairs]
            self.assertEqual(sorted({k for k in keys if keys.count(k) > 1}), [], "%s.json: keys given twice" % lang)

    def test_every_key_the_admin_pages_name_exists(self):
        table = self.tables()["ja"]
        named = set()
        for path in admin_files(".html"):
            parser = PageSource()
            parser.feed(read(path))
            named |= parser.keys
        calls = set()
        for path in admin_files(".js"):
            source = read(path)
            calls |= set(re.findall(r"\bt\(\s*'([^']+)'", source))
            named |= set(re.findall(r"'(admin\.[A-Za-z0-9_.-]+)'", source))
            for family in re.findall(r"`(admin\.[A-Za-z0-9_.]+\.)\$\{", source):
                self.assertIn(family, BUILT_KEYS, "%s builds keys %s… that this test does not know"
                              % (os.path.basename(path), family))
        named |= calls
        for family, members in BUILT_KEYS.items():
            named |= {family + m for m in members}
        self.assertGreater(len(calls), 50, "the t('…') calls were not found")
        self.assertEqual(sorted(named - set(table)), [], "keys the admin pages use but the tables lack")
        # The admin's own keys, and none of them only in the tables by mistake of a typo elsewhere.
        self.assertTrue(all(k.startswith("admin.") for k in named), sorted(k for k in named if not k.startswith("admin.")))

    def test_the_pages_keep_to_the_csp_and_load_only_their_own_files(self):
        names = sorted(os.listdir(ADMIN_DIR))
        self.assertIn("index.html", names)
        for name in names:
            if name == "views":  # the views' markup, one file each
                self.assertTrue(all(v.endswith(".html") for v in os.listdir(os.path.join(ADMIN_DIR, name))))
                continue
            self.assertTrue(os.path.isfile(os.path.join(ADMIN_DIR, name)), "web-admin/admin holds files and views/: " + name)
            self.assertTrue(name.endswith(SERVED_EXTENSIONS), "the appliance does not serve " + name)
            self.assertRegex(name, r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$", "a name the appliance serves")
        for path in admin_files(".html"):
            parser = PageSource()
            parser.feed(read(path))
            with self.subTest(page=os.path.basename(path)):
                self.assertEqual(parser.inline, [], "the CSP refuses inline script and style")
                self.assertEqual(sorted({i for i in parser.ids if parser.ids.count(i) > 1}), [], "ids given twice")
                for url in parser.urls:
                    if url.startswith("#"):
                        continue
                    self.assertRegex(url, r"^/(admin|i18n)/[A-Za-z0-9_.-]+(\?.*)?$|^/admin/api/[a-z0-9/._-]+$",
                                     "absolute paths to the page's own files or the admin API: " + url)
                    if url.startswith("/admin/") and not url.startswith("/admin/api/"):
                        self.assertTrue(os.path.isfile(os.path.join(ADMIN_DIR, url.split("/")[2])), url)
        every_id = []  # index.html and the views make one page
        for path in admin_files(".html"):
            parser = PageSource()
            parser.feed(read(path))
            every_id += parser.ids
        self.assertEqual(sorted({i for i in every_id if every_id.count(i) > 1}), [], "ids given twice in the page")
        listed = re.search(r"const VIEW_FILES = \[([^\]]*)\]", read(os.path.join(ADMIN_DIR, "app.js")))
        self.assertEqual(sorted(re.findall(r"'([a-z-]+)'", listed.group(1))),
                         sorted(n[:-5] for n in os.listdir(os.path.join(ADMIN_DIR, "views"))),
                         "app.js loads every file in views/ and no other")
        modules = {os.path.basename(p) for p in admin_files(".js")}
        for path in admin_files(".js"):
            source = read(path)
            with self.subTest(module=os.path.basename(path)):
                for imported in re.findall(r"^import .* from '([^']+)';", source, re.M):
                    if imported == "/i18n/texts.js":  # the text module every page shares
                        self.assertTrue(os.path.isfile(os.path.join(SOURCE, "web-admin", "i18n", "texts.js")))
                        continue
                    self.assertRegex(imported, r"^\./[A-Za-z0-9_-]+\.js$")
                    self.assertIn(imported[2:], modules)
                for forbidden in FORBIDDEN_IN_JS:
                    self.assertNotIn(forbidden, source)
        for path in admin_files(".css"):
            self.assertNotIn("@import", read(path))
            self.assertNotRegex(read(path), r"url\((?!data:)", "no files from elsewhere")


class AdminPagesInBrowserTest(IntegrationTest):

    def setUp(self):
        type(self).gateway_options = dict(admin_options(), webAdminRoot=WEB_ADMIN, plugins=PLUGINS)
        super().setUp()
        self.admin = AdminClient(self.gateway)
        self.token_answers = []        # the LAN API's statuses for the tokens the page showed
        self.audit_before_reset = None  # the audit actions of the box before it was wiped

    def artifacts(self):
        return os.environ.get("KAKEHASHI_ARTIFACTS") or os.path.join(SOURCE, "build", "test-artifacts", "admin")

    def get(self, path):
        status, body = self.admin.request("GET", path)
        return status, body, self.admin.last

    def test_admin_files_are_served_on_the_admin_listener_with_the_csp(self):
        for path, type_ in (("/admin", "text/html"), ("/admin/", "text/html"), ("/admin/app.js", "text/javascript"),
                            ("/admin/admin.css", "text/css"), ("/admin/icon.svg", "image/svg+xml"),
                            ("/i18n/ja.json", "application/json")):
            with self.subTest(path=path):
                status, _, res = self.get(path)
                self.assertEqual(status, 200)
                self.assertTrue(res.getheader("Content-Type").startswith(type_), res.getheader("Content-Type"))
                csp = res.getheader("Content-Security-Policy") or ""
                for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                                  "connect-src 'self'", "frame-ancestors 'none'"):
                    self.assertIn(directive, csp)
        for name in os.listdir(ADMIN_DIR):
            with self.subTest(name=name):
                if name == "views":
                    for view in os.listdir(os.path.join(ADMIN_DIR, name)):
                        self.assertEqual(self.get("/admin/views/" + view)[0], 200)
                    self.assertEqual(self.get("/admin/views")[0], 404)  # a folder of parts, not a page
                    continue
                self.assertEqual(self.get("/admin/" + name)[0], 200)
        for path in ("/admin/../staff/card-check.html", "/admin/nope.js", "/admin/sub/app.js", "/staff",
                     "/admin/.app.js"):
            with self.subTest(path=path):
                self.assertEqual(self.get(path)[0], 404)

    # --- what the browser script asks of this side ---------------------------------------------------------

    def make_inquiries(self):
        person = self.persons(1, validity="1")[0]
        for _ in range(2):
            status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(person))
            self.assertEqual(status, 200, body)
        return {"count": 2}

    def tamper_audit_row(self):
        db = sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))
        try:
            row = db.execute("SELECT id FROM audit_log WHERE action = 'admin.setting-changed' ORDER BY id LIMIT 1").fetchone()[0]
            db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", (row,))
            db.commit()
        finally:
            db.close()
        return {"row": row}

    # --- the facility CA's side (openssl CLI), as a vendor or the certificate authority would do it ----------

    def openssl(self, *args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    def pki(self, name):
        return os.path.join(self.workdir, "pki", name)

    def client_pkcs12(self, name="client"):
        """A new client certificate of 45 days (inside the 60-day warning) with its key, as PKCS#12."""
        os.makedirs(self.pki(""), exist_ok=True)
        key, csr, crt, p12 = (self.pki(name + ext) for ext in (".key", ".csr", ".crt", ".p12"))
        self.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        self.openssl("req", "-new", "-sha256", "-key", key, "-subj",
                     "/O=Kakehashi Demo Clinic/CN=" + self.gateway.config["institutionCode"], "-out", csr)
        sign_client_csr(csr, crt, 45)
        self.openssl("pkcs12", "-export", "-inkey", key, "-in", crt, "-certfile", os.path.join(certs(), "facility-ca.crt"),
                     "-name", "facility", "-passout", "pass:" + P12_PASSPHRASE, "-out", p12)
        return p12

    def sign_csr(self, markers):
        return {"pem": sign_client_csr(os.path.join(markers, "request.csr"), self.pki("from-csr.crt"), 200)}

    def restart_gateway(self):
        """The gateway exits by itself for its restart; started again as systemd would."""
        gateway = self.gateway
        wait_until(lambda: gateway.proc.poll() is not None, 30, "the gateway to exit for its restart")
        code = gateway.proc.returncode
        gateway.log.close()
        gateway.start()
        return {"exitCode": code}

    def try_tokens(self, asked):
        """Tokens the page showed, used as a receipt computer would on the LAN API."""
        statuses = [self.gateway.request("GET", "/api/v1/plugins", auth=False,
                                         headers={"Authorization": "Bearer " + token})[0] for token in asked["tokens"]]
        self.token_answers.extend(statuses)
        return {"statuses": statuses}

    def audit_actions(self):
        db = sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))
        try:
            return [tuple(r) for r in db.execute("SELECT action, actor, detail FROM audit_log ORDER BY id")]
        finally:
            db.close()

    def reset_box(self):
        """A wiped box, as a replacement would arrive: state and keys gone; a new setup code in the log."""
        gateway = self.gateway
        self.audit_before_reset = self.audit_actions()
        old_code = setup_code(gateway)
        self.assertEqual(gateway.stop(), 0)
        shutil.rmtree(gateway.config["stateDir"])
        shutil.rmtree(gateway.config["keyDir"])
        gateway.start()
        return {"setupCode": wait_until(lambda: setup_code(gateway) != old_code and setup_code(gateway), 10, "a new setup code")}

    def restart_with_short_window(self):
        """The same box again with a confirmation window of a few seconds, so a roll-back is seen quickly."""
        gateway = self.gateway
        self.assertEqual(gateway.stop(), 0)
        gateway.config["admin"]["confirmSeconds"] = CONFIRM_SECONDS
        with open(gateway.config_path, "w") as f:
            json.dump(gateway.config, f, indent=2)
        gateway.start()
        return {"confirmSeconds": CONFIRM_SECONDS}

    def run_browser(self, env, markers):
        answers = {"inquiries": lambda _: self.make_inquiries(), "tamper": lambda _: self.tamper_audit_row(),
                   "sign-csr": lambda _: self.sign_csr(markers), "restart": lambda _: self.restart_gateway(),
                   "api-token": self.try_tokens, "api-token-revoked": self.try_tokens,
                   "api-token-reissued": self.try_tokens,
                   "reset": lambda _: self.reset_box(), "restore-restart": lambda _: self.restart_gateway(),
                   "short-window": lambda _: self.restart_with_short_window()}
        return run_script(self, "admin_pages.mjs", env, markers, answers, minutes=10)

    def test_it_staff_set_up_sign_in_and_run_the_box_in_a_browser(self):
        require_browser(self)
        markers = tempfile.mkdtemp(prefix="markers-", dir=self.workdir)
        env = dict(os.environ, KAKEHASHI_ADMIN_URL="https://127.0.0.1:%d" % self.admin.port,
                   SETUP_CODE=setup_code(self.gateway), SCREENSHOT_DIR=self.artifacts(), MARKER_DIR=markers,
                   CLIENT_P12=self.client_pkcs12(), CLIENT_P12_PASSPHRASE=P12_PASSPHRASE,
                   CLIENT_P12_ROLLBACK=self.client_pkcs12("rollback"),
                   CENTRAL_CA=os.path.join(certs(), "central-ca.crt"), PLUGIN_SECRET=WEBHOOK_TOKEN, CHROMIUM=CHROMIUM)
        code, stdout, stderr, asked = self.run_browser(env, markers)
        report = "\n".join(("stdout:", stdout, "stderr:", stderr, "gateway log:", self.gateway.tail_log()))
        self.assertEqual(code, 0, report)
        sys.stderr.write(stdout)
        for name in ("inquiries", "api-token", "api-token-revoked", "api-token-reissued", "tamper", "sign-csr",
                     "restart", "reset", "restore-restart", "short-window"):
            self.assertIn(name, asked, "the script never asked for " + name)
        self.assertEqual(self.token_answers, [200, 401, 401, 200],
                         "on the LAN API: the issued token works, the revoked one not; a client's old token not, its new one")
        # What the pages did, as the appliance recorded it: the first box up to its wipe ...
        actions = [a for a, _, _ in self.audit_before_reset]
        for action in ("admin.setup-refused", "admin.setup", "admin.second-factor-enrolled", "admin.logout",
                       "admin.login", "admin.user-added", "admin.login-locked", "admin.user-unlocked",
                       "admin.user-disabled", "admin.user-enabled", "admin.user-role-changed",
                       "admin.user-second-factor-reset", "admin.plugin-reloaded", "admin.plugin-settings-refused",
                       "admin.plugin-settings-changed",
                       "admin.setting-changed", "admin.home-reception-url-set", "admin.plugin-disabled",
                       "admin.plugin-enabled", "admin.audit-verified", "admin.audit-exported",
                       "admin.certificate-installed", "admin.certificate-csr-made", "admin.change-confirmed",
                       "admin.change-rolled-back", "admin.backup-made", "admin.backup-config-exported",
                       "admin.backup-config-imported", "admin.backup-restore-refused", "admin.backup-restore-staged",
                       "admin.restart", "admin.api-client-revoked"):
            self.assertIn(action, actions)
        self.assertEqual(actions.count("admin.login-refused"), 5,
                         "four wrong passwords before the lock, and the right one during it")
        issued_here = [a for a, actor, _ in self.audit_before_reset if a == "admin.api-client-issued" and actor != "cli"]
        self.assertEqual(len(issued_here), 3, "a client in the wizard, one in the channels view, a new token")
        # ... and the wiped box: restored through the wizard, signed in, a certificate rolled back unconfirmed.
        after = self.audit_actions()
        for action in ("admin.backup-setup-restore-refused", "admin.backup-setup-restore-staged", "admin.login",
                       "admin.certificate-installed"):
            self.assertIn(action, [a for a, _, _ in after])
        self.assertNotIn("admin.setup", [a for a, _, _ in after], "the wiped box was restored, not set up anew")
        self.assertIn(("admin.change-rolled-back", "system"), [(a, who) for a, who, detail in after
                                                                 if "期限内に確定されなかった" in detail])

if __name__ == "__main__":
    unittest.main(verbosity=2)

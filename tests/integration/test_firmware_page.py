#!/usr/bin/env python3
"""The web admin's firmware update view (web-admin/admin/firmware.js) in a real browser, against a gateway
whose update folder is served by the appliance image's real updater.

First, without a gateway (fast): every element the view's module looks up exists in the page once, and the
view is in the menu for administrators only (manage-settings).

Then a simulator and a gateway with the web admin and `firmware.updateDir` on, a release file saying 0.1.0,
and firmware_rig's bundles (good, signed by another CA, for another device) with the image's updater run
whenever the gateway leaves a request, as kakehashi-update.path does on the box. tests/browser/
firmware_update.mjs signs in as the administrator made here, uploads a text file, the two bad bundles and
the good one, installs it (rauc install fails on this machine, which has no slots: the page must show that
outcome with the updater's message, which this side reads from the status file), discards it, repeats the
check in English, and follows an install through a reboot answered in its own place (this machine cannot
reboot into a slot). Afterwards the audit log must hold what the page did, and the updater must have run
exactly once per request.

Needs: node, tests/browser/node_modules (npm ci), /usr/bin/chromium, a CJK font, rauc, mksquashfs and
mkfs.ext4 (scripts/make-bundle). Screenshots go to $KAKEHASHI_ARTIFACTS, else build/test-artifacts/firmware.
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, SOURCE, CentralSim, Gateway, IntegrationTest  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from browser_run import CHROMIUM, require_browser, run_script  # noqa: E402
import firmware_rig  # noqa: E402

WEB_ADMIN = os.path.join(SOURCE, "web-admin")
USERNAME = "it-sato"
PASSWORD = "Koshin-Kanri-2026!"
RELEASE_BUILT = "2026-11-29T03:04:05Z"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def fields(path):
    """A key=value file of the updater (the first of a key wins, as the gateway reads it)."""
    out = {}
    for line in read(path).splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out.setdefault(key, value)
    return out


class FirmwarePageFilesTest(unittest.TestCase):
    """The files alone: no gateway, no browser."""

    def test_every_element_the_module_looks_up_is_in_the_page_once(self):
        page = read(os.path.join(WEB_ADMIN, "admin", "views", "firmware.html"))  # the view's markup
        module = read(os.path.join(WEB_ADMIN, "admin", "firmware.js"))
        looked_up = set(re.findall(r"\$\('([a-z0-9-]+)'\)", module))
        self.assertGreater(len(looked_up), 20, "the module's look-ups were not found")
        for name in sorted(looked_up - {"firmware-discard"}):  # the discard button is made by the module
            with self.subTest(id=name):
                self.assertEqual(page.count('id="%s"' % name), 1)

    def test_the_view_is_in_the_menu_for_administrators_only(self):
        page = read(os.path.join(WEB_ADMIN, "admin", "index.html"))
        self.assertRegex(page, r'<a href="#firmware" data-view="firmware" data-permission="manage-settings"')
        self.assertIn('<section id="view-firmware" class="view" hidden>',
                      read(os.path.join(WEB_ADMIN, "admin", "views", "firmware.html")))
        self.assertIn("firmware: createFirmware(ctx)", read(os.path.join(WEB_ADMIN, "admin", "app.js")))


class FirmwarePageInBrowserTest(IntegrationTest):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-it-")
        self.update_dir = os.path.join(self.workdir, "update")
        self.bundles = firmware_rig.TestBundles(os.path.join(self.workdir, "bundles"))
        self.release = os.path.join(self.workdir, "kakehashi-release")
        self.version = subprocess.run([KAKEHASHI_BIN, "version"], check=True, capture_output=True,
                                      text=True).stdout.split()[-1]
        with open(self.release, "w") as f:
            f.write("KAKEHASHI_VERSION=%s\nKAKEHASHI_BUILT=%s\n" % (self.version, RELEASE_BUILT))
        self.sim = CentralSim(self.workdir).start()
        try:
            self.gateway = Gateway(self.workdir, self.sim, webAdminRoot=WEB_ADMIN, **admin_options(),
                                   firmware=firmware_rig.firmware_config(self.update_dir, self.release)).start()
        except BaseException:
            self.sim.stop()
            raise
        self.used_persons = []
        self.updater = firmware_rig.Updater(self.update_dir, self.bundles.conf, os.path.join(self.workdir, "updater.log"),
                                            self.release).start()

    def tearDown(self):
        self.updater.stop()
        super().tearDown()

    def artifacts(self):
        return os.environ.get("KAKEHASHI_ARTIFACTS") or os.path.join(SOURCE, "build", "test-artifacts", "firmware")

    def administrator(self):
        """The first administrator, made through the API; the browser signs in as them."""
        admin = AdminClient(self.gateway)
        status, body = admin.setup(setup_code(self.gateway), username=USERNAME, password=PASSWORD, display="佐藤 情報")
        self.assertEqual(status, 201, body)
        secret, _ = admin.enrol()
        return secret, int(time.time() // 30)  # the enrolment used this time step (or the one before)

    def audit_actions(self):
        db = sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))
        try:
            return [tuple(r) for r in db.execute("SELECT action, actor FROM audit_log ORDER BY id")]
        finally:
            db.close()

    def test_an_administrator_uploads_checks_installs_and_discards_bundles_in_a_browser(self):
        require_browser(self)
        secret, used_step = self.administrator()
        markers = tempfile.mkdtemp(prefix="markers-", dir=self.workdir)
        not_a_bundle = os.path.join(self.workdir, "readme.txt")
        with open(not_a_bundle, "w") as f:
            f.write("これは更新ファイルではありません。\nThis is not a bundle.\n")
        env = dict(os.environ, KAKEHASHI_ADMIN_URL="https://127.0.0.1:%d" % AdminClient(self.gateway).port,
                   ADMIN_USERNAME=USERNAME, ADMIN_PASSWORD=PASSWORD, TOTP_SECRET=secret, TOTP_USED_STEP=str(used_step),
                   BUNDLE_GOOD=self.bundles.good, BUNDLE_WRONGKEY=self.bundles.wrongkey, BUNDLE_COMPAT=self.bundles.compat,
                   NOT_A_BUNDLE=not_a_bundle, BUNDLE_VERSION=firmware_rig.BUNDLE_VERSION, RUNNING_VERSION=self.version,
                   RELEASE_BUILT=RELEASE_BUILT, SCREENSHOT_DIR=self.artifacts(), MARKER_DIR=markers, CHROMIUM=CHROMIUM)
        answers = {"status": lambda _: fields(os.path.join(firmware_rig.status_dir_of(self.update_dir), "status"))}
        code, stdout, stderr, asked = run_script(self, "firmware_update.mjs", env, markers, answers, minutes=5)
        report = "\n".join(("stdout:", stdout, "stderr:", stderr, "gateway log:", self.gateway.tail_log(),
                            "updater log:", read(self.updater.log_path) if os.path.exists(self.updater.log_path) else ""))
        self.assertEqual(code, 0, report)
        sys.stderr.write(stdout)
        self.assertEqual(asked, {"status"}, "the script never compared the page with the updater's status")
        # What reached the appliance: four bundles taken (two bad, the good one twice), no text file (the page
        # refused both itself), one install asked for (the one after the reboot was answered by the script),
        # two discards.
        firmware = [(a, who) for a, who in self.audit_actions() if a.startswith("admin.firmware-")]
        counts = {a: sum(1 for x, _ in firmware if x == a) for a, _ in firmware}
        self.assertEqual(counts, {"admin.firmware-uploaded": 4,
                                  "admin.firmware-install-requested": 1, "admin.firmware-discarded": 2}, firmware)
        self.assertEqual({who for _, who in firmware}, {USERNAME})
        # The real updater ran once for each request: four checks and the install.
        self.assertEqual(self.updater.runs, 5, read(self.updater.log_path))
        self.assertIn("install-failed", read(self.updater.log_path))
        self.assertFalse(os.path.exists(os.path.join(self.update_dir, "bundle.raucb")), "the discarded bundle is still there")
        self.assertFalse(os.path.exists(os.path.join(self.update_dir, "request")), "a request was left behind")


if __name__ == "__main__":
    unittest.main(verbosity=2)

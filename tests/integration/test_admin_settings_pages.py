#!/usr/bin/env python3
"""The web admin's pages for what IT staff set there instead of the configuration file, in a real browser:
tests/browser/admin_settings.mjs (playwright-core driving Debian's Chromium) against a gateway whose first
administrator this side made through the API. The script orders plugins, changes the file channel's result
encoding, restarts the box from the restart banner, resets a user's password and changes its own; it asks
this side, through marker files, which plugin answered a file on the plugins' shared folder, for the
restart (as systemd would start the gateway again) and for sign-ins with the passwords the page set.

Needs: node, tests/browser/node_modules (npm ci), /usr/bin/chromium and a CJK font for the screenshots.
Screenshots go to $KAKEHASHI_ARTIFACTS, else build/test-artifacts/admin-settings.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, SOURCE, IntegrationTest, main, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from browser_run import CHROMIUM, require_browser, run_script  # noqa: E402
from test_stored_settings import write_echo_plugin  # noqa: E402

WEB_ADMIN = os.path.join(SOURCE, "web-admin")
ADMIN_PASSWORD = "Hashi-Kanrisha-2026!"
RESTART_EXIT = 75


class AdminSettingsPagesTest(IntegrationTest):
    def setUp(self):
        self.plugins = os.path.join("/tmp", "kakehashi-settings-pages-%d" % os.getpid())
        shutil.rmtree(self.plugins, ignore_errors=True)
        keys = self.plugins + "-keys"
        os.makedirs(keys, exist_ok=True)
        subprocess.run([KAKEHASHI_BIN, "plugin", "keygen", keys + "/vendor.key", keys + "/vendor.pub"],
                       check=True, capture_output=True)
        for pid, name in (("first-echo", "先のアダプター"), ("second-echo", "後のアダプター")):
            write_echo_plugin(self.plugins, pid, name)
            subprocess.run([KAKEHASHI_BIN, "plugin", "sign", os.path.join(self.plugins, pid), "--key",
                            keys + "/vendor.key"], check=True, capture_output=True)
        write_echo_plugin(self.plugins, "dev-echo", "開発中のアダプター", folder="dev-check")  # left unsigned
        type(self).gateway_options = dict(admin_options(), webAdminRoot=WEB_ADMIN, plugins={
            "root": self.plugins, "order": ["dev-echo"], "trustedKeys": [keys + "/vendor.pub"],
            "developmentMode": True})
        super().setUp()
        admin = AdminClient(self.gateway)
        status, body = admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.enrolled_step = int(time.time() // 30)
        self.secret, _ = admin.enrol()

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            shutil.rmtree(self.plugins, ignore_errors=True)
            shutil.rmtree(self.plugins + "-keys", ignore_errors=True)

    def artifacts(self):
        return os.environ.get("KAKEHASHI_ARTIFACTS") or os.path.join(SOURCE, "build", "test-artifacts", "admin-settings")

    # --- what the browser script asks of this side ---------------------------------------------------------

    def plugin_answer(self):
        """A file on the shared vendor folder: the plugin first in the order takes it and names itself."""
        folder = os.path.join(self.gateway.share, "order-check")
        wait_until(lambda: os.path.isdir(os.path.join(folder, "in")), 10, "the vendor folder order-check")
        with open(os.path.join(folder, "in", ".which.txt"), "wb") as f:
            f.write(b"which plugin?")
        os.rename(os.path.join(folder, "in", ".which.txt"), os.path.join(folder, "in", "which.txt"))
        path = os.path.join(folder, "out", "which.txt.answer")
        wait_until(lambda: os.path.exists(path), 30, "the answer on the shared folder")
        with open(path) as f:
            return {"plugin": f.read()}

    def restart_gateway(self):
        gateway = self.gateway
        wait_until(lambda: gateway.proc.poll() is not None, 30, "the gateway to exit for its restart")
        code = gateway.proc.returncode
        gateway.log.close()
        gateway.start()
        return {"exitCode": code}

    def sign_in(self, asked):
        status, _ = AdminClient(self.gateway, source="127.0.0.3").login(asked["username"], asked["password"])
        return {"status": status}

    def test_settings_kept_in_the_box_are_changed_and_applied_from_the_pages(self):
        require_browser(self)
        markers = tempfile.mkdtemp(prefix="markers-", dir=self.workdir)
        port = int(self.gateway.config["admin"]["listen"].rsplit(":", 1)[1])
        env = dict(os.environ, KAKEHASHI_ADMIN_URL="https://127.0.0.1:%d" % port, ADMIN_USERNAME="admin",
                   ADMIN_PASSWORD=ADMIN_PASSWORD, TOTP_SECRET=self.secret, TOTP_LAST_STEP=str(self.enrolled_step),
                   SCREENSHOT_DIR=self.artifacts(), MARKER_DIR=markers, CHROMIUM=CHROMIUM)
        answers = {"plugin-answer": lambda _: self.plugin_answer(), "restart": lambda _: self.restart_gateway(),
                   "sign-in": self.sign_in}
        code, stdout, stderr, asked = run_script(self, "admin_settings.mjs", env, markers, answers, minutes=6)
        report = "\n".join(("stdout:", stdout, "stderr:", stderr, "gateway log:", self.gateway.tail_log()))
        self.assertEqual(code, 0, report)
        sys.stderr.write(stdout)
        self.assertEqual(asked, {"plugin-answer", "restart", "sign-in"})


if __name__ == "__main__":
    main()

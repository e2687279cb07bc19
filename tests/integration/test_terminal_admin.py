"""Setting up upstream profile "terminal" from the web admin alone: the share, its account and the pace as
settings, the password sealed in the store and never shown again, the 接続テスト against a real smbd (what is
wrong said in Japanese), and after a restart the inquiries going through the terminal with that password."""
import json
import os
import sqlite3

from admin_client import AdminClient, admin_options, setup_code
from harness import IntegrationTest, inquiry_json, main, wait_until
from terminal_rig import TerminalRig


def has_japanese(text):
    return any(ord(c) > 0x3000 for c in text)


class TerminalAdminTest(IntegrationTest):
    profile = "central-v1"  # the box starts as shipped; the web admin moves it to the terminal

    def setUp(self):
        type(self).gateway_options = admin_options()
        super().setUp()
        self.rig = TerminalRig(self.workdir, self.sim, sessions=5).start()
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.admin.enrol()

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            self.rig.stop()

    def put_setting(self, key, value):
        status, body = self.admin.request("PUT", "/admin/api/settings/" + key, {"value": value})
        self.assertEqual(status, 200, body)
        return body

    def test_the_terminal_is_set_up_tested_and_used_from_the_web_admin(self):
        # A share that is not smb://host/share is refused in Japanese.
        status, body = self.admin.request("PUT", "/admin/api/settings/upstream.terminal.url", {"value": "http://x/y"})
        self.assertEqual(status, 422, body)
        self.assertTrue(has_japanese(json.dumps(body, ensure_ascii=False)))

        self.put_setting("upstream.terminal.url", self.rig.url)
        self.put_setting("upstream.terminal.user", self.rig.user)
        self.put_setting("upstream.terminal.concurrency", "5")
        self.assertTrue(self.put_setting("upstream.profile", "terminal")["restartPending"])

        # A wrong password: the test says so, folder by folder or as a whole, in Japanese.
        status, body = self.admin.request("PUT", "/admin/api/upstream/terminal/password", {"password": "wrong-password"})
        self.assertEqual((status, body), (200, {"passwordSet": True}))
        status, result = self.admin.request("POST", "/admin/api/upstream/terminal/test", {})
        self.assertEqual(status, 200, result)
        self.assertFalse(result["ok"])
        self.assertEqual(result["problems"], [], "the settings themselves are right")
        self.assertTrue(result["folders"] and not any(f["ok"] for f in result["folders"]), result)
        self.assertTrue(all(has_japanese(f["problem"]) for f in result["folders"]), result)

        # The right one: every folder of the share is listed.
        status, body = self.admin.request("PUT", "/admin/api/upstream/terminal/password", {"password": self.rig.password})
        self.assertEqual(status, 200, body)
        status, result = self.admin.request("POST", "/admin/api/upstream/terminal/test", {})
        self.assertEqual(status, 200, result)
        self.assertTrue(result["ok"], result)
        self.assertEqual([(f["name"], f["ok"]) for f in result["folders"]], [("req", True), ("res", True), ("face", True)])

        # The password is never given back, and the store holds it sealed, not as typed.
        status, state = self.admin.request("GET", "/admin/api/upstream/terminal")
        self.assertEqual((status, state), (200, {"passwordSet": True}))
        status, listing = self.admin.request("GET", "/admin/api/settings")
        self.assertNotIn(self.rig.password, json.dumps(listing))
        db = sqlite3.connect(os.path.join(self.gateway.config["stateDir"], "kakehashi.db"))
        try:
            stored = db.execute("SELECT group_concat(value, '|') FROM settings").fetchone()[0] or ""
        finally:
            db.close()
        self.assertNotIn(self.rig.password, stored)
        events = [e["action"] for e in self.admin.request("GET", "/admin/api/audit?limit=50")[1]["entries"]]
        self.assertIn("admin.terminal-password-set", events)
        self.assertIn("admin.terminal-tested", events)

        # After a restart the box talks to the terminal's share, with the sealed password.
        self.assertEqual(self.gateway.stop(), 0)
        self.gateway.start()
        p = self.persons(1, validity="1")[0]
        status, answer, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["eligibility"]["cardNumber"], p["cardNumber"])
        taken = wait_until(lambda: self.rig.log()["entries"] or None, 30, "the terminal's log of the request file")
        self.assertEqual([e["name"][:14] for e in taken], ["OQSsiquc01req_"])


if __name__ == "__main__":
    main()

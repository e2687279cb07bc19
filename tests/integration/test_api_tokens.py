#!/usr/bin/env python3
"""API client tokens against a real gateway: a token re-issued with the CLI (another process) while the
gateway runs stops working at once and the new one works, without a restart; an expired token is refused
with its reason in Japanese; address ranges are checked and normalised by the CLI (a bad one is refused
with a non-zero exit, naming it); `api-client list` shows clients, never tokens.
"""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, IntegrationTest, main  # noqa: E402

EXPIRED = "トークンの有効期限が切れています。再発行してください"


class ApiTokenTest(IntegrationTest):
    def cli(self, *args):
        return subprocess.run([KAKEHASHI_BIN, "api-client", *args, "--config", self.gateway.config_path],
                              capture_output=True, text=True, timeout=30)

    def issue(self, name, *options):
        out = self.cli("add", name, *options)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.strip()

    def call(self, token):
        status, body, _ = self.gateway.request("GET", "/api/v1/plugins", auth=False,
                                               headers={"Authorization": "Bearer " + token})
        return status, body

    def test_a_token_reissued_by_the_cli_is_refused_at_once_and_the_new_one_works(self):
        old = self.gateway.token
        self.assertEqual(self.call(old)[0], 200)
        self.assertEqual(self.call(old)[0], 200)  # remembered by the gateway now
        new = self.issue("test-client")
        self.assertNotEqual(new, old)
        status, body = self.call(old)
        self.assertEqual(status, 401, body)
        self.assertEqual(self.call(new)[0], 200)
        self.assertTrue(self.gateway.alive())

    def test_an_expired_token_is_refused_with_its_reason(self):
        token = self.issue("short-lived", "--expires-days", "1")
        self.assertEqual(self.call(token)[0], 200)
        # A day later, as far as the stored expiry is concerned (written by another process, like the CLI).
        db = sqlite3.connect(os.path.join(self.gateway.config["stateDir"], "kakehashi.db"))
        db.execute("UPDATE api_clients SET expires_at = strftime('%s','now') - 1 WHERE name = 'short-lived'")
        db.commit()
        db.close()
        status, body = self.call(token)
        self.assertEqual(status, 401, body)
        self.assertIn(EXPIRED, body["detail"])
        listed = self.cli("list")
        line = next(line for line in listed.stdout.splitlines() if line.startswith("short-lived\t"))
        self.assertIn("期限切れ (expired)", line)
        self.assertEqual(self.call(self.issue("short-lived"))[0], 200, "a new token works again")

    def test_address_ranges_are_checked_and_normalised_and_the_list_shows_no_token(self):
        out = self.cli("add", "rececon-bad", "--allow", "192.168.1.0/24,10.0.0.0/99")
        self.assertNotEqual(out.returncode, 0)
        self.assertEqual(out.stdout, "", "no token for a refused client")
        self.assertIn("10.0.0.0/99", out.stderr)
        self.assertIn("プレフィックス長", out.stderr)
        self.assertIn("prefix length", out.stderr)
        self.assertNotEqual(self.cli("add", "rececon-bad", "--expires-days", "soon").returncode, 0)

        token = self.issue("rececon-1", "--allow", "127.0.0.77/8, ::1", "--expires-days", "0")
        self.assertEqual(self.call(token)[0], 200, "127.0.0.1 is in 127.0.0.0/8")
        listed = self.cli("list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        lines = listed.stdout.splitlines()
        self.assertTrue(lines[0].startswith("名前 (name)"))
        names = [line.split("\t")[0] for line in lines[1:]]
        self.assertEqual(names, ["rececon-1", "test-client"])
        rececon = lines[1].split("\t")
        self.assertEqual(rececon[1], "127.0.0.0/8,::1/128")
        self.assertEqual(rececon[3], "無期限 (never)")
        self.assertRegex(lines[2].split("\t")[3], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")
        for t in (token, self.gateway.token):
            self.assertNotIn(t, listed.stdout)


if __name__ == "__main__":
    main()

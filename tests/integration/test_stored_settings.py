#!/usr/bin/env python3
"""What IT staff set in the web admin instead of the configuration file, against a real gateway: plugins
enabled and ordered from the admin API run after the restart asked for there, in that order; the file
channel's result encoding set there decides the written result's encoding after the restart; a user's own
password change and an administrator's reset (typed, or a one-time password) are what signs in afterwards.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, IntegrationTest, main, parse, single_request, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402

ADMIN_PASSWORD = "Hashi-Kanrisha-2026!"
RESTART_EXIT = 75  # the gateway stops and exits with this for systemd to start it again


def write_echo_plugin(root, pid, name=None, folder="order-check"):
    """A plugin on a vendor folder ("order-check", shared by every such plugin) that answers every file with
    its own id, so the answer says which plugin took the file."""
    d = os.path.join(root, pid)
    os.makedirs(d, exist_ok=True)
    manifest = {"id": pid, "name": name or pid, "description": "順番の確認用", "version": "0.0.1", "apiLevel": 1,
                "kind": "adapter", "entry": "adapter.lua",
                "channels": [{"type": "file", "folder": folder, "pattern": "*.txt"}]}
    with open(os.path.join(d, "plugin.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False)
    with open(os.path.join(d, "adapter.lua"), "w") as f:
        f.write("local M = {}\nfunction M.decode_request(msg, ctx) return { entries = {} } end\n"
                "function M.encode_result(result, ctx)\n"
                "  return { { name = result.request.name .. '.answer', body = '%s' } }\nend\nreturn M\n" % pid)


class StoredSettingsTest(IntegrationTest):
    def setUp(self):
        self.plugins = os.path.join("/tmp", "kakehashi-stored-plugins-%d" % os.getpid())
        shutil.rmtree(self.plugins, ignore_errors=True)
        keys = self.plugins + "-keys"
        os.makedirs(keys, exist_ok=True)
        for pid in ("first-echo", "second-echo"):
            write_echo_plugin(self.plugins, pid)
        subprocess.run([KAKEHASHI_BIN, "plugin", "keygen", keys + "/vendor.key", keys + "/vendor.pub"],
                       check=True, capture_output=True)
        for pid in ("first-echo", "second-echo"):
            subprocess.run([KAKEHASHI_BIN, "plugin", "sign", os.path.join(self.plugins, pid), "--key",
                            keys + "/vendor.key"], check=True, capture_output=True)
        # The configuration file enables no plugin: whatever runs was enabled in the web admin.
        self.gateway_options = dict(admin_options(), plugins={
            "root": self.plugins, "order": [], "trustedKeys": [keys + "/vendor.pub"]})
        super().setUp()
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.secret, _ = self.admin.enrol()

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            shutil.rmtree(self.plugins, ignore_errors=True)
            shutil.rmtree(self.plugins + "-keys", ignore_errors=True)

    def restart_from_admin(self):
        """The web admin's 本機を再起動: the gateway exits for its restart and is started again as systemd would."""
        status, body = self.admin.request("POST", "/admin/api/restart")
        self.assertEqual(status, 202, body)
        gw = self.gateway
        wait_until(lambda: gw.proc.poll() is not None, 20, "the gateway to exit for its restart")
        self.assertEqual(gw.proc.returncode, RESTART_EXIT)
        gw.log.close()
        gw.start()

    def setting(self, key):
        status, body = self.admin.request("GET", "/admin/api/settings")
        self.assertEqual(status, 200, body)
        return body, next(s for s in body["settings"] if s["key"] == key)

    def plugin_list(self):
        status, body = self.admin.request("GET", "/admin/api/plugins")
        self.assertEqual(status, 200, body)
        return [p for p in body["plugins"] if not p.get("builtIn")]

    def answer_to(self, name):
        folder = os.path.join(self.gateway.share, "order-check")
        wait_until(lambda: os.path.isdir(os.path.join(folder, "in")), 10, "the vendor folder order-check")
        with open(os.path.join(folder, "in", "." + name), "wb") as f:
            f.write(b"which plugin?")
        os.rename(os.path.join(folder, "in", "." + name), os.path.join(folder, "in", name))
        path = os.path.join(folder, "out", name + ".answer")
        wait_until(lambda: os.path.exists(path), 30, "the answer to " + name)
        with open(path, "rb") as f:
            return f.read().decode()

    def test_plugins_enabled_and_ordered_in_the_admin_run_after_a_restart_in_that_order(self):
        listed = {p["id"]: p for p in self.plugin_list()}
        self.assertEqual(listed["first-echo"]["state"], "disabled")
        self.assertNotIn("problem", listed["first-echo"], "left out of the order is no problem, just disabled")
        self.assertEqual((listed["first-echo"]["name"], listed["first-echo"]["description"]), ("first-echo", "順番の確認用"))
        self.assertFalse(listed["first-echo"]["unsigned"])

        for pid in ("second-echo", "first-echo"):
            status, body = self.admin.request("POST", "/admin/api/plugins/%s/enable" % pid)
            self.assertEqual(status, 200, body)
        self.assertEqual([p["id"] for p in self.plugin_list()], ["second-echo", "first-echo"])
        self.assertEqual(self.answer_to("a.txt"), "second-echo", "at once, in the order enabled")
        status, body = self.admin.request("POST", "/admin/api/plugins/first-echo/move", {"direction": "up"})
        self.assertEqual(status, 200, body)
        status, body = self.admin.request("POST", "/admin/api/plugins/first-echo/move", {"direction": "sideways"})
        self.assertEqual(status, 422, body)
        _, order = self.setting("plugins.order")
        self.assertEqual((order["value"], order["source"], order["appliesAt"]), ("first-echo,second-echo", "admin", "now"))
        self.assertFalse(order["restartPending"])

        self.restart_from_admin()
        self.assertEqual([(p["id"], p["state"]) for p in self.plugin_list()],
                         [("first-echo", "enabled"), ("second-echo", "enabled")])
        self.assertEqual(self.answer_to("b.txt"), "first-echo", "the order set in the admin, over the file's")

        status, body = self.admin.request("POST", "/admin/api/plugins/first-echo/disable")
        self.assertEqual(status, 200, body)
        self.restart_from_admin()
        states = {p["id"]: p["state"] for p in self.plugin_list()}
        self.assertEqual(states, {"first-echo": "disabled", "second-echo": "enabled"})
        self.assertEqual(self.answer_to("c.txt"), "second-echo")

        status, audit = self.admin.request("GET", "/admin/api/audit?action=admin.plugin-moved")
        self.assertEqual(len(audit["entries"]), 1, audit)
        status, audit = self.admin.request("GET", "/admin/api/audit?action=admin.restart")
        self.assertEqual(len(audit["entries"]), 2, audit)

    def test_the_result_encoding_set_in_the_admin_decides_the_result_file_after_a_restart(self):
        p = self.persons(2, validity="1")
        gw = self.gateway
        gw.drop("OQSsiquc01req_202612070001.xml", single_request(p[0], "202612070001", encoding="Shift_JIS"))
        self.assertIn(b'encoding="Shift_JIS"', gw.result("OQSsiquc01res_202612070001.xml")[:100])

        status, body = self.admin.request("PUT", "/admin/api/settings/fileDrop.resultEncoding", {"value": "utf8"})
        self.assertEqual(status, 422, body)
        self.assertIn("request（要求と同じ）、utf-8、shift_jis のどれか", body["detail"])
        self.assertNotRegex(body["detail"], r"\([a-z ]+\)", "Japanese only")
        status, body = self.admin.request("PUT", "/admin/api/settings/fileDrop.resultEncoding", {"value": "utf-8"})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["appliesAt"], body["restartPending"]), ("restart", True))
        listing, _ = self.setting("fileDrop.resultEncoding")
        self.assertTrue(listing["restartPending"], "the banner's cue: a stored value waits for the restart")

        self.restart_from_admin()
        listing, setting = self.setting("fileDrop.resultEncoding")
        self.assertEqual((setting["value"], setting["restartPending"], listing["restartPending"]), ("utf-8", False, False))
        gw.drop("OQSsiquc01req_202612070002.xml", single_request(p[1], "202612070002", encoding="Shift_JIS"))
        data = gw.result("OQSsiquc01res_202612070002.xml")
        self.assertIn(b'encoding="UTF-8"', data[:100])
        self.assertEqual(parse(data).find("MessageHeader/CharacterCodeIdentifier").text, "0")
        self.assertIn(p[1]["name"].replace("〓", "").split("\u3000")[0].encode("utf-8"), data)

    def test_a_changed_password_is_the_one_that_signs_in(self):
        new = "Atarashii-Kagi-2026#"
        status, body = self.admin.request("POST", "/admin/api/me/password",
                                          {"currentPassword": "wrong-password-123", "newPassword": new})
        self.assertEqual(status, 422, body)
        self.assertIn("今のパスワードが違います", body["detail"])
        status, body = self.admin.request("POST", "/admin/api/me/password",
                                          {"currentPassword": ADMIN_PASSWORD, "newPassword": "password"})
        self.assertEqual(status, 422, body)
        self.assertIn("12文字以上で入力してください", body["detail"])
        self.assertNotIn("at least", body["detail"])
        status, body = self.admin.request("POST", "/admin/api/me/password",
                                          {"currentPassword": ADMIN_PASSWORD, "newPassword": new})
        self.assertEqual(status, 200, body)
        status, body = self.admin.request("GET", "/admin/api/me")
        self.assertEqual(status, 401, "every session of the user ended, this one too")

        again = AdminClient(self.gateway)
        status, body = again.login("admin", ADMIN_PASSWORD)
        self.assertEqual(status, 401, body)
        status, body = again.login("admin", new, self.secret)
        self.assertEqual(status, 200, body)
        status, audit = again.request("GET", "/admin/api/audit?action=admin.password-changed")
        self.assertEqual(len(audit["entries"]), 1, audit)
        status, audit = again.request("GET", "/admin/api/audit?action=admin.password-change-refused")
        self.assertEqual(len(audit["entries"]), 1, audit)

    def test_an_administrators_reset_is_what_signs_in(self):
        status, user = self.admin.request("POST", "/admin/api/users", {
            "username": "reception", "displayName": "受付", "role": "operator", "password": "Uketsuke-Mado-2026?"})
        self.assertEqual(status, 201, user)
        path = "/admin/api/users/%d/password-reset" % user["id"]

        status, body = self.admin.request("POST", path, {"password": "short"})
        self.assertEqual(status, 422, body)
        status, body = self.admin.request("POST", path, {})
        self.assertEqual(status, 200, body)
        once = body["oneTimePassword"]
        self.assertRegex(once, r"^[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){3}$")
        reception = AdminClient(self.gateway, source="127.0.0.2")
        status, body = reception.login("reception", "Uketsuke-Mado-2026?")
        self.assertEqual(status, 401, body)
        status, body = reception.login("reception", once)
        self.assertEqual((status, body.get("next")), (200, "enrol-second-factor"), body)

        status, body = self.admin.request("POST", path, {"password": "Aratana-Uketsuke-2026"})
        self.assertEqual(status, 200, body)
        self.assertNotIn("oneTimePassword", body)
        status, body = reception.request("GET", "/admin/api/me")
        self.assertEqual(status, 401, "the reset ended the user's sessions")
        status, body = reception.login("reception", once)
        self.assertEqual(status, 401, body)
        status, body = reception.login("reception", "Aratana-Uketsuke-2026")
        self.assertEqual(status, 200, body)

        status, audit = self.admin.request("GET", "/admin/api/audit?action=admin.user-password-reset")
        self.assertEqual(len(audit["entries"]), 2, audit)
        self.assertNotIn(once, str(audit))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Backup and restore of the box, and configuration export/import, against real gateways: a backup taken
in the web admin brings a wiped box back (accounts with their second factor, settings with their history,
API tokens, the cache) through the first-run restore, which a wrong passphrase does not spend; a restore
on a running box waits for the restart it asks for; an exported configuration imports on another box,
and an invalid one changes nothing, through the API and the CLI.
"""
import base64
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, Gateway, IntegrationTest, inquiry_json, main, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402

ADMIN_PASSWORD = "Hashi-Kanrisha-2026!"
OPERATOR_PASSWORD = "Uketsuke-Mado-2026?"
PASSPHRASE = "架け橋の合言葉-2026-backup"
RESTART_EXIT = 75  # the gateway stops and exits with this for systemd to start it again


class BackupTest(IntegrationTest):
    gateway_options = admin_options()

    def setUp(self):
        type(self).gateway_options = admin_options()  # a fresh port for every test
        super().setUp()

    def signed_in_admin(self, gateway):
        admin = AdminClient(gateway)
        status, body = admin.setup(setup_code(gateway))
        self.assertEqual(status, 201, body)
        secret, _ = admin.enrol()
        return admin, secret

    def set_setting(self, admin, key, value):
        status, body = admin.request("PUT", "/admin/api/settings/" + key, {"value": value})
        self.assertEqual(status, 200, body)

    def setting(self, admin, key):
        status, body = admin.request("GET", "/admin/api/settings")
        self.assertEqual(status, 200, body)
        return next(s for s in body["settings"] if s["key"] == key)

    def take_backup(self, admin, include_cache):
        status, body = admin.request("POST", "/admin/api/backup", {"passphrase": PASSPHRASE, "includeCache": include_cache})
        self.assertEqual(status, 200, body)
        self.assertEqual(admin.last.getheader("Content-Type"), "application/octet-stream")
        self.assertRegex(admin.last.getheader("Content-Disposition"),
                         r'^attachment; filename="kakehashi-backup-\d{8}-\d{6}\.khbk"$')
        self.assertTrue(body.startswith(b"KKHBK1"))
        return body

    def restarted(self, gateway):
        """The gateway exits by itself for its restart; started again as systemd would."""
        wait_until(lambda: gateway.proc.poll() is not None, 20, "the gateway to exit for its restart")
        self.assertEqual(gateway.proc.returncode, RESTART_EXIT)
        gateway.log.close()
        gateway.start()

    def inquiries_upstream(self):
        return len([r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"])

    def test_a_wiped_box_comes_back_from_its_backup(self):
        gw = self.gateway
        admin, secret = self.signed_in_admin(gw)
        self.set_setting(admin, "facility.name", "かけはし診療所")
        self.set_setting(admin, "facility.name", "かけはし内科クリニック")
        status, body = admin.request("POST", "/admin/api/users", {"username": "reception", "displayName": "受付",
                                                                 "role": "operator", "password": OPERATOR_PASSWORD})
        self.assertEqual(status, 201, body)
        second_token = subprocess.run([KAKEHASHI_BIN, "api-client", "add", "rececon-2", "--config", gw.config_path],
                                      check=True, capture_output=True, text=True).stdout.strip()
        p = self.persons(1, validity="1")[0]
        status, body, _ = gw.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual((status, body["source"]), (200, "live"), body)

        status, body = admin.request("POST", "/admin/api/backup", {"passphrase": "mijikai"})
        self.assertEqual(status, 422, body)
        self.assertIn("12文字以上", body["detail"])
        status, before = admin.request("GET", "/admin/api/backup")
        self.assertEqual((status, before["lastBackup"], before["due"]), (200, False, True), "never backed up: due")
        backup = self.take_backup(admin, include_cache=True)
        status, after = admin.request("GET", "/admin/api/backup")
        self.assertEqual((after["lastBackup"]["by"], after["lastBackup"]["daysAgo"], after["due"]), ("admin", 0, False))
        self.assertNotIn(p["name"].encode(), backup)
        status, audit = admin.request("GET", "/admin/api/audit?action=admin.backup-made")
        self.assertEqual(len(audit["entries"]), 1, audit)
        self.assertNotIn(PASSPHRASE, json.dumps(audit, ensure_ascii=False))

        # Reset: the box's state and keys are gone, as on a replacement box.
        old_code = setup_code(gw)
        self.assertEqual(gw.stop(), 0)
        shutil.rmtree(gw.config["stateDir"])
        shutil.rmtree(gw.config["keyDir"])
        gw.start()
        code = wait_until(lambda: setup_code(gw) != old_code and setup_code(gw), 10, "a new setup code")
        fresh = AdminClient(gw)
        status, body = fresh.request("GET", "/admin/api/setup")
        self.assertTrue(body["needed"])

        encoded = base64.b64encode(backup).decode()
        status, body = fresh.request("POST", "/admin/api/setup/restore",
                                     {"setupCode": code, "backup": encoded, "passphrase": PASSPHRASE + "x"})
        self.assertEqual(status, 422, body)
        self.assertIn("バックアップを開けません", body["detail"])
        damaged = bytearray(backup)
        damaged[len(damaged) // 2] ^= 1
        status, body = fresh.request("POST", "/admin/api/setup/restore", {
            "setupCode": code, "backup": base64.b64encode(bytes(damaged)).decode(), "passphrase": PASSPHRASE})
        self.assertEqual(status, 422, body)
        status, body = fresh.request("POST", "/admin/api/setup/restore",
                                     {"setupCode": "AAAA-BBBB-CCCC", "backup": encoded, "passphrase": PASSPHRASE})
        self.assertEqual(status, 403, body)
        # None of that spent the code.
        status, body = fresh.request("POST", "/admin/api/setup/restore",
                                     {"setupCode": code, "backup": encoded, "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["staged"], body["restartRequired"]), (True, True))
        self.assertEqual(body["contents"]["users"], 2)
        self.assertEqual(body["contents"]["apiClients"], 2)
        self.assertEqual(body["contents"]["cacheEntries"], 1)
        self.assertGreaterEqual(body["contents"]["settings"], 1)
        self.assertTrue(body["createdAt"].endswith("+09:00"))
        self.assertTrue(body["replacesDataKey"])
        self.restarted(gw)

        status, body = fresh.request("GET", "/admin/api/setup")
        self.assertFalse(body["needed"])
        back = AdminClient(gw)
        status, body = back.login("admin", ADMIN_PASSWORD, secret)  # the same TOTP secret as before
        self.assertEqual(status, 200, body)
        self.assertEqual(self.setting(back, "facility.name")["value"], "かけはし内科クリニック")
        status, body = back.request("GET", "/admin/api/settings/facility.name/history")
        self.assertEqual([h["value"] for h in body["history"]], ["かけはし内科クリニック", "かけはし診療所"])
        status, body = back.request("GET", "/admin/api/users")
        self.assertEqual({u["username"]: u["role"] for u in body["users"]}, {"admin": "administrator", "reception": "operator"})
        status, body = back.request("GET", "/admin/api/audit?action=admin.backup-setup-restore-staged")
        self.assertEqual(len(body["entries"]), 1, body)

        status, body, _ = gw.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p, "A2"))
        self.assertEqual((status, body["source"]), (200, "cache"), body)
        self.assertEqual(body["eligibility"]["name"], p["name"])
        self.assertEqual(self.inquiries_upstream(), 1, "the restored cache answered")
        status, body, _ = gw.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p, "A3"), auth=False,
                                     headers={"Authorization": "Bearer " + second_token})
        self.assertEqual(status, 200, body)
        with open(gw.log_path, "rb") as f:
            self.assertIn(b'"event":"backup.restored"', f.read())

    def test_a_restore_on_a_running_box_waits_for_the_restart(self):
        gw = self.gateway
        admin, secret = self.signed_in_admin(gw)
        self.set_setting(admin, "facility.name", "バックアップ時の名前")
        backup = base64.b64encode(self.take_backup(admin, include_cache=False)).decode()
        self.set_setting(admin, "facility.name", "後から変えた名前")

        status, body = admin.request("POST", "/admin/api/restore", {"backup": backup, "passphrase": "違うパスフレーズです"})
        self.assertEqual(status, 422, body)
        status, body = admin.request("POST", "/admin/api/restore", {"backup": "bm90IGEgYmFja3Vw", "passphrase": PASSPHRASE})
        self.assertEqual(status, 422, body)
        status, body = admin.request("POST", "/admin/api/restore", {"backup": backup, "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["contents"]["cacheEntries"], 0)
        self.assertFalse(body["replacesDataKey"])
        self.assertEqual(self.setting(admin, "facility.name")["value"], "後から変えた名前", "applied at the restart only")

        status, body = admin.request("POST", "/admin/api/restart")
        self.assertEqual((status, body), (202, {"restarting": True}))
        self.restarted(gw)
        status, body = admin.request("GET", "/admin/api/me")
        self.assertEqual(status, 401, "nobody stays signed in across a restore")
        back = AdminClient(gw)
        status, body = back.login("admin", ADMIN_PASSWORD, secret)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.setting(back, "facility.name")["value"], "バックアップ時の名前")
        status, body = back.request("GET", "/admin/api/audit?action=admin.backup-restore-refused")
        self.assertEqual(len(body["entries"]), 2, body)

    def test_configuration_export_imports_on_another_box_and_an_invalid_one_changes_nothing(self):
        admin, _ = self.signed_in_admin(self.gateway)
        self.set_setting(admin, "facility.name", "かけはし薬局")
        self.set_setting(admin, "homeConsent.medicalInfoRetentionDays", "14")
        self.set_setting(admin, "cardReaders.enabled", "false")
        status, body = admin.request("PUT", "/admin/api/home-reception/url", {"url": "https://uketsuke.example.jp/k/abc"})
        self.assertEqual(status, 200, body)
        status, exported = admin.request("GET", "/admin/api/config/export")
        self.assertEqual(status, 200, exported)
        self.assertEqual(exported["format"], "kakehashi-config-1")
        self.assertTrue(exported["exportedAt"].endswith("+09:00"))
        self.assertEqual({k: exported["settings"][k] for k in ("facility.name", "homeConsent.medicalInfoRetentionDays",
                                                               "cardReaders.enabled", "homeReception.url")},
                         {"facility.name": "かけはし薬局", "homeConsent.medicalInfoRetentionDays": "14",
                          "cardReaders.enabled": "false", "homeReception.url": "https://uketsuke.example.jp/k/abc"})

        other_dir = os.path.join(self.workdir, "other")
        os.makedirs(other_dir)
        other = Gateway(other_dir, self.sim, **admin_options()).start()
        self.addCleanup(lambda: other.alive() and other.stop())
        other_admin, _ = self.signed_in_admin(other)

        invalid = json.loads(json.dumps(exported))
        invalid["settings"]["cardReaders.enabled"] = "maybe"
        status, body = other_admin.request("POST", "/admin/api/config/import", invalid)
        self.assertEqual(status, 422, body)
        self.assertIn("cardReaders.enabled", body["detail"])
        unknown = {"format": "kakehashi-config-1", "settings": {"facility.name": "別名", "admin.password": "x"}}
        status, body = other_admin.request("POST", "/admin/api/config/import", unknown)
        self.assertEqual(status, 422, body)
        self.assertNotEqual(self.setting(other_admin, "facility.name")["value"], "かけはし薬局")
        self.assertNotEqual(self.setting(other_admin, "facility.name")["value"], "別名")

        status, body = other_admin.request("POST", "/admin/api/config/import", exported)
        self.assertEqual(status, 200, body)
        self.assertEqual(set(body["changed"]), set(exported["settings"]))
        self.assertTrue(body["restartRequired"])
        name = self.setting(other_admin, "facility.name")
        self.assertEqual((name["value"], name["updatedBy"]), ("かけはし薬局", "admin"))
        status, body = other_admin.request("GET", "/admin/api/home-reception")
        self.assertEqual(body["url"], "https://uketsuke.example.jp/k/abc")
        status, body = other_admin.request("POST", "/admin/api/config/import", exported)
        self.assertEqual(body["changed"], [], "the same document again changes nothing")

        # The CLI: export is the same document; an invalid import is refused whole; a valid one is "cli".
        out = subprocess.run([KAKEHASHI_BIN, "config", "export", "--config", other.config_path],
                             check=True, capture_output=True, text=True).stdout
        self.assertEqual(json.loads(out)["settings"], exported["settings"])
        path = os.path.join(self.workdir, "config.json")
        bad = json.loads(out)
        bad["settings"]["facility.name"] = "CLIの名前"
        bad["settings"]["upstream.baseUrl"] = "http://not-https.example"
        with open(path, "w") as f:
            json.dump(bad, f, ensure_ascii=False)
        run = subprocess.run([KAKEHASHI_BIN, "config", "import", path, "--config", other.config_path],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("upstream.baseUrl", run.stderr)
        self.assertEqual(self.setting(other_admin, "facility.name")["value"], "かけはし薬局")
        del bad["settings"]["upstream.baseUrl"]
        with open(path, "w") as f:
            json.dump(bad, f, ensure_ascii=False)
        run = subprocess.run([KAKEHASHI_BIN, "config", "import", path, "--config", other.config_path],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        name = self.setting(other_admin, "facility.name")
        self.assertEqual((name["value"], name["updatedBy"]), ("CLIの名前", "cli"))
        self.assertEqual(other.stop(), 0)


if __name__ == "__main__":
    main()

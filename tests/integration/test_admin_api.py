#!/usr/bin/env python3
"""The web admin's API against a real gateway: first-run setup with the printed one-time code (no default
credentials), TOTP enrolment and sign-in, every route refused without a session and, when it changes
something, without the CSRF token (the list comes from the route table itself), roles, lockout, settings
history, the audit log's hash chain (a tampered row is found by the API and by `kakehashi audit verify`),
and the admin listener's TLS.
"""
import http.client
import json
import os
import re
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, IntegrationTest  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code, totp  # noqa: E402

ADMIN_PASSWORD = "Hashi-Kanrisha-2026!"
OPERATOR_PASSWORD = "Uketsuke-Mado-2026?"


class AdminTest(IntegrationTest):
    gateway_options = admin_options()

    def setUp(self):
        type(self).gateway_options = admin_options()  # a fresh port for every test
        super().setUp()
        self.admin = AdminClient(self.gateway)

    def signed_in_admin(self):
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.secret, self.recovery = self.admin.enrol()
        return self.admin

    def audit_db(self):
        return sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))


class FirstRunTest(AdminTest):
    def test_setup_needs_the_printed_code_and_happens_once(self):
        status, body = self.admin.request("GET", "/admin/api/setup")
        self.assertEqual((status, body["needed"]), (200, True))
        code = setup_code(self.gateway)
        with open(os.path.join(self.workdir, "state", "console.issue")) as f:  # shown at the console's prompt
            issue = f.read()
        port = self.gateway.config["admin"]["listen"].rsplit(":", 1)[1]
        self.assertEqual(issue, "Kakehashi web admin: https://\\4:%s/admin/\nSetup code: %s\n" % (port, code))
        status, body = self.admin.setup("AAAA-BBBB-CCCC")
        self.assertEqual(status, 403, body)
        status, body = self.admin.setup(code, password="short")
        self.assertEqual(status, 422, body)
        status, body = self.admin.setup(code)  # a weak password did not spend the code
        self.assertEqual(status, 201, body)
        self.assertEqual(body["next"], "enrol-second-factor")
        cookie = self.admin.last.getheader("Set-Cookie")
        for flag in ("Secure", "HttpOnly", "SameSite=Strict"):
            self.assertIn(flag, cookie)
        # Before the second factor only the enrolment is open.
        status, body = self.admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 403, body)
        self.admin.enrol()
        status, body = self.admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200, body)
        status, body = AdminClient(self.gateway).setup(code, username="second")
        self.assertEqual(status, 409, body)
        status, body = self.admin.request("GET", "/admin/api/setup")
        self.assertFalse(body["needed"])

    def test_security_headers_and_tls(self):
        status, _ = self.admin.request("GET", "/admin/api/setup")
        for header, value in (("Content-Security-Policy", "frame-ancestors 'none'"), ("X-Frame-Options", "DENY"),
                              ("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")):
            self.assertIn(value, self.admin.last.getheader(header) or "", header)
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 on purpose: it must be refused
            old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            old.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        with socket.create_connection(("127.0.0.1", self.admin.port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLError):
                old.wrap_socket(raw).do_handshake()
        status, _ = self.admin.request("GET", "/admin/api/nothing-here")
        self.assertEqual(status, 404)


class RouteProtectionTest(AdminTest):
    def test_every_route_needs_a_session_and_csrf(self):
        self.signed_in_admin()
        status, _ = AdminClient(self.gateway).request("GET", "/admin/api/routes")
        self.assertEqual(status, 401, "the route table is for signed-in staff")
        status, table = self.admin.request("GET", "/admin/api/routes")
        self.assertEqual(status, 200)
        routes = table["routes"]
        self.assertGreater(len(routes), 20)
        fill = {"{id}": "1", "{key}": "facility.name"}
        anonymous = AdminClient(self.gateway)
        for r in routes:
            path = r["path"]
            for k, v in fill.items():
                path = path.replace(k, v)
            if r["permission"] == "public":
                continue
            status, body = anonymous.request(r["method"], path, body={} if r["method"] != "GET" else None)
            self.assertEqual(status, 401, "%s %s answered %s without a session" % (r["method"], path, status))
            if r["csrf"]:
                status, body = self.admin.request(r["method"], path, body={}, csrf=False)
                self.assertEqual(status, 403, "%s %s answered %s without the CSRF token" % (r["method"], path, status))
                self.assertIn("CSRF", body["detail"])
        # A forged token is no token.
        real = self.admin.csrf
        self.admin.csrf = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
        status, _ = self.admin.request("PUT", "/admin/api/settings/facility.name", {"value": "偽"})
        self.assertEqual(status, 403)
        self.admin.csrf = real


class AccountsTest(AdminTest):
    def test_roles_lockout_and_unlock(self):
        admin = self.signed_in_admin()
        status, op = admin.request("POST", "/admin/api/users", {"username": "reception", "displayName": "受付",
                                                                "role": "operator", "password": OPERATOR_PASSWORD})
        self.assertEqual(status, 201, op)
        status, body = admin.request("POST", "/admin/api/users", {"username": "weak", "role": "operator", "password": "password"})
        self.assertEqual(status, 422, body)
        operator = AdminClient(self.gateway)
        for _ in range(5):  # the fifth failure locks the name for this machine (test_admin_sign_in.py: only this one)
            status, wrong = operator.login("reception", "wrong-password-123")
            self.assertEqual(status, 401, wrong)
        status, body = operator.login("reception", OPERATOR_PASSWORD)
        self.assertEqual((status, body), (401, wrong))  # locked: not even the right password, and it reads the same
        status, listed = admin.request("GET", "/admin/api/users")
        locked = [u for u in listed["users"] if u["username"] == "reception"][0]
        self.assertTrue(locked["locked"])
        status, body = admin.request("POST", "/admin/api/users/%d/unlock" % op["id"])
        self.assertEqual((status, body["locked"]), (200, False))
        status, body = operator.login("reception", OPERATOR_PASSWORD)
        self.assertEqual((status, body["next"]), (200, "enrol-second-factor"))
        operator.enrol()
        status, _ = operator.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200)
        status, _ = operator.request("GET", "/admin/api/users")
        self.assertEqual(status, 403, "an operator does not manage users")
        status, _ = operator.request("GET", "/admin/api/audit")
        self.assertEqual(status, 403, "an operator does not read the audit log")
        status, _ = admin.request("PATCH", "/admin/api/users/%d" % locked["id"], {"disabled": True})
        self.assertEqual(status, 200)
        status, _ = operator.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 401, "a disabled user's session ends")
        status, me = admin.request("GET", "/admin/api/me")
        status, body = admin.request("PATCH", "/admin/api/users/%d" % me["user"]["id"], {"role": "auditor"})
        self.assertEqual(status, 422, "the last administrator cannot be demoted")

    def test_sign_in_with_password_and_totp_or_a_recovery_code(self):
        self.signed_in_admin()
        self.admin.request("POST", "/admin/api/logout")
        status, _ = self.admin.request("GET", "/admin/api/me")
        self.assertEqual(status, 401)
        client = AdminClient(self.gateway)
        status, body = client.request("POST", "/admin/api/login", {"username": "admin", "password": ADMIN_PASSWORD})
        self.assertEqual((status, body["next"]), (200, "second-factor"))
        status, _ = client.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 403, "no dashboard before the second factor")
        status, body = client.request("POST", "/admin/api/login/second-factor", {"code": "000000" if totp(self.secret) != "000000" else "111111"})
        self.assertEqual(status, 401, body)
        status, body = client.request("POST", "/admin/api/login/second-factor", {"code": self.recovery[0]})
        self.assertEqual(status, 200, body)
        status, _ = client.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200)
        other = AdminClient(self.gateway)
        other.request("POST", "/admin/api/login", {"username": "admin", "password": ADMIN_PASSWORD})
        status, _ = other.request("POST", "/admin/api/login/second-factor", {"code": self.recovery[0]})
        self.assertEqual(status, 401, "a recovery code works once")
        status, _ = other.request("POST", "/admin/api/login/second-factor", {"code": totp(self.secret, step_offset=1)})
        self.assertEqual(status, 200)


class SettingsAndAuditTest(AdminTest):
    def test_a_change_shows_in_the_history_and_the_audit_chain(self):
        admin = self.signed_in_admin()
        status, body = admin.request("PUT", "/admin/api/settings/facility.institutionCode", {"value": "1312345678"})
        self.assertEqual(status, 422, "a wrong check digit is refused")
        status, body = admin.request("PUT", "/admin/api/settings/facility.name", {"value": "架け橋訪問クリニック"})
        self.assertEqual((status, body["appliesAt"], body["updatedBy"]), (200, "now", "admin"))
        status, body = admin.request("PUT", "/admin/api/settings/upstream.baseUrl", {"value": "https://central.example:8443"})
        self.assertEqual((status, body["restartPending"]), (200, True))
        status, body = admin.request("GET", "/admin/api/settings/facility.name/history")
        self.assertEqual([(h["value"], h["by"]) for h in body["history"]], [("架け橋訪問クリニック", "admin")])
        status, body = admin.request("GET", "/admin/api/audit?action=admin.setting-changed")
        self.assertEqual(len(body["entries"]), 2)
        status, body = admin.request("GET", "/admin/api/audit/verify")
        self.assertEqual((status, body["intact"]), (200, True))
        status, csv = admin.request("GET", "/admin/api/audit/export.csv")
        self.assertEqual(status, 200)
        self.assertTrue(csv.startswith(b"\xef\xbb\xbfid,at,actor"))
        self.assertIn("admin.setting-changed", csv.decode("utf-8-sig"))

        db = self.audit_db()
        row = db.execute("SELECT id FROM audit_log WHERE action = 'admin.setting-changed' ORDER BY id LIMIT 1").fetchone()[0]
        db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", (row,))
        db.commit()
        db.close()
        status, body = admin.request("GET", "/admin/api/audit/verify")
        self.assertEqual((body["intact"], body["firstBrokenRow"]), (False, row))
        out = subprocess.run([KAKEHASHI_BIN, "audit", "verify", "--config", self.gateway.config_path],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(str(row), out.stdout)

    def test_the_log_viewer_filters_the_newest_lines(self):
        admin = self.signed_in_admin()
        status, body = admin.request("GET", "/admin/api/logs?event=gateway.")
        self.assertEqual(status, 200, body)
        events = [line["event"] for line in body["lines"]]
        self.assertIn("gateway.ready", events)
        self.assertTrue(all(e.startswith("gateway.") for e in events))
        status, body = admin.request("GET", "/admin/api/logs?level=warn")
        self.assertTrue(body["lines"])
        self.assertTrue(all(line["level"] in ("warn", "error") for line in body["lines"]))
        status, body = admin.request("GET", "/admin/api/logs?q=setup_code")
        self.assertEqual([line["event"] for line in body["lines"]], ["admin.setup_code"])

    def test_dashboard_counts_requests(self):
        admin = self.signed_in_admin()
        status, before = admin.request("GET", "/admin/api/dashboard")
        p = self.persons(1, validity="1")[0]
        from harness import inquiry_json
        for _ in range(2):
            status, _, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
            self.assertEqual(status, 200)
        status, after = admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(after["requestsToday"] - before["requestsToday"], 2)
        self.assertEqual(after["cache"]["hits"] - before["cache"]["hits"], 1)
        self.assertTrue(after["upstreamLinkUp"])
        names = {c["name"]: c for c in after["certificates"]}
        self.assertGreater(names["upstream-client"]["daysLeft"], 60)
        self.assertIn("admin", names)


class ReceiptSetupTest(AdminTest):
    """レセコンの接続設定: the values a receipt computer needs, from what the box runs with."""

    def test_the_sheet_names_the_share_the_api_and_the_certificate_to_trust(self):
        admin = self.signed_in_admin()
        status, sheet = admin.request("GET", "/admin/api/receipt-setup")
        self.assertEqual(status, 200, sheet)
        port = str(self.gateway.http_port)
        hosts = [h["address"] for h in sheet["hosts"]]
        self.assertNotIn("127.0.0.1", hosts, "loopback is no address for another machine")
        host = hosts[0] if hosts else "<本機のアドレス>"
        self.assertEqual(sheet["fileChannel"]["share"], "\\\\%s\\kakehashi" % host)
        self.assertEqual([a["name"] for a in sheet["fileChannel"]["accounts"]], ["recept"])
        scheme = "https" if self.gateway.config["http"].get("certFile") else "http"
        self.assertEqual(sheet["httpApi"]["baseUrl"], "%s://%s:%s/api/v1" % (scheme, host, port))
        self.assertEqual(sheet["httpApi"]["port"], port)
        if scheme == "https":
            status, pem = admin.request("GET", "/admin/api/receipt-setup/lan-certificate.pem")
            self.assertEqual(status, 200)
            with open(self.gateway.config["http"]["certFile"], "rb") as f:
                self.assertEqual(pem, f.read(), "the certificate offered is the one the LAN API presents")
            self.assertTrue(sheet["httpApi"]["certificate"]["available"])
        # An operator does not set up receipt computers.
        status, _ = admin.request("POST", "/admin/api/users", {"username": "reception", "displayName": "受付",
                                                               "role": "operator", "password": OPERATOR_PASSWORD})
        self.assertEqual(status, 201)
        operator = AdminClient(self.gateway)
        self.assertEqual(operator.login("reception", OPERATOR_PASSWORD)[0], 200)
        operator.enrol()
        self.assertEqual(operator.request("GET", "/admin/api/receipt-setup")[0], 403)


class PluginSettingsTest(AdminTest):
    TOKEN = "webhook-secret-0123456789"

    def setUp(self):
        from harness import SOURCE
        type(self).gateway_options = dict(admin_options(), plugins={
            "root": os.path.join(SOURCE, "plugins"), "order": ["json-webhook"], "developmentMode": True,
            "settings": {"json-webhook": {"callbackUrl": "https://chart.example/hook", "callbackToken": self.TOKEN}}})
        IntegrationTest.setUp(self)
        self.admin = AdminClient(self.gateway)

    def test_settings_form_from_the_schema_keeps_secrets_hidden(self):
        admin = self.signed_in_admin()
        status, form = admin.request("GET", "/admin/api/plugins/json-webhook/settings")
        self.assertEqual(status, 200, form)
        self.assertIn("callbackUrl", form["schema"]["properties"])
        self.assertEqual(form["values"], {"callbackUrl": "https://chart.example/hook"})
        self.assertEqual(form["secretsSet"], ["callbackToken"])
        self.assertNotIn(self.TOKEN, json.dumps(form))
        status, body = admin.request("PUT", "/admin/api/plugins/json-webhook/settings", {"values": {"callbackUrl": "ftp://x"}})
        self.assertEqual(status, 422, body)
        self.assertIn("callbackUrl", body["detail"])
        status, form = admin.request("PUT", "/admin/api/plugins/json-webhook/settings",
                                     {"values": {"callbackUrl": "https://chart.example/v2/hook"}})
        self.assertEqual(status, 200, form)
        self.assertEqual((form["values"]["callbackUrl"], form["secretsSet"]), ("https://chart.example/v2/hook", ["callbackToken"]))
        status, plugins = admin.request("GET", "/admin/api/plugins")
        self.assertEqual([p["state"] for p in plugins["plugins"] if p["id"] == "json-webhook"], ["enabled"])
        self.assertEqual(self.gateway.stop(), 0)
        for name in os.listdir(os.path.join(self.workdir, "state")):
            if not name.startswith("kakehashi.db"):
                continue
            with open(os.path.join(self.workdir, "state", name), "rb") as f:
                self.assertNotIn(self.TOKEN.encode(), f.read(), "the secret is sealed in the store")
        self.gateway.start()
        status, form = admin.request("GET", "/admin/api/plugins/json-webhook/settings")
        self.assertEqual(form["values"]["callbackUrl"], "https://chart.example/v2/hook", "kept across a restart")


class FreshBoxTest(AdminTest):
    """A box as the package leaves it: no institution code, no certificates. It starts, the web admin says
    what is missing, and what the admin supplies counts at once (API clients) or after a restart."""

    def setUp(self):
        type(self).gateway_options = dict(admin_options(), institutionCode="",
                                          upstream={"certFile": "/nonexistent/facility.crt",
                                                    "keyFile": "/nonexistent/facility.key"})
        IntegrationTest.setUp(self)
        self.admin = AdminClient(self.gateway)

    def test_a_box_not_set_up_starts_and_says_what_is_missing(self):
        admin = self.signed_in_admin()
        status, board = admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200, board)
        missing = " ".join(p["problem"] for p in board["setupPending"])
        self.assertIn("institutionCode", missing)
        self.assertIn("upstream.certFile", missing)
        # The LAN side works meanwhile: an inquiry waits in the queue instead of failing.
        p = self.persons(1, validity="1")[0]
        from harness import inquiry_json
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 202, body)
        # A client made in the web admin can use the API at once; its token is shown once.
        status, issued = admin.request("POST", "/admin/api/api-clients", {"name": "rececon-1", "allowCidrs": ["127.0.0.0/8"]})
        self.assertEqual(status, 201, issued)
        status, _, _ = self.gateway.request("GET", "/api/v1/plugins", headers={"Authorization": "Bearer " + issued["token"]},
                                            auth=False)
        self.assertEqual(status, 200)
        status, listed = admin.request("GET", "/admin/api/channels")
        self.assertIn("rececon-1", [c["name"] for c in listed["apiClients"]])
        self.assertNotIn(issued["token"], json.dumps(listed))
        client = next(c for c in listed["apiClients"] if c["name"] == "rececon-1")
        self.assertTrue(client["expiresAt"].endswith("+09:00"), client)
        self.assertFalse(client["expired"])
        # Address ranges are checked (naming the bad one) and stored normalised; "never" only when asked for.
        status, body = admin.request("POST", "/admin/api/api-clients", {"name": "rececon-2", "allowCidrs": ["10.0.0.0/99"]})
        self.assertEqual(status, 422, body)
        self.assertIn("10.0.0.0/99", body["detail"])
        status, body = admin.request("POST", "/admin/api/api-clients",
                                     {"name": "rececon-2", "allowCidrs": ["192.168.7.9/24"], "expiresDays": 0})
        self.assertEqual(status, 201, body)
        status, listed = admin.request("GET", "/admin/api/channels")
        client = next(c for c in listed["apiClients"] if c["name"] == "rececon-2")
        self.assertEqual([a["cidr"] for a in client["allowCidrs"]], ["192.168.7.0/24"])
        self.assertNotIn("expiresAt", client)
        status, _ = admin.request("DELETE", "/admin/api/api-clients/rececon-1")
        self.assertEqual(status, 200)
        status, _, _ = self.gateway.request("GET", "/api/v1/plugins", headers={"Authorization": "Bearer " + issued["token"]},
                                            auth=False)
        self.assertEqual(status, 401, "a revoked token stops at once")
        status, body = admin.request("PUT", "/admin/api/settings/facility.institutionCode", {"value": "1312345679"})
        self.assertEqual((status, body["restartPending"]), (200, True))


class FreshBoxLanTlsTest(unittest.TestCase):
    """The image's configuration names a LAN certificate a fresh box does not have yet: the box starts
    anyway, serving the LAN API over HTTPS with a self-signed certificate of its own."""

    def test_a_missing_lan_certificate_is_replaced_by_a_self_signed_one(self):
        import tempfile
        from harness import CentralSim, Gateway
        workdir = tempfile.mkdtemp(prefix="kakehashi-it-")
        sim = CentralSim(workdir).start()
        options = dict(admin_options(), http={"certFile": os.path.join(workdir, "missing-lan.crt"),
                                              "keyFile": os.path.join(workdir, "missing-lan.key")})
        gateway = Gateway(workdir, sim, **options)
        try:
            gateway.start(wait=False)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE

            def healthy():
                try:
                    conn = http.client.HTTPSConnection("127.0.0.1", gateway.http_port, timeout=5, context=ctx)
                    conn.request("GET", "/healthz")
                    return conn.getresponse().status == 200
                except OSError:
                    return False

            from harness import wait_until
            wait_until(healthy, 20, "the LAN API over HTTPS")
            self.assertTrue(os.path.exists(os.path.join(workdir, "state", "lan-tls", "box.crt")))
            self.assertEqual(gateway.stop(), 0)
        finally:
            if gateway.alive():
                gateway.kill()
            sim.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)

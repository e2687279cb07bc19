#!/usr/bin/env python3
"""Signing in to the web admin as an attacker on the clinic's LAN would try it, against a real gateway.
Several machines are played from distinct loopback addresses (127.0.0.2, 127.0.0.3, …) towards the admin
listener on 127.0.0.1:
- the setup code is not spent by a request that cannot create the administrator;
- the session id and CSRF token change when the second factor is passed (no session fixation).
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


if __name__ == "__main__":
    unittest.main(verbosity=2)

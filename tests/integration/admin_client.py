"""A client of the web admin's API for integration tests: HTTPS to the gateway's admin listener (its
self-signed certificate is pinned after the first look), the session cookie, the CSRF header, and TOTP
codes computed here (RFC 6238) as a phone app would.
"""
import base64
import hashlib
import hmac
import http.client
import json
import re
import ssl
import struct
import time

from harness import free_port, send, wait_until


def totp(secret_b32, at=None, step_offset=0):
    secret = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at if at is not None else time.time()) // 30) + step_offset
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def admin_options():
    """Gateway overrides that turn the web admin on, on a free loopback port."""
    return {"admin": {"listen": "127.0.0.1:%d" % free_port()}}


def setup_code(gateway):
    """The one-time code the gateway printed at start."""
    def find():
        with open(gateway.log_path, "rb") as f:
            m = re.findall(rb'"event":"admin.setup_code","code":"([A-Z0-9-]+)"', f.read())
        return m[-1].decode() if m else None
    return wait_until(find, 10, "the setup code in the log")


class AdminClient:
    """`source`: the loopback address the requests come from (127.0.0.2, 127.0.0.3, …), so that one test can
    play several machines of the clinic's LAN against the listener on 127.0.0.1."""

    def __init__(self, gateway, source="127.0.0.1"):
        self.port = int(gateway.config["admin"]["listen"].rsplit(":", 1)[1])
        self.source = source
        self.cookie = None
        self.csrf = None
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE  # self-signed by the box: the tests compare fingerprints instead

    def request(self, method, path, body=None, csrf=True, cookie=True, raw=None, headers=None):
        conn = self.connection()
        h = dict(headers or {})
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        res, payload = send(conn, method, path, h, body, raw)
        for value in res.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            self.cookie = None if pair.endswith("=") else pair
        parsed = payload
        if "json" in (res.getheader("Content-Type") or "") and payload:
            parsed = json.loads(payload)
            if isinstance(parsed, dict) and parsed.get("csrfToken"):
                self.csrf = parsed["csrfToken"]
        self.last = res
        return res.status, parsed

    def connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.ctx,
                                           source_address=(self.source, 0))

    def setup(self, code, username="admin", password="Hashi-Kanrisha-2026!", display="管理者"):
        return self.request("POST", "/admin/api/setup",
                            {"setupCode": code, "username": username, "password": password, "displayName": display})

    def enrol(self):
        """Enrols TOTP; returns (secret, recovery codes)."""
        status, begun = self.request("POST", "/admin/api/me/second-factor")
        assert status == 200, begun
        status, done = self.request("POST", "/admin/api/me/second-factor/confirm", {"code": totp(begun["secret"])})
        assert status == 200, done
        return begun["secret"], [c["code"] for c in done["recoveryCodes"]]

    def login(self, username, password, secret=None):
        status, body = self.request("POST", "/admin/api/login", {"username": username, "password": password})
        if status != 200 or secret is None:
            return status, body
        # A code of the next step: the enrolment (or a previous login) may have used this one.
        return self.request("POST", "/admin/api/login/second-factor", {"code": totp(secret, step_offset=1)})

#!/usr/bin/env python3
"""Firmware updates through the web admin's API, against a real gateway and the image's real updater
(firmware_rig.Updater runs /usr/libexec/kakehashi/update whenever the gateway leaves a request, as
kakehashi-update.path does on the box; `rauc info` checks signatures against a test CA).

- A bundle is streamed to the update folder: a 256 MiB upload does not grow the gateway's memory by its
  size, arrives whole (SHA-256 as sent) and is checked by the updater by itself.
- Signed by another CA, or for another device: invalid, with the reason; the install is refused.
- Signed by the keyring's CA: valid with its version; the install is asked for only with its SHA-256, and
  here (no slots, no RAUC service) ends as install-failed with RAUC's words; the box stays usable.
- Refusals: no Content-Length (411), over the limit (413), not a bundle (422), no session (401), no CSRF
  token (403), an operator (403); none of them leaves a byte on the disk.
- An upload cut off by the client, and a gateway killed (SIGKILL) in the middle of one, leave no part file
  and no bundle; the next upload works.
- A box that is not the appliance image (no firmware section) says so, and takes no upload.
The install itself (a slot written, a reboot into it, the fall-back) is proven under QEMU by
scripts/test-firmware.
"""
import hashlib
import json
import os
import shutil
import socket
import ssl
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Gateway, IntegrationTest, main, wait_until  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from firmware_rig import BUNDLE_VERSION, UPDATER, TestBundles, Updater, firmware_config, status_dir_of  # noqa: E402

OPERATOR_PASSWORD = "Uketsuke-Mado-2026?"
MAX_BUNDLE = 300 * 1024 * 1024
OCTETS = {"Content-Type": "application/octet-stream"}
SETTLED = ("valid", "invalid", "install-failed", "completed", "fell-back", "interrupted")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


class FirmwareUpdateTest(IntegrationTest):
    gateway_options = {}

    def setUp(self):
        self.update_dir = None
        type(self).gateway_options = dict(admin_options())
        if self.with_firmware():
            self.update_dir = os.path.join(tempfile.mkdtemp(prefix="kakehashi-fw-"), "update")
            self.release = os.path.join(os.path.dirname(self.update_dir), "kakehashi-release")
            with open(self.release, "w") as f:
                f.write("KAKEHASHI_VERSION=0.1.0\nKAKEHASHI_BUILT=2026-11-29T00:00:00Z\n")
            type(self).gateway_options["firmware"] = firmware_config(self.update_dir, self.release,
                                                                     maxBundleBytes=MAX_BUNDLE)
        super().setUp()
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.admin.enrol()
        self.updater = None
        if self.update_dir:
            self.bundles = TestBundles(os.path.join(self.workdir, "bundles"))
            self.updater = self.new_updater().start()

    def new_updater(self, **kw):
        return Updater(self.update_dir, self.bundles.conf, os.path.join(self.workdir, "updater.log"), self.release, **kw)

    def tearDown(self):
        if self.updater:
            self.updater.stop()
        super().tearDown()
        if self.update_dir:
            shutil.rmtree(os.path.dirname(self.update_dir), ignore_errors=True)

    def with_firmware(self):
        return not self._testMethodName.startswith("test_package_box")

    # --- helpers -------------------------------------------------------------------------------------------
    def upload(self, path, client=None, headers=None):
        with open(path, "rb") as f:
            data = f.read()
        h = dict(OCTETS, **(headers or {}))
        return (client or self.admin).request("PUT", "/admin/api/firmware/bundle", raw=data, headers=h)

    def firmware(self):
        status, body = self.admin.request("GET", "/admin/api/firmware")
        self.assertEqual(status, 200, body)
        return body

    def settled(self):
        def done():
            body = self.firmware()
            return body if body.get("update", {}).get("state") in SETTLED else None
        return wait_until(done, 60, "the updater's answer")

    def folder(self):
        return sorted(os.listdir(self.update_dir))

    def audit_actions(self):
        status, body = self.admin.request("GET", "/admin/api/audit?limit=200")
        self.assertEqual(status, 200, body)
        return [e["action"] for e in body["entries"]]

    # --- tests ---------------------------------------------------------------------------------------------
    def test_signed_bundle_checked_and_install_asked(self):
        body = self.firmware()
        self.assertTrue(body["available"])
        self.assertEqual(body["release"]["version"], "0.1.0")
        self.assertEqual(body["maxBundleBytes"], MAX_BUNDLE)
        self.assertNotIn("bundle", body)

        # Another CA's signature: invalid, and no install.
        status, body = self.upload(self.bundles.wrongkey)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["bundle"]["sha256"], sha256_file(self.bundles.wrongkey))
        self.assertEqual(body["bundle"]["uploadedBy"], "admin")
        self.assertEqual(body["update"]["state"], "waiting")
        body = self.settled()
        self.assertEqual(body["update"]["state"], "invalid", body)
        self.assertIn("signature verification failed", body["update"]["message"])  # RAUC's own words
        status, problem = self.admin.request("POST", "/admin/api/firmware/install", {"sha256": body["bundle"]["sha256"]})
        self.assertEqual(status, 409, problem)
        self.assertIn("bundle-not-verified", problem["type"])

        # Another device's bundle, correctly signed: invalid.
        status, body = self.upload(self.bundles.compat)
        self.assertEqual(status, 201, body)
        body = self.settled()
        self.assertEqual(body["update"]["state"], "invalid", body)
        self.assertIn("other-device", body["update"]["message"])

        # The right bundle: valid, with its version; the SHA-256 on disk is the one sent.
        status, body = self.upload(self.bundles.good)
        self.assertEqual(status, 201, body)
        sha = sha256_file(self.bundles.good)
        self.assertEqual(sha256_file(os.path.join(self.update_dir, "bundle.raucb")), sha)
        body = self.settled()
        self.assertEqual(body["update"]["state"], "valid", body)
        self.assertEqual(body["update"]["version"], BUNDLE_VERSION)
        self.assertEqual(body["update"]["compatible"], "kakehashi-appliance")
        self.assertEqual(body["update"]["sha256"], sha)

        # The install names the bundle by its SHA-256.
        status, problem = self.admin.request("POST", "/admin/api/firmware/install", {"sha256": "0" * 64})
        self.assertEqual(status, 409, problem)
        # The updater paused: an install asked for takes no new upload, and a discard withdraws it.
        self.updater.stop()
        status, body = self.admin.request("POST", "/admin/api/firmware/install", {"sha256": sha})
        self.assertEqual(status, 202, body)
        self.assertEqual(body["update"]["action"], "install")
        self.assertEqual(body["update"]["state"], "waiting")
        status, problem = self.upload(self.bundles.wrongkey)
        self.assertEqual(status, 409, problem)
        self.assertIn("update-busy", problem["type"])
        self.assertEqual(sha256_file(os.path.join(self.update_dir, "bundle.raucb")), sha)
        status, body = self.admin.request("DELETE", "/admin/api/firmware/bundle")
        self.assertEqual(status, 200, body)
        self.assertNotIn("update", body)
        self.assertFalse(os.path.exists(os.path.join(self.update_dir, "request")))
        self.updater = self.new_updater().start()
        self.assertEqual(self.upload(self.bundles.good)[0], 201)
        self.assertEqual(self.settled()["update"]["state"], "valid")
        status, body = self.admin.request("POST", "/admin/api/firmware/install", {"sha256": sha})
        self.assertEqual(status, 202, body)
        body = self.settled()
        # No slots and no RAUC service on this machine: RAUC refuses, and says why.
        self.assertEqual(body["update"]["state"], "install-failed", body)
        self.assertEqual(body["update"]["action"], "install")
        self.assertTrue(body["update"]["message"])
        self.assertIn("bundle", body)  # kept: the administrator decides
        status, body = self.admin.request("DELETE", "/admin/api/firmware/bundle")
        self.assertEqual(status, 200, body)
        self.assertNotIn("bundle", body)
        self.assertEqual([f for f in self.folder() if not f.startswith(".")], [])

        actions = self.audit_actions()
        self.assertEqual(actions.count("admin.firmware-uploaded"), 4)
        self.assertIn("admin.firmware-install-requested", actions)
        self.assertIn("admin.firmware-discarded", actions)
        self.assertTrue(self.gateway.alive())

    def test_large_upload_is_streamed(self):
        # 256 MiB that starts like a squashfs image: the gateway must not hold it in memory.
        big = os.path.join(self.workdir, "big.raucb")
        size = 256 * 1024 * 1024
        h = hashlib.sha256()
        with open(big, "wb") as f:
            block = b"hsqs" + os.urandom((1 << 20) - 4)
            for i in range(size >> 20):
                chunk = block if i == 0 else os.urandom(1 << 20)
                f.write(chunk)
                h.update(chunk)
        before = vm_hwm_kib(self.gateway.proc.pid)
        with open(big, "rb") as f:
            status, body = self.admin.request("PUT", "/admin/api/firmware/bundle", raw=f,
                                              headers=dict(OCTETS, **{"Content-Length": str(size)}))
        self.assertEqual(status, 201, body)
        grown = vm_hwm_kib(self.gateway.proc.pid) - before
        self.assertLess(grown, 64 * 1024, "the gateway's peak memory grew by %d KiB for a 256 MiB upload" % grown)
        self.assertEqual(body["bundle"]["size"], size)
        self.assertEqual(body["bundle"]["sha256"], h.hexdigest())
        self.assertEqual(os.path.getsize(os.path.join(self.update_dir, "bundle.raucb")), size)
        # Not a signed bundle: the updater says so.
        body = self.settled()
        self.assertEqual(body["update"]["state"], "invalid", body)

    def test_refusals_leave_nothing(self):
        junk = os.path.join(self.workdir, "notes.txt")
        with open(junk, "w") as f:
            f.write("これは更新ファイルではありません\n" * 100)
        status, problem = self.upload(junk)
        self.assertEqual(status, 422, problem)
        self.assertIn("not-a-bundle", problem["type"])

        # No Content-Length: chunked transfer is refused.
        status, problem = self.admin.request("PUT", "/admin/api/firmware/bundle", raw=iter([b"hsqs", b"0" * 100]),
                                             headers=dict(OCTETS, **{"Transfer-Encoding": "chunked"}))
        self.assertEqual(status, 411, problem)
        self.assertIn("length-required", problem["type"])

        # Over the limit: refused from the header, before the body.
        status, problem = self.raw_upload(MAX_BUNDLE + 1, b"hsqs" + b"0" * 1000, read_reply=True)
        self.assertEqual(status, 413, problem)

        # No session, no CSRF token, an operator.
        anonymous = AdminClient(self.gateway)
        status, _ = self.upload(self.bundles.good, client=anonymous)
        self.assertEqual(status, 401)
        status, _ = self.admin.request("PUT", "/admin/api/firmware/bundle", raw=b"hsqs" + b"0" * 100, csrf=False,
                                       headers=OCTETS)
        self.assertEqual(status, 403)
        status, body = self.admin.request("POST", "/admin/api/users", {"username": "reception", "displayName": "受付",
                                                                       "role": "operator", "password": OPERATOR_PASSWORD})
        self.assertEqual(status, 201, body)
        operator = AdminClient(self.gateway)
        operator.login("reception", OPERATOR_PASSWORD)
        operator.enrol()
        status, _ = self.upload(self.bundles.good, client=operator)
        self.assertEqual(status, 403)
        status, _ = operator.request("GET", "/admin/api/firmware")
        self.assertEqual(status, 403)

        self.assertEqual(self.folder(), [])
        self.assertNotIn("bundle", self.firmware())
        self.assertIn("admin.firmware-upload-refused", self.audit_actions())
        self.assertTrue(self.gateway.alive())

    def raw_upload(self, length, data, read_reply=False, close=True):
        """A PUT over a TLS socket of our own: `length` announced, `data` sent; then the reply is read, or
        the socket left open (the caller cuts it)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.admin.port), timeout=30))
        head = ("PUT /admin/api/firmware/bundle HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
                "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % (self.admin.cookie, self.admin.csrf, length))
        sock.sendall(head.encode() + data)
        if not read_reply:
            return sock
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            part = sock.recv(65536)
            if not part:
                break
            reply += part
        sock.close()
        status = int(reply.split(b" ", 2)[1])
        return status, json.loads(reply.split(b"\r\n\r\n", 1)[1])

    def test_cut_upload_and_kill_leave_nothing(self):
        part = os.path.join(self.update_dir, ".bundle.raucb.part")
        # The client goes away after 1 of 4 MiB.
        sock = self.raw_upload(4 << 20, b"hsqs" + os.urandom((1 << 20) - 4))
        wait_until(lambda: os.path.exists(part), 10, "the part file")
        sock.close()
        wait_until(lambda: not os.path.exists(part), 30, "the part file to go")
        self.assertNotIn("bundle", self.firmware())
        self.assertEqual(self.folder(), [])

        # SIGKILL in the middle of an upload: after the restart no part file, no bundle.
        sock = self.raw_upload(4 << 20, b"hsqs" + os.urandom((1 << 20) - 4))
        wait_until(lambda: os.path.exists(part), 10, "the part file")
        self.gateway.kill()
        sock.close()
        self.gateway.start()  # the session is in the store: it outlives the process
        self.assertFalse(os.path.exists(part))
        self.assertNotIn("bundle", self.firmware())

        # And the next upload works.
        status, body = self.upload(self.bundles.good)
        self.assertEqual(status, 201, body)
        self.assertEqual(self.settled()["update"]["state"], "valid")

    def test_updater_trusts_nothing_in_the_gateway_folder(self):
        """Requests a hostile gateway could leave: every value checked before it is written anywhere, a link
        renamed and never followed, a request file that is not a file taken away, and the request read with
        the gateway's rights only."""
        self.updater.stop()
        status_file = os.path.join(status_dir_of(self.update_dir), "status")
        request = os.path.join(self.update_dir, "request")

        def answer(text=None, make=None, **kw):
            if make:
                make()
            else:
                with open(request, "w") as f:
                    f.write(text)
            self.new_updater(**kw).run_once()
            self.assertFalse(os.path.lexists(request), "the request was not taken")
            self.assertFalse(os.path.lexists(os.path.join(self.update_dir, ".request.taken")))
            with open(status_file) as f:
                return f.read()

        # Words and globs in the values: one line each, nothing expanded, the action refused.
        status = answer("id=0123456789abcdef\naction=check state=valid /*\nsha256=%s\n" % ("a" * 64))
        self.assertIn("state=invalid\n", status)
        self.assertEqual(status.count("state="), 1, status)
        self.assertNotRegex(status, r"(?m)^/|bin|etc", status)
        status = answer("id=0123456789abcdef\naction=check\nsha256=/* /*\n")
        self.assertIn("message=the request names no SHA-256", status)
        self.assertNotIn("/*", status)

        # A link to a file elsewhere: the link is taken, the file is left as it was.
        victim = os.path.join(self.workdir, "victim")
        with open(victim, "w") as f:
            f.write("id=fedcba9876543210\naction=check\nsha256=%s\n" % ("b" * 64))
        os.chmod(victim, 0o600)
        status = answer(make=lambda: os.symlink(victim, request))
        self.assertTrue(os.path.isfile(victim))
        with open(victim) as f:
            self.assertIn("id=fedcba9876543210", f.read())
        # ... and read with the gateway's rights: a gateway user who may not read the file (here `nobody`,
        # given the folder) gets nothing from it.
        before = status
        os.chmod(os.path.dirname(self.update_dir), 0o711)
        os.chmod(self.update_dir, 0o777)
        try:
            answer(make=lambda: os.symlink(victim, request), gateway_user="nobody")
        finally:
            os.chmod(self.update_dir, 0o700)
            os.chmod(os.path.dirname(self.update_dir), 0o700)
        with open(status_file) as f:
            self.assertEqual(f.read(), before, "a file the gateway's user cannot read was read")
        with open(os.path.join(self.workdir, "updater.log")) as f:
            self.assertIn("ignored a request without a valid id", f.read())

        # A folder where the request should be: taken away, the updater does not loop on it.
        answer(make=lambda: os.makedirs(os.path.join(request, "sub")))
        self.assertNotIn("sub", os.listdir(self.update_dir))

        # The updater writes nothing into the gateway's folder.
        self.assertEqual([f for f in self.folder() if f.startswith(".status") or f == "status"], [])

    def test_package_box_has_no_firmware_updates(self):
        body = self.firmware()
        self.assertFalse(body["available"])
        self.assertTrue(body["version"])
        status, problem = self.admin.request("PUT", "/admin/api/firmware/bundle", raw=b"hsqs" + b"0" * 100, headers=OCTETS)
        self.assertEqual(status, 404, problem)


if __name__ == "__main__":
    main()

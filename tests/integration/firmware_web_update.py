#!/usr/bin/env python3
"""The web admin's side of a firmware update on the appliance image under QEMU (scripts/test-firmware):
the steps an administrator takes, through the admin API on the forwarded port, one command each so the
test can reboot the machine in between. The session (cookie, CSRF token) and the TOTP secret are kept in
STATE, a JSON file.

  firmware_web_update.py PORT STATE setup CODE    first administrator with the printed setup code + TOTP
  firmware_web_update.py PORT STATE upload BUNDLE streams the bundle; waits for the box's check: valid
  firmware_web_update.py PORT STATE install       asks for the install; waits for 'rebooting' or the box
                                                   going away (it reboots)
  firmware_web_update.py PORT STATE show          prints GET /admin/api/firmware (waits for the box)

Prints one line of facts for the log; exits 1 with the reason when a step does not go as it should.
"""
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from admin_client import AdminClient  # noqa: E402

PASSWORD = "Hashi-Kanrisha-2026!"


class Box:
    def __init__(self, port):
        self.config = {"admin": {"listen": "127.0.0.1:%d" % port}}


def fail(why):
    print("firmware_web_update: " + why)
    sys.exit(1)


def firmware(admin):
    status, body = admin.request("GET", "/admin/api/firmware")
    if status != 200:
        fail("GET /admin/api/firmware: %s %s" % (status, body))
    return body


def wait_state(admin, wanted, seconds, tolerate_down=False):
    deadline, last = time.time() + seconds, None
    while time.time() < deadline:
        try:
            last = firmware(admin)
        except OSError:
            if tolerate_down:
                return None  # the box went away: it reboots
            raise
        state = last.get("update", {}).get("state")
        if state in wanted:
            return last
        if state in ("invalid", "install-failed", "interrupted"):
            fail("the update ended as %s: %s" % (state, last["update"].get("message")))
        time.sleep(2)
    fail("no %s within %d s; last: %s" % ("/".join(wanted), seconds, json.dumps(last)))


def main():
    port, state_path, step = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    admin = AdminClient(Box(port))
    saved = {}
    if os.path.exists(state_path):
        with open(state_path) as f:
            saved = json.load(f)
        admin.cookie, admin.csrf = saved.get("cookie"), saved.get("csrf")

    if step == "setup":
        status, body = admin.setup(sys.argv[4], password=PASSWORD)
        if status != 201:
            fail("setup: %s %s" % (status, body))
        saved["secret"], _ = admin.enrol()
        body = firmware(admin)
        if not body.get("available"):
            fail("the image says firmware updates are not available: %s" % body)
        print("administrator set up; running %s on slot %s; slots %s" % (
            body.get("release", {}).get("version"), body.get("bootedSlot"),
            " ".join("%s=%s/%s/%s" % (s["bootname"], s["state"], s["bootStatus"], s["version"]) for s in body["slots"])))
    elif step == "upload":
        path = sys.argv[4]
        size = os.path.getsize(path)
        sha = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                sha.update(block)
        began = time.time()
        with open(path, "rb") as f:
            status, body = admin.request("PUT", "/admin/api/firmware/bundle", raw=f, headers={
                "Content-Type": "application/octet-stream", "Content-Length": str(size)})
        took = time.time() - began
        if status != 201:
            fail("upload: %s %s" % (status, body))
        if body["bundle"]["sha256"] != sha.hexdigest() or body["bundle"]["size"] != size:
            fail("the box got another file: %s" % body["bundle"])
        body = wait_state(admin, ("valid",), 300)
        print("uploaded %d MiB in %.0f s (%.1f MiB/s); checked by the box: %s, version %s" % (
            size >> 20, took, (size >> 20) / max(took, 0.001), body["update"]["state"], body["update"]["version"]))
    elif step == "install":
        body = firmware(admin)
        status, body = admin.request("POST", "/admin/api/firmware/install", {"sha256": body["bundle"]["sha256"]})
        if status != 202:
            fail("install: %s %s" % (status, body))
        seen = wait_state(admin, ("rebooting",), 1200, tolerate_down=True)
        print("install asked for; the box said: %s" % (
            "rebooting into slot %s" % seen["update"]["target"] if seen else "(went away to reboot)"))
    elif step == "show":
        deadline = time.time() + 300
        while True:
            try:
                body = firmware(admin)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(3)
        print(json.dumps(body, ensure_ascii=False))
    else:
        fail("unknown step " + step)

    saved.update(cookie=admin.cookie, csrf=admin.csrf)
    with open(state_path, "w") as f:
        json.dump(saved, f)


if __name__ == "__main__":
    main()

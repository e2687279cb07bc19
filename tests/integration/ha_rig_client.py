#!/usr/bin/env python3
"""The LAN side of scripts/test-ha: a receipt computer and an administrator in front of an HA pair under QEMU.
The load goes to the pair's address: the host is not on the guests' LAN, so each guest passes a forwarded
port on to that address, and a call takes whichever of those ports still has a guest behind it (the killed
node's is gone). A call that found nobody is tried again until the deadline, as a receipt computer does while
the address moves. The web admin is each node's own, forwarded to 127.0.0.1; only the active node's answers.

  ha_rig_client.py STATE setup CODE ADMIN_PORT...   first administrator (setup code, TOTP) on the active node
                                                     and an API token for the load; kept in STATE (JSON)
  ha_rig_client.py STATE load OUT SIM_CONTROL SECONDS BATCH API_PORT...
      a batch of BATCH entries (Idempotency-Key: a resend after a takeover is the same batch) and, meanwhile,
      a steady stream of single inquiries for SECONDS; each inquiry is followed until it is answered. Writes
      OUT (JSON): accepted, answered, failed (accepted but never answered, or never accepted by the end), the
      batch's reception and entries answered, and the longest time nobody answered (seconds).
  ha_rig_client.py STATE pair ADMIN_PORT...         prints GET /admin/api/pair of the active node
"""
import http.client
import json
import os
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from admin_client import AdminClient  # noqa: E402
from harness import inquiry_json  # noqa: E402

PASSWORD = "Hashi-Kanrisha-2026!"
CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CTX.check_hostname, CTX.verify_mode = False, ssl.CERT_NONE


class Port:
    def __init__(self, port):
        self.config = {"admin": {"listen": "127.0.0.1:%d" % port}}


def first_answering_admin(ports, saved, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        for port in ports:
            admin = AdminClient(Port(port))
            admin.cookie, admin.csrf = saved.get("cookie"), saved.get("csrf")
            try:
                admin.request("GET", "/admin/api/setup")
                return admin
            except OSError:
                continue
        time.sleep(2)
    raise SystemExit("ha_rig_client: no node's web admin answers")


class Api:
    """The pair's LAN API through whichever port answers; a connection refused or reset moves on to the next.
    Calls through the standby arrive from its LAN address (10.50.0.0/24), through the active node from the
    host's user-mode network (10.0.2.0/24): the API client allows both."""

    def __init__(self, ports, token):
        self.ports, self.token, self.lock = ports, token, threading.Lock()
        self.last_ok, self.longest_gap = time.time(), 0.0

    def call(self, method, path, body=None, headers=None, deadline=None):
        while True:
            for port in self.ports:
                try:
                    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=CTX)
                    h = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
                    h.update(headers or {})
                    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
                    res = conn.getresponse()
                    payload = res.read()
                    conn.close()
                    if res.status >= 500 and res.status != 503:
                        continue
                    with self.lock:
                        now = time.time()
                        self.longest_gap = max(self.longest_gap, now - self.last_ok)
                        self.last_ok = now
                    return res.status, json.loads(payload) if payload else None
                except (OSError, http.client.HTTPException):
                    continue
            if deadline and time.time() > deadline:
                return None, None
            time.sleep(0.5)


def sim_persons(control_port, count):
    out, offset = [], 0
    while len(out) < count:
        conn = http.client.HTTPConnection("127.0.0.1", control_port, timeout=30)
        conn.request("GET", "/sim/population?offset=%d&limit=500" % offset)
        page = json.loads(conn.getresponse().read())["persons"]
        conn.close()
        if not page:
            break
        offset += len(page)
        out.extend(page)
    return out[:count]


def load(saved, out_path, control_port, seconds, batch_size, ports):
    api = Api(ports, saved["token"])
    persons = sim_persons(control_port, max(batch_size, 200))
    result = {"accepted": 0, "answered": 0, "failed": 0, "batch": {}}
    end = time.time() + seconds
    give_up = end + 600

    # One key per load (its output file): a resend after a takeover is the same batch, and the next step's load
    # makes a batch of its own instead of getting the earlier step's back.
    batch_key = "ha-rig-batch-" + os.path.splitext(os.path.basename(out_path))[0]

    def batch():
        entries = [inquiry_json(p, "E%d" % i) for i, p in enumerate(persons[:batch_size])]
        status, body = api.call("POST", "/api/v1/eligibility/batches", {"entries": entries},
                                {"Idempotency-Key": batch_key}, give_up)
        if status != 202:
            result["batch"] = {"error": "%s %s" % (status, body)}
            return
        reception = body["receptionNumber"]
        while time.time() < give_up:
            status, body = api.call("GET", "/api/v1/eligibility/batches/" + reception, deadline=give_up)
            if status == 200 and body.get("status") == "done":
                break
            time.sleep(3)
        result["batch"] = {"reception": reception, "status": (body or {}).get("status"),
                           "entries": len((body or {}).get("entries", []))}

    def stream():
        i = 0
        while time.time() < end:
            p = persons[i % len(persons)]
            i += 1
            status, body = api.call("POST", "/api/v1/eligibility/inquiries", inquiry_json(p, "S%d" % i), deadline=give_up)
            if status not in (200, 202):
                result["failed"] += 1
                continue
            result["accepted"] += 1
            while status == 202 and time.time() < give_up:
                time.sleep(1)
                status, body = api.call("GET", "/api/v1/eligibility/inquiries/" + str(body["ticket"]), deadline=give_up)
            if status == 200:
                result["answered"] += 1
            else:
                result["failed"] += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=batch), threading.Thread(target=stream)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result["longestGapSeconds"] = round(api.longest_gap, 1)
    with open(out_path, "w") as f:
        json.dump(result, f)
    print("ha_rig_client: %s" % json.dumps(result))
    return 0 if result["failed"] == 0 and result["batch"].get("status") == "done" else 1


def main():
    state_path, step = sys.argv[1], sys.argv[2]
    saved = json.load(open(state_path)) if os.path.exists(state_path) else {}
    if step == "setup":
        admin = first_answering_admin([int(p) for p in sys.argv[4:]], saved)
        status, body = admin.setup(sys.argv[3], password=PASSWORD)
        if status != 201:
            raise SystemExit("ha_rig_client: setup: %s %s" % (status, body))
        saved["secret"], _ = admin.enrol()
        status, body = admin.request("POST", "/admin/api/api-clients", {"name": "ha-rig", "allowCidrs": ["10.0.2.0/24", "10.50.0.0/24"]})
        if status != 201:
            raise SystemExit("ha_rig_client: api client: %s %s" % (status, body))
        saved.update(token=body["token"], cookie=admin.cookie, csrf=admin.csrf)
        json.dump(saved, open(state_path, "w"))
        print("ha_rig_client: administrator and API token set up")
        return 0
    if step == "load":
        out, control, seconds, batch_size = sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
        return load(saved, out, control, seconds, batch_size, [int(p) for p in sys.argv[7:]])
    if step == "pair":
        admin = first_answering_admin([int(p) for p in sys.argv[3:]], saved)
        status, body = admin.request("GET", "/admin/api/pair")
        print(json.dumps(body, ensure_ascii=False))
        return 0 if status == 200 else 1
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())

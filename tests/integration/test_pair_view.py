#!/usr/bin/env python3
"""The web admin's view of an HA pair (docs/ha.md), against a real gateway whose pair folders are written here as
the root helper (firmware/ha/rootfs/usr/libexec/kakehashi/pair-status) writes them on the box.

- A box not in a pair says so and takes no request; no pair gauges at /metrics.
- In a pair: the active node, each node's state, DRBD connected and in sync, and /metrics agrees.
- The other node lost and the services moved here: the last takeover with the reason "nodeLost"; DRBD cut off,
  nobody able to take over.
- A request (move to the other node) is left for the helper, one at a time, audited; the helper's answer is
  shown; an unknown node or action is refused; an operator may look but not ask.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import IntegrationTest, main  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "pair", "crm_mon.xml")
IN_SYNC = ("kakehashi-data role:Primary\n  disk:UpToDate\n  peer role:Secondary\n"
           "    replication:Established peer-disk:UpToDate\n")
CUT_OFF = "kakehashi-data role:Primary\n  disk:UpToDate\n  peer connection:Connecting\n"
OPERATOR_PASSWORD = "Uketsuke-Mado-2026?"


def put(folder, name, text):
    path = os.path.join(folder, name)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


class PairViewTest(IntegrationTest):
    gateway_options = {}

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="kakehashi-pair-")
        self.status = os.path.join(self.root, "status")
        self.requests = os.path.join(self.root, "requests")
        os.mkdir(self.status)
        type(self).gateway_options = dict(admin_options())
        if not self._testMethodName.startswith("test_single_box"):
            type(self).gateway_options["pair"] = {"statusDir": self.status, "requestDir": self.requests,
                                                  "name": "kakehashi", "address": "192.168.10.10"}
            with open(FIXTURE) as f:
                self.crm_mon = f.read()
            put(self.status, "crm_mon.xml", self.crm_mon)
            put(self.status, "node", "node=kh-a\n")
            put(self.status, "drbd-status", IN_SYNC)
        super().setUp()
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.admin.enrol()

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.root, ignore_errors=True)

    def pair(self, client=None):
        status, body = (client or self.admin).request("GET", "/admin/api/pair")
        self.assertEqual(status, 200, body)
        return body

    def metrics(self):
        s, text, _ = self.gateway.request("GET", "/metrics", as_text=True)
        self.assertEqual(s, 200)
        return text

    def test_single_box_is_not_a_pair(self):
        self.assertEqual(self.pair(), {"inPair": False})
        status, body = self.admin.request("POST", "/admin/api/pair/requests", {"action": "move", "node": "kh-b"})
        self.assertEqual(status, 404, body)
        self.assertNotIn("kakehashi_ha_", self.metrics())

    def test_pair_state_and_takeover(self):
        p = self.pair()
        self.assertTrue(p["inPair"])
        self.assertEqual((p["thisNode"], p["activeNode"]), ("kh-a", "kh-a"))
        self.assertTrue(p["standbyReady"])
        self.assertTrue(p["drbd"]["connected"] and p["drbd"]["inSync"])
        self.assertEqual([(n["name"], n["online"], n["active"], n["thisNode"]) for n in p["nodes"]],
                         [("kh-a", True, True, True), ("kh-b", True, False, False)])
        self.assertNotIn("lastTakeover", p)
        text = self.metrics()
        self.assertIn("kakehashi_ha_active 1\n", text)
        self.assertIn("kakehashi_ha_standby_ready 1\n", text)
        self.assertIn("kakehashi_drbd_connected 1\n", text)

        # kh-b was active and went away; the helper saw the services arrive here.
        lost = self.crm_mon.replace('<node name="kh-b" id="2" online="true"', '<node name="kh-b" id="2" online="false"')
        put(self.status, "takeover.xml", lost)
        put(self.status, "takeover", "at=1796000100\nfrom=kh-b\nto=kh-a\n")
        put(self.status, "crm_mon.xml", lost)
        put(self.status, "drbd-status", CUT_OFF)
        p = self.pair()
        self.assertEqual(p["lastTakeover"], {"at": "2026-11-30T09:55:00+09:00", "from": "kh-b", "to": "kh-a",
                                             "reason": "nodeLost"})
        self.assertFalse(p["standbyReady"])
        self.assertFalse(p["drbd"]["connected"])
        self.assertEqual(p["drbd"]["connection"], "Connecting")
        text = self.metrics()
        self.assertIn("kakehashi_drbd_connected 0\n", text)
        self.assertIn("kakehashi_ha_standby_ready 0\n", text)
        self.assertIn('kakehashi_ha_last_takeover_timestamp_seconds{from="kh-b",to="kh-a",reason="nodeLost"} 1796000100\n',
                      text)

    def test_requests_for_the_helper(self):
        status, body = self.admin.request("POST", "/admin/api/pair/requests", {"action": "move", "node": "kh-b"})
        self.assertEqual(status, 202, body)
        with open(os.path.join(self.requests, "request")) as f:
            request = dict(line.split("=", 1) for line in f.read().splitlines())
        self.assertEqual((request["action"], request["node"], request["requestedBy"]), ("move", "kh-b", "admin"))
        # One at a time: the helper has not taken it yet.
        status, body = self.admin.request("POST", "/admin/api/pair/requests", {"action": "standby", "node": "kh-a"})
        self.assertEqual((status, body["type"]), (409, "urn:kakehashi:problem:pair-busy"))
        # The helper takes it and answers.
        os.remove(os.path.join(self.requests, "request"))
        put(self.requests, "answer", "id=%s\naction=move\nnode=kh-b\nstate=taken\nmessage=\nat=1796000100\n" % request["id"])
        self.assertEqual(self.pair()["request"]["state"], "taken")
        self.assertEqual(self.pair()["request"]["id"], request["id"])
        for bad in ({"action": "move", "node": "kh-z"}, {"action": "reboot", "node": "kh-b"}):
            status, body = self.admin.request("POST", "/admin/api/pair/requests", bad)
            self.assertEqual(status, 422, body)
        status, body = self.admin.request("GET", "/admin/api/audit?limit=50")
        self.assertIn("admin.pair-requested", [e["action"] for e in body["entries"]])

        # An operator sees the pair but may not move it.
        status, body = self.admin.request("POST", "/admin/api/users", {
            "username": "reception", "displayName": "受付", "role": "operator", "password": OPERATOR_PASSWORD})
        self.assertEqual(status, 201, body)
        operator = AdminClient(self.gateway)
        operator.login("reception", OPERATOR_PASSWORD)
        operator.enrol()
        self.assertTrue(self.pair(operator)["inPair"])
        status, _ = operator.request("POST", "/admin/api/pair/requests", {"action": "move", "node": "kh-b"})
        self.assertEqual(status, 403)


if __name__ == "__main__":
    main()

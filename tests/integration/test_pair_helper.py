#!/usr/bin/env python3
"""The HA pair's root helper (firmware/ha/rootfs/usr/libexec/kakehashi/pair-status) against stand-ins for the
cluster's tools (crm_mon, crm_resource, crm_attribute, crm_node, drbdadm, systemctl) that answer from files and
write down how they were called. The real cluster runs only in scripts/test-ha.

- Each round writes this node's name, crm_mon's document and drbdadm's status; a round where crm_mon fails
  keeps the last document.
- A change of active node is recorded as a takeover (from, to, when) with the cluster as it was then; the first
  round records none.
- Requests: a move marks this node (kakehashi-handover), bans the services from it, waits and lifts the ban;
  standby and back online set the node's standby attribute; a bad node name is refused; each answered in the
  request folder, the request taken away.
- A rolling update's second half starts only on the active node, when the node that went first is back with
  the new version, not in standby, and DRBD is in sync.
"""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(HERE, "..", "..", "firmware", "ha", "rootfs", "usr", "libexec", "kakehashi", "pair-status")
FIXTURE = os.path.join(HERE, "..", "fixtures", "pair", "crm_mon.xml")
IN_SYNC = ("kakehashi-data role:Primary\n  disk:UpToDate\n  peer role:Secondary\n"
           "    replication:Established peer-disk:UpToDate\n")

STUBS = {
    "crm_node": 'echo "$(cat "$STUB/node")"',
    "crm_mon": '[ -f "$STUB/crm_mon.fails" ] && exit 102; cat "$STUB/crm_mon.xml"',
    "drbdadm": 'cat "$STUB/drbd"',
    # --locate answers from the file `active`; a ban moves the services to the other node.
    "crm_resource": '''echo "crm_resource $*" >> "$STUB/calls"
case "$*" in
  *--locate*) echo "resource lan-ip is running on: $(cat "$STUB/active")" ;;
  *--ban*) [ "$(cat "$STUB/active")" = kh-a ] && echo kh-b > "$STUB/active" || echo kh-a > "$STUB/active" ;;
esac''',
    "crm_attribute": '''echo "crm_attribute $*" >> "$STUB/calls"
case "$*" in
  *"--name kakehashi-firmware --query"*) cat "$STUB/firmware" 2>/dev/null ;;
  *"--name standby --query"*) cat "$STUB/standby" 2>/dev/null || echo off ;;
esac''',
    "systemctl": 'echo "systemctl $*" >> "$STUB/calls"',
}


def fields(path):
    with open(path) as f:
        return dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)


class PairHelperTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kakehashi-pair-helper-")
        self.stub = os.path.join(self.dir, "stub")
        self.bin = os.path.join(self.dir, "bin")
        self.status = os.path.join(self.dir, "status")
        self.requests = os.path.join(self.dir, "requests")
        self.rolling = os.path.join(self.dir, "rolling")
        for d in (self.stub, self.bin, self.requests):
            os.mkdir(d)
        for name, body in STUBS.items():
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + body + "\n")
            os.chmod(path, stat.S_IRWXU)
        with open(FIXTURE) as f:
            self.xml = f.read()
        self.put("node", "kh-a")
        self.put("crm_mon.xml", self.xml)
        self.put("drbd", IN_SYNC)
        self.put("active", "kh-a")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def put(self, name, text, folder=None):
        with open(os.path.join(folder or self.stub, name), "w") as f:
            f.write(text + ("" if text.endswith("\n") else "\n"))

    def read(self, name, folder=None):
        with open(os.path.join(folder or self.status, name)) as f:
            return f.read()

    def calls(self):
        path = os.path.join(self.stub, "calls")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return f.read().splitlines()

    def run_helper(self):
        env = dict(os.environ, PATH=self.bin + ":" + os.environ["PATH"], STUB=self.stub,
                   KAKEHASHI_PAIR_STATUS=self.status, KAKEHASHI_PAIR_REQUESTS=self.requests,
                   KAKEHASHI_ROLLING_DIR=self.rolling, KAKEHASHI_GATEWAY_USER=os.environ.get("USER", "root"))
        done = subprocess.run(["sh", HELPER], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_status_and_takeovers(self):
        self.run_helper()
        self.assertEqual(self.read("node"), "node=kh-a\n")
        self.assertEqual(self.read("crm_mon.xml"), self.xml if self.xml.endswith("\n") else self.xml + "\n")
        self.assertEqual(self.read("drbd-status"), IN_SYNC)
        self.assertFalse(os.path.exists(os.path.join(self.status, "takeover")), "the first round is no takeover")

        # crm_mon fails for a round: the last document stays.
        self.put("crm_mon.fails", "")
        self.put("crm_mon.xml", "<other/>")
        self.run_helper()
        self.assertIn("<pacemaker-result", self.read("crm_mon.xml"))
        os.remove(os.path.join(self.stub, "crm_mon.fails"))

        # The services now run on kh-b, with kh-a offline in the cluster's view.
        lost = self.xml.replace('<node name="kh-a" id="1" online="true"', '<node name="kh-a" id="1" online="false"')
        self.put("crm_mon.xml", lost)
        self.put("active", "kh-b")
        self.run_helper()
        t = fields(os.path.join(self.status, "takeover"))
        self.assertEqual((t["from"], t["to"]), ("kh-a", "kh-b"))
        self.assertTrue(t["at"].isdigit())
        self.assertIn('<node name="kh-a" id="1" online="false"', self.read("takeover.xml"))
        # Nothing moved since: the takeover stays as it was.
        self.run_helper()
        self.assertEqual(fields(os.path.join(self.status, "takeover")), t)

    def request(self, action, node, rid="0123456789abcdef"):
        self.put("request", "id=%s\naction=%s\nnode=%s\nrequestedAt=1796000000\nrequestedBy=admin\n" % (rid, action, node),
                 self.requests)

    def test_requests(self):
        self.run_helper()
        self.request("move", "kh-b")
        self.run_helper()
        self.assertFalse(os.path.exists(os.path.join(self.requests, "request")), "the request is taken")
        answer = fields(os.path.join(self.requests, "answer"))
        self.assertEqual((answer["id"], answer["action"], answer["state"]), ("0123456789abcdef", "move", "taken"))
        calls = self.calls()
        handover = [c for c in calls if "kakehashi-handover" in c]
        self.assertTrue(handover and "--node kh-a" in handover[0], calls)
        ban = next(i for i, c in enumerate(calls) if "--ban" in c)
        self.assertLess(calls.index(handover[0]), ban, "marked before the ban")
        self.assertIn("--resource kakehashi-services --node kh-a", calls[ban])
        self.assertTrue(any("--wait" in c for c in calls[ban:]))
        self.assertTrue(any("--clear --resource kakehashi-services" in c for c in calls[ban:]), "the ban is lifted")

        os.remove(os.path.join(self.stub, "calls"))
        self.request("standby", "kh-a", "00000000000000aa")
        self.run_helper()
        self.assertTrue(any("--node kh-a --name standby --update on" in c for c in self.calls()), self.calls())
        self.request("online", "kh-b", "00000000000000bb")
        self.run_helper()
        self.assertTrue(any("--node kh-b --name standby --update off" in c for c in self.calls()), self.calls())
        self.assertEqual(fields(os.path.join(self.requests, "answer"))["state"], "done")

        os.remove(os.path.join(self.stub, "calls"))
        self.request("move", "kh-b; reboot")
        self.run_helper()
        self.assertEqual(fields(os.path.join(self.requests, "answer"))["state"], "failed")
        self.assertFalse(any("--ban" in c or "--update" in c for c in self.calls()), self.calls())

    def test_rolling_update_waits_for_the_first_node(self):
        os.mkdir(self.rolling)
        self.put("state", "sha256=%s\nversion=0.2.0\nfirst=kh-b\n" % ("ab" * 32), self.rolling)
        self.put("firmware", "0.1.0")  # kh-b not back with the new version yet
        self.run_helper()
        self.assertFalse(any("kakehashi-update-rolling" in c for c in self.calls()))
        self.put("firmware", "0.2.0")
        self.put("standby", "on")  # back, but in standby
        self.run_helper()
        self.assertFalse(any("kakehashi-update-rolling" in c for c in self.calls()))
        self.put("standby", "off")
        self.put("drbd", "kakehashi-data role:Primary\n  disk:UpToDate\n  peer role:Secondary\n"
                         "    replication:SyncSource peer-disk:Inconsistent done:40.00\n")
        self.run_helper()
        self.assertFalse(any("kakehashi-update-rolling" in c for c in self.calls()), "not while DRBD syncs")
        self.put("drbd", IN_SYNC)
        self.run_helper()
        self.assertTrue(any("start --no-block kakehashi-update-rolling.service" in c for c in self.calls()))
        # Never on the standby.
        os.remove(os.path.join(self.stub, "calls"))
        self.put("active", "kh-b")
        self.run_helper()
        self.assertFalse(any("kakehashi-update-rolling" in c for c in self.calls()))


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""How the two nodes of an HA pair come to hold the same keys, each sealed to its own TPM
(firmware/ha/rootfs/usr/libexec/kakehashi/ha-keys, docs/ha.md). systemd-creds is replaced by a stand-in whose
credentials open only on the "TPM" (STUB_TPM) that made them, and the cluster's node attributes are files; the
encryption to the other node (RSA-OAEP, openssl) is real.

- Node B enrols: its private key is sealed to B's TPM only, its public key published in the cluster.
- Node A (active, keys sealed to A's TPM) wraps the keys for B into an envelope on /data; nothing of the keys
  is in the envelope in clear; wrapping again changes nothing until B enrols a new key.
- Node B, taking over with no keys of its own, receives them: sealed to B's TPM, the same bytes as A's.
  A's credentials do not open on B, nor B's envelope with another node's TPM.
- A node with no envelope refuses to start on an existing store, so no new key can make it unreadable.
"""
import base64
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HA_KEYS = os.path.join(HERE, "..", "..", "firmware", "ha", "rootfs", "usr", "libexec", "kakehashi", "ha-keys")

STUBS = {
    # A credential is "TPM id, newline, base64 of the secret"; it opens only where STUB_TPM is that id.
    "systemd-creds": '''case "$1" in
  encrypt) for a; do out=$a; done; { echo "$STUB_TPM"; base64 -w0; echo; } > "$out" ;;
  decrypt) cred=$3; [ "$(head -n 1 "$cred")" = "$STUB_TPM" ] || { echo "wrong TPM" >&2; exit 1; }
           sed -n 2p "$cred" | base64 -d ;;
esac''',
    "crm_node": '''case "$1" in -n) echo "$STUB_NODE" ;; -l) echo "1 kh-a member"; echo "2 kh-b member" ;; esac''',
    "crm_attribute": '''node=$2 name=$4
case "$*" in
  *--update*) printf '%s' "$6" > "$STUB_CIB/$node.$name" ;;
  *--query*) cat "$STUB_CIB/$node.$name" 2>/dev/null ;;
esac''',
    "mountpoint": 'exit 0',
    "sync": 'exit 0',
}


class PairKeysTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kakehashi-pair-keys-")
        self.bin = os.path.join(self.dir, "bin")
        self.cib = os.path.join(self.dir, "cib")
        self.data = os.path.join(self.dir, "data")  # the replicated /data
        for d in (self.bin, self.cib, self.data):
            os.mkdir(d)
        for name, body in STUBS.items():
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\n" + body + "\n")
            os.chmod(path, stat.S_IRWXU)
        self.store = os.path.join(self.data, "kakehashi.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def node(self, name, command, ok=True):
        env = dict(os.environ, PATH=self.bin + ":" + os.environ["PATH"], STUB_TPM="tpm-" + name, STUB_NODE=name,
                   STUB_CIB=self.cib, KAKEHASHI_SEALED_DIR=os.path.join(self.dir, name, "keys"),
                   KAKEHASHI_PAIR_KEYS=os.path.join(self.data, "kakehashi-pair-keys"), KAKEHASHI_STORE=self.store)
        os.makedirs(os.path.join(self.dir, name), exist_ok=True)
        done = subprocess.run(["bash", HA_KEYS, command], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode == 0, ok, done.stdout + done.stderr)
        return done

    def seal_on(self, name, key, secret):
        path = os.path.join(self.dir, name, "keys")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, key + ".cred"), "w") as f:
            f.write("tpm-%s\n%s\n" % (name, base64.b64encode(secret).decode()))

    def opened(self, name, key, tpm):
        with open(os.path.join(self.dir, name, "keys", key + ".cred")) as f:
            first, b64 = f.read().splitlines()[:2]
        self.assertEqual(first, "tpm-" + tpm)
        return base64.b64decode(b64)

    def test_keys_reach_the_other_node_sealed_to_its_tpm(self):
        data_key, audit_key = os.urandom(64), os.urandom(32)
        self.seal_on("kh-a", "data.key", data_key)
        self.seal_on("kh-a", "audit.key", audit_key)
        with open(self.store, "w") as f:
            f.write("store")

        # Without an envelope, node B refuses to start on the existing store.
        refused = self.node("kh-b", "receive", ok=False)
        self.assertIn("has not received the pair's keys", refused.stderr)

        self.node("kh-b", "enroll")
        self.assertTrue(os.path.exists(os.path.join(self.cib, "kh-b.kakehashi-enroll-key")))
        with open(os.path.join(self.dir, "kh-b", "keys", "enroll.key.cred")) as f:
            enroll = f.read()
        self.assertTrue(enroll.startswith("tpm-kh-b\n"), "the private key is sealed to B's TPM")

        self.node("kh-a", "wrap")
        envelope_path = os.path.join(self.data, "kakehashi-pair-keys", "kh-b.enc")
        with open(envelope_path, "rb") as f:
            envelope = f.read()
        self.assertEqual(len(envelope), 384, "RSA-3072")
        self.assertNotIn(data_key[:16], envelope)
        self.node("kh-a", "wrap")
        with open(envelope_path, "rb") as f:
            self.assertEqual(f.read(), envelope, "wrapped once per enrolment key")

        self.node("kh-b", "receive")
        self.assertEqual(self.opened("kh-b", "data.key", "kh-b"), data_key)
        self.assertEqual(self.opened("kh-b", "audit.key", "kh-b"), audit_key)

        # Another node's TPM does not open B's envelope.
        shutil.copy(envelope_path, os.path.join(self.data, "kakehashi-pair-keys", "kh-c.enc"))
        os.makedirs(os.path.join(self.dir, "kh-c", "keys"), exist_ok=True)
        shutil.copy(os.path.join(self.dir, "kh-b", "keys", "enroll.key.cred"),
                    os.path.join(self.dir, "kh-c", "keys", "enroll.key.cred"))
        self.node("kh-c", "receive", ok=False)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "kh-c", "keys", "data.key.cred")))

    def test_first_start_of_a_new_pair_leaves_the_keys_to_seal_keys(self):
        self.node("kh-a", "receive")  # no store yet: seal-keys makes the keys
        self.assertFalse(os.path.exists(os.path.join(self.dir, "kh-a", "keys", "data.key.cred")))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The keys as systemd credentials (the appliance's sealed keys, firmware/README.md): the real gateway takes
them from $CREDENTIALS_DIRECTORY, opens its store with them and never writes a key to disk; a key folder open
to others, a missing credential and sealed keys without their credentials are refused with a message that
names the path; without credentials the keys are files and a warning says so once. The root helper
(seal-keys, run by kakehashi-keys.service before the gateway) is run here as the unit runs it, with
systemd-creds' host key in a test file instead of the TPM (scripts/test-sealed-key seals to a TPM under QEMU):
an older install sealed, a first start, a moved disk, and a backup restored on a new box through the web
admin ending sealed, its cache opening with the restored key.
"""
import base64
import getpass
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from admin_client import AdminClient, admin_options, setup_code
from harness import KAKEHASHI_BIN, SOURCE, CentralSim, Gateway, inquiry_json, main, wait_until

SEAL_KEYS = os.path.join(SOURCE, "firmware", "package", "files", "usr", "libexec", "kakehashi", "seal-keys")
KEYS_IN_CLEAR = '"event":"store.keys_in_clear"'
PASSPHRASE = "架け橋の合言葉-2026-backup"
RESTART_EXIT = 75  # the gateway stops and exits with this for systemd to start it again


def credential_folder(path, keys):
    """A credential folder as systemd lays one out for the unit: read-only files in a read-only folder."""
    os.mkdir(path, 0o700)
    for name, data in keys.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(path, name), 0o400)
    os.chmod(path, 0o500)
    return path


class KeysTest(unittest.TestCase):
    """A simulator and a gateway configuration (not started) in a fresh folder, one person to ask about."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-keys-")
        self.sim = CentralSim(self.workdir).start()
        self.gateway = Gateway(self.workdir, self.sim)
        self.key_dir = self.gateway.config["keyDir"]
        self.person = self.sim.persons(1, validity="1")[0]

    def tearDown(self):
        try:
            if self.gateway.alive():
                self.assertEqual(self.gateway.stop(), 0)
            if os.path.exists(self.gateway.log_path):
                self.gateway.assert_no_patient_data_in_log(self, [self.person])
        finally:
            self.sim.stop()
            for root, dirs, _ in os.walk(self.workdir):  # the read-only credential folders
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o700)
            shutil.rmtree(self.workdir, ignore_errors=True)

    def with_credentials(self, folder):
        self.gateway.env = dict(os.environ, CREDENTIALS_DIRECTORY=folder)

    def serve_refused(self):
        """`kakehashi serve` that must stop at once: its exit code and what it said."""
        out = subprocess.run([KAKEHASHI_BIN, "serve", "--config", self.gateway.config_path], capture_output=True,
                             text=True, timeout=60, env=self.gateway.env)
        return out.returncode, out.stdout + out.stderr

    def inquire(self, arbitrary_id):
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries",
                                               inquiry_json(self.person, arbitrary_id))
        self.assertEqual(status, 200, body)
        return body["source"]

    def files_holding(self, secrets, skip):
        """Every file under the working folder (but `skip`) that holds one of `secrets`."""
        found = []
        for root, _, files in os.walk(self.workdir):
            if os.path.commonpath([root, skip]) == skip:
                continue
            for name in files:
                path = os.path.join(root, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                found += [path for s in secrets if s in data]
        return found

    def log_text(self):
        with open(self.gateway.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class SealedKeysTest(KeysTest):
    def test_the_gateway_opens_its_store_with_credentials_and_writes_no_key(self):
        keys = {"data.key": os.urandom(64), "audit.key": os.urandom(32)}
        creds = credential_folder(os.path.join(self.workdir, "credentials"), keys)
        self.with_credentials(creds)
        self.gateway.start()
        self.assertEqual(self.inquire("A1"), "live")
        self.assertEqual(self.gateway.stop(), 0)
        # Started again with the same credentials, the sealed cache row opens: the store uses that key.
        self.gateway.start()
        self.assertEqual(self.inquire("A2"), "cache")
        self.assertEqual(self.gateway.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(self.key_dir, "data.key")))
        self.assertFalse(os.path.exists(os.path.join(self.key_dir, "audit.key")))
        self.assertEqual(self.files_holding(list(keys.values()), creds), [], "a key was written to disk")
        self.assertNotIn(KEYS_IN_CLEAR, self.log_text())

    def test_without_credentials_the_keys_are_files_and_a_warning_says_so_once(self):
        self.gateway.start()
        self.assertEqual(self.inquire("A1"), "live")
        self.assertEqual(self.gateway.stop(), 0)
        for name in ("data.key", "audit.key"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.key_dir, name)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.key_dir).st_mode), 0o700)
        log = self.log_text()
        self.assertEqual(log.count(KEYS_IN_CLEAR), 1, log)
        warning = next(line for line in log.splitlines() if KEYS_IN_CLEAR in line)
        self.assertIn('"level":"warn"', warning)
        self.assertLess(warning.index("封印されず"), warning.index("not sealed"), "Japanese first")

    def test_a_key_folder_or_key_open_to_others_is_refused_naming_it(self):
        self.gateway.start()
        self.assertEqual(self.gateway.stop(), 0)
        os.chmod(self.key_dir, 0o750)
        code, said = self.serve_refused()
        self.assertEqual(code, 1, said)
        self.assertIn("鍵フォルダー " + self.key_dir, said)
        self.assertIn("the key folder %s is open to group or others (mode 0750): chmod 700" % self.key_dir, said)
        # Also when the keys come as credentials: a restore writes into that folder.
        self.with_credentials(credential_folder(os.path.join(self.workdir, "credentials"),
                                                {"data.key": os.urandom(64), "audit.key": os.urandom(32)}))
        code, said = self.serve_refused()
        self.assertEqual(code, 1, said)
        self.assertIn("is open to group or others", said)
        self.gateway.env = None
        os.chmod(self.key_dir, 0o700)
        data_key = os.path.join(self.key_dir, "data.key")
        os.chmod(data_key, 0o640)
        code, said = self.serve_refused()
        self.assertEqual(code, 1, said)
        self.assertIn("鍵ファイル " + data_key, said)
        self.assertIn("chmod 600", said)
        os.chmod(data_key, 0o600)
        self.gateway.start()  # as it was: starts

    def test_a_missing_credential_is_refused_and_no_key_is_made(self):
        self.with_credentials(credential_folder(os.path.join(self.workdir, "credentials"), {"audit.key": os.urandom(32)}))
        code, said = self.serve_refused()
        self.assertEqual(code, 1, said)
        self.assertIn("LoadCredentialEncrypted=data.key", said)
        self.assertIn("no new key is made", said)
        self.assertFalse(os.path.exists(os.path.join(self.key_dir, "data.key")))

    def test_sealed_keys_refuse_a_process_started_without_their_credentials(self):
        os.mkdir(self.key_dir, 0o700)
        with open(os.path.join(self.key_dir, "sealed"), "w") as f:
            f.write("sealed by kakehashi-keys\n")
        out = subprocess.run([KAKEHASHI_BIN, "api-client", "list", "--config", self.gateway.config_path],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("are sealed (systemd-creds)", out.stderr)
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"], "no key may be made beside sealed keys")


@unittest.skipUnless(shutil.which("systemd-creds") and os.geteuid() == 0, "needs systemd-creds and root (setpriv)")
class SealKeysHelperTest(KeysTest):
    """The root helper with the host key of a test file: an older install's raw keys sealed and removed, the
    gateway opening its store through them, a restore's raw key sealed, a moved disk refused."""

    def helper(self, secret="host.secret"):
        env = dict(os.environ, KAKEHASHI_KEY_DIR=self.key_dir, KAKEHASHI_SEALED_DIR=self.sealed,
                   KAKEHASHI_SEAL_WITH="host", KAKEHASHI_GATEWAY_USER=getpass.getuser(),
                   SYSTEMD_CREDENTIAL_SECRET=os.path.join(self.workdir, secret))
        return subprocess.run([SEAL_KEYS], capture_output=True, text=True, timeout=120, env=env)

    def sealed_files(self):
        out = {}
        for name in os.listdir(self.sealed):
            with open(os.path.join(self.sealed, name), "rb") as f:
                out[name] = f.read()
        return out

    def systemd_loads_credentials(self, name):
        """What systemd does for LoadCredentialEncrypted=: the credentials decrypted into a fresh folder."""
        folder = os.path.join(self.workdir, name)
        os.mkdir(folder, 0o700)
        for key in ("data.key", "audit.key"):
            subprocess.run(["systemd-creds", "decrypt", "--name=" + key, os.path.join(self.sealed, key + ".cred"),
                            os.path.join(folder, key)], check=True, capture_output=True, timeout=60,
                           env=dict(os.environ, SYSTEMD_CREDENTIAL_SECRET=os.path.join(self.workdir, "host.secret")))
            os.chmod(os.path.join(folder, key), 0o400)
        os.chmod(folder, 0o500)
        return folder

    def test_an_older_install_is_sealed_and_keeps_its_store(self):
        self.sealed = os.path.join(self.workdir, "credstore")
        self.gateway.start()  # an install from before: raw key files
        self.assertEqual(self.inquire("A1"), "live")
        self.assertEqual(self.gateway.stop(), 0)
        with open(os.path.join(self.key_dir, "data.key"), "rb") as f:
            raw = f.read()
        out = self.helper()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("sealed data.key (host)", out.stdout)
        self.assertIn("sealed audit.key (host)", out.stdout)
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"])
        self.assertEqual(sorted(os.listdir(self.sealed)), ["audit.key.cred", "data.key.cred"])
        self.assertEqual(stat.S_IMODE(os.stat(self.sealed).st_mode), 0o700)

        creds = self.systemd_loads_credentials("credentials")
        self.with_credentials(creds)
        self.gateway.start()
        self.assertEqual(self.inquire("A2"), "cache", "the sealed key must be the store's key")
        self.assertEqual(self.gateway.stop(), 0)
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"])
        self.assertEqual(self.files_holding([raw], creds), [], "the raw key is still on disk")

        # A restore leaves the backup's key raw in the key folder; the helper seals it before the next start.
        restored = os.urandom(64)
        with open(os.path.join(self.key_dir, "data.key"), "wb") as f:
            f.write(restored)
        os.chmod(os.path.join(self.key_dir, "data.key"), 0o600)
        code, said = self.serve_refused()  # a start without the helper would have two keys: refused
        self.assertEqual(code, 1, said)
        self.assertIn("restart the service so that kakehashi-keys seals it", said)
        out = self.helper()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("sealed data.key (host)", out.stdout)
        with open(os.path.join(self.systemd_loads_credentials("credentials-2"), "data.key"), "rb") as f:
            self.assertEqual(f.read(), restored)
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"])
        self.assertEqual(self.helper().returncode, 0, "a second run changes nothing")

        # Another machine's secret (a moved disk): nothing changes, and the helper says why.
        before = self.sealed_files()
        out = self.helper("other-host.secret")
        self.assertEqual(out.returncode, 1)
        self.assertIn("does not open on this box", out.stderr)
        self.assertIn("この機器で開けません", out.stderr)
        self.assertEqual(self.sealed_files(), before)

    def start_as_the_unit(self, name, wait=True):
        """What every start of kakehashi.service does with the drop-in: kakehashi-keys first, then the
        gateway with the credentials systemd decrypted for it."""
        out = self.helper()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.with_credentials(self.systemd_loads_credentials(name))
        self.gateway.start(wait=wait)
        return out.stdout

    def exits_for_its_restart(self):
        wait_until(lambda: self.gateway.proc.poll() is not None, 30, "the gateway to exit for its restart")
        self.assertEqual(self.gateway.proc.returncode, RESTART_EXIT, self.gateway.tail_log())
        self.gateway.log.close()

    def test_a_restore_on_a_new_box_ends_sealed_and_opens_the_backup(self):
        self.sealed = os.path.join(self.workdir, "credstore")
        self.gateway = Gateway(self.workdir, self.sim, **admin_options())
        self.start_as_the_unit("credentials-1")
        admin = AdminClient(self.gateway)
        status, body = admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        admin.enrol()
        self.assertEqual(self.inquire("A1"), "live")
        status, backup = admin.request("POST", "/admin/api/backup", {"passphrase": PASSPHRASE, "includeCache": True})
        self.assertEqual(status, 200, backup)
        self.assertEqual(self.gateway.stop(), 0)

        # A replacement box: no store, no keys; kakehashi-keys makes new ones.
        for folder in (self.gateway.config["stateDir"], self.key_dir, self.sealed):
            shutil.rmtree(folder)
        self.assertIn("made a new data.key", self.start_as_the_unit("credentials-2"))
        status, body = AdminClient(self.gateway).request("POST", "/admin/api/setup/restore", {
            "setupCode": setup_code(self.gateway), "backup": base64.b64encode(backup).decode(), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["replacesDataKey"])
        self.exits_for_its_restart()

        # The next start applies the restore: the backup's key goes raw into the key folder, and the gateway
        # exits again instead of going on with the new box's key.
        self.start_as_the_unit("credentials-3", wait=False)
        self.exits_for_its_restart()
        self.assertIn('"event":"backup.restored_key_to_seal"', self.log_text())
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["data.key", "sealed"])

        # kakehashi-keys seals it before the start after that; the backup's cache opens with it.
        self.assertIn("sealed data.key (host)", self.start_as_the_unit("credentials-4"))
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"])
        self.assertEqual(self.inquire("A2"), "cache", "the restored cache opens with the restored, sealed key")

    def test_a_first_start_makes_keys_that_never_lie_in_clear(self):
        self.sealed = os.path.join(self.workdir, "credstore")
        out = self.helper()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("made a new data.key and sealed it (host)", out.stdout)
        self.assertEqual(sorted(os.listdir(self.key_dir)), ["sealed"])
        creds = self.systemd_loads_credentials("credentials")
        keys = []
        for name in ("data.key", "audit.key"):
            with open(os.path.join(creds, name), "rb") as f:
                keys.append(f.read())
        self.assertEqual([len(k) for k in keys], [64, 32])
        self.with_credentials(creds)
        self.gateway.start()
        self.assertEqual(self.inquire("A1"), "live")
        self.assertEqual(self.gateway.stop(), 0)
        self.assertEqual(self.files_holding(keys, creds), [], "a key was written to disk")


if __name__ == "__main__":
    main()

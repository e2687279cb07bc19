"""Firmware updates without a device: signed RAUC bundles made with scripts/make-bundle and a throw-away
CA, and the image's real updater (firmware/image/rootfs/usr/libexec/kakehashi/update) run whenever the
gateway leaves a request in its update folder — what kakehashi-update.path does on the box. `rauc info`
checks signatures against the test CA through a copy of firmware/rauc/system.conf; `rauc install` has no
slots here and fails as it would on a machine that is not the appliance (scripts/test-firmware installs
for real, under QEMU).
"""
import getpass
import os
import subprocess
import threading

SOURCE = os.environ.get("KAKEHASHI_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
UPDATER = os.path.join(SOURCE, "firmware", "image", "rootfs", "usr", "libexec", "kakehashi", "update")
BUNDLE_VERSION = "9.9.1"


def _run(args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ca(work, name):
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", name + ".key", "-out", name + ".pem"], work)


class TestBundles:
    """good (signed by the keyring's CA), wrongkey (another CA), compat (another device's compatible),
    and conf: a system.conf whose keyring is the test CA."""

    def __init__(self, work):
        os.makedirs(work, exist_ok=True)
        self.work = work
        _ca(work, "test-ca")
        _ca(work, "other-ca")
        _run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-subj", "/CN=kakehashi-test-signer", "-keyout", "signer.key", "-out", "signer.csr"], work)
        with open(os.path.join(work, "signer.ext"), "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n")
        _run(["openssl", "x509", "-req", "-in", "signer.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key",
              "-CAcreateserial", "-days", "2", "-extfile", "signer.ext", "-out", "signer.pem"], work)
        tree = os.path.join(work, "tree")
        os.makedirs(tree, exist_ok=True)
        with open(os.path.join(tree, "payload"), "wb") as f:
            f.write(os.urandom(65536))  # squashfs needs more than one block
        _run(["mkfs.ext4", "-q", "-d", tree, "rootfs.img", "1M"], work)
        self.good = self._bundle("good.raucb", "signer")
        self.wrongkey = self._bundle("wrongkey.raucb", "other-ca")
        self.compat = self._bundle("compat.raucb", "signer", "other-device")
        self.conf = os.path.join(work, "system.conf")
        with open(os.path.join(SOURCE, "firmware", "rauc", "system.conf")) as f:
            conf = f.read()
        conf = conf.replace("data-directory=/data/rauc", "data-directory=" + os.path.join(work, "rauc-data"))
        conf = conf.replace("path=/etc/rauc/keyring.pem", "path=" + os.path.join(work, "test-ca.pem"))
        with open(self.conf, "w") as f:
            f.write(conf)

    def _bundle(self, name, signer, compatible="kakehashi-appliance"):
        _run([os.path.join(SOURCE, "scripts", "make-bundle"), "--rootfs", "rootfs.img", "--version", BUNDLE_VERSION,
              "--cert", signer + ".pem", "--key", signer + ".key", "--compatible", compatible, "--out", name], self.work)
        return os.path.join(self.work, name)


def status_dir_of(update_dir):
    """The updater's own folder (root's on the box), next to the gateway's."""
    return update_dir.rstrip("/") + "-status"


def firmware_config(update_dir, release_file, **more):
    """The gateway's `firmware` section for an update folder and its updater's folder."""
    return dict(updateDir=update_dir, statusDir=status_dir_of(update_dir), releaseFile=release_file, **more)


class Updater:
    """Runs the image's updater (`update request`) each time a request appears in the update folder, as
    kakehashi-update.path does; its output goes to `log`. The gateway's files are read with the rights of
    `gateway_user` (by default whoever runs the tests, as the gateway does here)."""

    def __init__(self, update_dir, conf, log_path, release_file="/nonexistent", gateway_user=None):
        self.update_dir, self.conf, self.log_path = update_dir, conf, log_path
        self.env = dict(os.environ, KAKEHASHI_UPDATE_DIR=update_dir, KAKEHASHI_UPDATE_STATUS_DIR=status_dir_of(update_dir),
                        KAKEHASHI_RAUC_CONF=conf, KAKEHASHI_RELEASE_FILE=release_file,
                        KAKEHASHI_GATEWAY_USER=gateway_user or getpass.getuser())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.runs = 0

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self):
        with open(self.log_path, "a") as log:
            subprocess.run([UPDATER, "request"], env=self.env, stdout=log, stderr=subprocess.STDOUT, timeout=120)
        self.runs += 1

    def _loop(self):
        while not self._stop.wait(0.1):
            if os.path.exists(os.path.join(self.update_dir, "request")):
                self.run_once()

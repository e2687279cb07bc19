#!/usr/bin/env python3
"""本機のシステム設定 through the web admin's API, against a real gateway and the image's real root helper
(firmware/image/rootfs/usr/libexec/kakehashi/system), which this test runs whenever the gateway leaves a
request — what kakehashi-system.path does on the box.

The helper runs for real under a prefix (KAKEHASHI_SYSTEM_ROOT): the image's smb.conf, nftables.conf and
firewall.nft copied into it, its own /etc/passwd and /etc/group (nss_wrapper shows them to useradd, smbpasswd,
pdbedit and smbd instead of the machine's), the real smbpasswd and pdbedit on a private passdb, a real smbd
on 127.0.0.1 serving the share with the image's settings, the real `nft -c` on the firewall. Only what would
change the machine itself is a stub that records its call: networkctl, chronyc, loading the rules (nft -f)
and `systemctl reboot`.

- An SMB account set in the web admin exists in the passdb, its unix account in group recept, and smbclient
  lists the share with it (and not with a wrong password); deleted, it is gone. An account of the box that is
  not the share's (kakehashi) is refused by the helper. The unix accounts come back after an update.
- The LAN (static and DHCP), the NTP servers and the allowed ranges land in the files with the expected
  content and the right command is run; the firewall file passes `nft -c`; a site file that does not pass
  is kept as it was.
- Bad values are refused in Japanese by the gateway (nothing is asked) and, written straight into the
  request folder as a hostile gateway could, by the helper too (nothing is written).
- Reboot runs `systemctl reboot`.
- No password in the audit log, the gateway's log or any file the request leaves behind.
- A box without the folders (a package install) says so and asks nothing.
"""
import getpass
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from harness import SOURCE, IntegrationTest, free_port, main, wait_until  # noqa: E402
from terminal_rig import listening, process_group_alive  # noqa: E402

IMAGE = os.path.join(SOURCE, "firmware", "image")
HELPER = os.path.join(IMAGE, "rootfs", "usr", "libexec", "kakehashi", "system")
PASSWORD = "Uketsuke-Share-2026!"
RECEPT_PASSWORD = "Recept-Share-2026?"
NSS_WRAPPER = "libnss_wrapper.so"
SETTLED = ("done", "failed")


def tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not path:
        raise AssertionError("%s not found: scripts/bootstrap installs it" % name)
    return path


def has_japanese(text):
    return any(ord(c) > 0x3000 for c in text)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class BoxRoot:
    """The appliance's files under a prefix, the helper that acts on them, and the share's smbd."""

    def __init__(self, work, request_dir):
        if os.geteuid() != 0:
            raise AssertionError("the helper sets Samba passwords and smbd switches users: run as root (CI does)")
        self.root = os.path.join(work, "root")
        self.request_dir = request_dir
        self.status_dir = os.path.join(self.root, "data", "kakehashi-system")
        self.share = os.path.join(self.root, "srv", "kakehashi", "share")
        self.calls_log = os.path.join(work, "calls.log")
        self.helper_log = os.path.join(work, "helper.log")
        self.smb_conf = os.path.join(self.root, "etc", "samba", "smb.conf")
        self.smb_port = free_port()
        etc = os.path.join(self.root, "etc")
        write(os.path.join(etc, "passwd"), "root:x:0:0:root:/root:/bin/sh\n"
              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
              "kakehashi:x:950:950:Kakehashi eligibility gateway:/var/lib/kakehashi:/usr/sbin/nologin\n"
              "recept:x:951:951:Receipt computers (SMB share):/nonexistent:/usr/sbin/nologin\n")
        write(os.path.join(etc, "group"), "root:x:0:\nnogroup:x:65534:\nkakehashi:x:950:\nrecept:x:951:\n")
        write(os.path.join(etc, "shadow"), "", 0o640)
        write(os.path.join(etc, "gshadow"), "", 0o640)
        shutil.copy(os.path.join(IMAGE, "rootfs", "etc", "nftables.conf"), os.path.join(etc, "nftables.conf"))
        write(os.path.join(etc, "kakehashi", "firewall.nft"), read(os.path.join(IMAGE, "firewall.nft")))
        os.makedirs(os.path.join(etc, "kakehashi", "network"))
        os.makedirs(os.path.join(etc, "kakehashi", "chrony"))
        os.makedirs(self.share, mode=0o770)
        os.chown(self.share, 950, 950)
        for d in (work, self.root, os.path.dirname(self.share), os.path.dirname(os.path.dirname(self.share))):
            os.chmod(d, 0o755)  # smbd reaches the share as kakehashi (force user)
        samba = os.path.join(self.root, "data", "samba")
        dirs = {k: os.path.join(samba, k) for k in ("private", "lock", "state", "cache", "pid", "ncalrpc", "client")}
        for d in dirs.values():
            os.makedirs(d, mode=0o700)
        # The image's smb.conf, with its folders under the prefix, on 127.0.0.1 and a free port.
        conf = read(os.path.join(IMAGE, "rootfs", "etc", "samba", "smb.conf"))
        conf = conf.replace("/data/samba", samba).replace("/srv/kakehashi/share", self.share)
        conf = conf.replace("smb ports = 445", "smb ports = %d" % self.smb_port)
        conf = conf.replace("logging = systemd", "log file = %s/smbd.log\n\tmax log size = 0" % samba)
        extra = "".join("\t%s = %s\n" % (k, v) for k, v in (
            ("interfaces", "127.0.0.1"), ("bind interfaces only", "yes"), ("lock directory", dirs["lock"]),
            ("state directory", dirs["state"]), ("cache directory", dirs["cache"]), ("pid directory", dirs["pid"]),
            ("ncalrpc dir", dirs["ncalrpc"]), ("usershare path", "")))
        conf = conf.replace("[global]\n", "[global]\n" + extra, 1)
        write(self.smb_conf, conf)
        self.client_conf = os.path.join(work, "smbclient.conf")
        write(self.client_conf, "[global]\n  client min protocol = SMB3\n" + "".join(
            "  %s = %s\n" % (k, dirs["client"]) for k in ("lock directory", "state directory", "cache directory", "private dir")))
        # Stubs for what would change this machine: each records its call.
        bin_dir = os.path.join(work, "bin")
        os.makedirs(bin_dir)
        stubs = {}
        for name in ("networkctl", "chronyc", "systemctl", "nft-load", "usbip"):
            stubs[name] = os.path.join(bin_dir, name)
            write(stubs[name], '#!/bin/sh\necho "%s $*" >> "%s"\n' % (name, self.calls_log), 0o755)
        self.nss = dict(LD_PRELOAD=NSS_WRAPPER, NSS_WRAPPER_PASSWD=os.path.join(etc, "passwd"),
                        NSS_WRAPPER_GROUP=os.path.join(etc, "group"))
        self.env = dict(os.environ, KAKEHASHI_SYSTEM_ROOT=self.root, KAKEHASHI_SYSTEM_DIR=request_dir,
                        KAKEHASHI_SYSTEM_STATUS_DIR=self.status_dir, KAKEHASHI_GATEWAY_USER=getpass.getuser(),
                        KAKEHASHI_SYSTEM_SMB_CONF=self.smb_conf, KAKEHASHI_SYSTEM_SMBPASSWD=tool("smbpasswd"),
                        KAKEHASHI_SYSTEM_PDBEDIT=tool("pdbedit"), KAKEHASHI_SYSTEM_NFT=tool("nft"),
                        KAKEHASHI_SYSTEM_NFT_LOAD=stubs["nft-load"], KAKEHASHI_SYSTEM_NETWORKCTL=stubs["networkctl"],
                        KAKEHASHI_SYSTEM_CHRONYC=stubs["chronyc"], KAKEHASHI_SYSTEM_SYSTEMCTL=stubs["systemctl"],
                        KAKEHASHI_SYSTEM_USBIP=stubs["usbip"],
                        **self.nss)
        self.smbd = None
        self.runs = 0
        self._stop = threading.Event()
        self._thread = None

    # --- the helper --------------------------------------------------------------------------------------------
    def run(self, *args):
        with open(self.helper_log, "a") as log:
            subprocess.run([HELPER] + list(args or ["request"]), env=self.env, stdout=log, stderr=subprocess.STDOUT,
                           timeout=60, check=True)
        self.runs += 1

    def watch(self):
        """Runs the helper each time a request appears, as kakehashi-system.path does."""
        def loop():
            while not self._stop.wait(0.05):
                if os.path.lexists(os.path.join(self.request_dir, "request")):
                    self.run()
        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=60)
        self.smbd_stop()

    def calls(self):
        return read(self.calls_log).splitlines() if os.path.exists(self.calls_log) else []

    def status(self):
        text = read(os.path.join(self.status_dir, "status"))
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def file(self, *parts):
        return read(os.path.join(self.root, *parts))

    def passwd(self):
        return {line.split(":")[0]: line.split(":") for line in self.file("etc", "passwd").splitlines()}

    def smb_accounts(self):
        out = subprocess.run([tool("pdbedit"), "-s", self.smb_conf, "-L"], env=self.env, capture_output=True, text=True)
        return sorted(line.split(":")[0] for line in out.stdout.splitlines() if ":" in line)

    # --- the share ------------------------------------------------------------------------------------------------
    def smbd_start(self):
        self.smbd_log = open(os.path.join(os.path.dirname(self.calls_log), "smbd.out"), "ab")
        self.smbd = subprocess.Popen([tool("smbd"), "--foreground", "--no-process-group", "--configfile", self.smb_conf,
                                      "--debuglevel", "1"], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self.smbd_log, stderr=self.smbd_log, start_new_session=True)

        def up():
            if self.smbd.poll() is not None:
                raise AssertionError("smbd exited with %s" % self.smbd.returncode)
            return listening(self.smb_port)
        wait_until(up, 20, "smbd to listen on 127.0.0.1:%d" % self.smb_port)

    def smbd_stop(self):
        if not self.smbd:
            return
        pgid = self.smbd.pid
        if self.smbd.poll() is None:
            os.killpg(pgid, signal.SIGTERM)
            try:
                self.smbd.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(pgid, signal.SIGKILL)
                self.smbd.wait()
        try:
            wait_until(lambda: not process_group_alive(pgid), 10, "smbd's children to exit")
        except AssertionError:
            os.killpg(pgid, signal.SIGKILL)
        self.smbd_log.close()
        self.smbd = None

    def smbclient(self, user, password, command="ls"):
        auth = os.path.join(os.path.dirname(self.calls_log), "smbclient.auth")
        write(auth, "username = %s\npassword = %s\n" % (user, password), 0o600)
        try:
            return subprocess.run([tool("smbclient"), "--configfile", self.client_conf, "--port", str(self.smb_port),
                                   "--authentication-file", auth, "//127.0.0.1/kakehashi", "-c", command],
                                  capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        finally:
            os.unlink(auth)


class SystemSetupTest(IntegrationTest):
    gateway_options = {}

    def setUp(self):
        self.box = None
        type(self).gateway_options = dict(admin_options())
        self.package_box = self._testMethodName.startswith("test_package_box")
        if not self.package_box:
            # The gateway's folder and the helper's answers, as in firmware/image/kakehashi.json.
            self.base = tempfile.mkdtemp(prefix="kakehashi-system-")
            self.request_dir = os.path.join(self.base, "system")
            type(self).gateway_options["system"] = {
                "requestDir": self.request_dir, "statusDir": os.path.join(self.base, "root", "data", "kakehashi-system")}
        super().setUp()
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.admin.enrol()
        if not self.package_box:
            self.box = BoxRoot(self.base, self.request_dir)

    def tearDown(self):
        try:
            if self.box:
                self.box.stop()
            if self.gateway.alive():
                self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")
            self.assert_no_secret_left()  # the whole log, before the work folder goes
            super().tearDown()
        finally:
            if self.box and not self._failed():
                shutil.rmtree(self.base, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------------------------------
    def system(self):
        status, body = self.admin.request("GET", "/admin/api/system")
        self.assertEqual(status, 200, body)
        return body

    def ask(self, method, path, body=None, expect=202):
        status, answer = self.admin.request(method, "/admin/api/system" + path, body)
        self.assertEqual(status, expect, answer)
        return answer

    def answered(self, asked):
        """The helper's answer to the request `asked` (the 202 of the request)."""
        request_id = asked["answer"]["id"]
        self.assertEqual(asked["answer"]["state"], "waiting", asked)

        def settled():
            body = self.system()
            answer = body.get("answer", {})
            return body if answer.get("id") == request_id and answer.get("state") in SETTLED else None
        return wait_until(settled, 60, "the helper's answer")

    def done(self, method, path, body=None):
        result = self.answered(self.ask(method, path, body))
        self.assertEqual(result["answer"]["state"], "done", result)
        self.assertTrue(has_japanese(result["answer"]["message"]), result)
        return result

    def refused_by_gateway(self, method, path, body):
        answer = self.ask(method, path, body, expect=422)
        self.assertTrue(has_japanese(answer.get("detail", "")), answer)
        self.assertFalse(os.path.lexists(os.path.join(self.request_dir, "request")))
        return answer

    def refused_by_helper(self, fields):
        """A request written straight into the folder, as a hostile gateway could: the helper's answer."""
        request_id = "feedc0de-%04x" % self.box.runs
        text = "id=%s\n" % request_id + "".join("%s=%s\n" % kv for kv in fields.items())
        with open(os.path.join(self.request_dir, "request"), "w") as f:
            f.write(text)
        self.box.run()
        status = self.box.status()
        self.assertEqual((status["id"], status["state"]), (request_id, "failed"), status)
        self.assertTrue(has_japanese(status["message"]), status)
        return status["message"]

    def audit_entries(self):
        status, body = self.admin.request("GET", "/admin/api/audit?limit=200")
        self.assertEqual(status, 200, body)
        return body["entries"]

    def assert_no_secret_left(self):
        secrets = [PASSWORD.encode(), RECEPT_PASSWORD.encode()]
        # The gateway's log, its store (the audit log among it), and every file the requests left behind.
        state = os.path.join(self.workdir, "state")
        places = [self.gateway.log_path] + [os.path.join(state, name) for name in os.listdir(state)]
        if self.box:
            places.append(self.box.helper_log)
            for folder in (self.request_dir, self.box.status_dir):
                if os.path.isdir(folder):
                    places += [os.path.join(folder, name) for name in os.listdir(folder)]
        for path in places:
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    data = f.read()
                for secret in secrets:
                    self.assertNotIn(secret, data, path)
        if self.box:
            self.assertEqual([n for n in os.listdir(self.request_dir) if n.startswith("password-")], [])

    # --- tests ------------------------------------------------------------------------------------------------------
    def test_share_accounts_are_set_used_and_deleted(self):
        self.box.watch()
        body = self.system()
        self.assertTrue(body["available"])
        self.assertNotIn("answer", body)

        # A new account: the unix account in group recept (an id of the share's range), the passdb entry.
        result = self.done("POST", "/smb-accounts", {"name": "uketsuke2", "password": PASSWORD})
        self.assertIn("uketsuke2", result["current"]["smbAccounts"])
        entry = self.box.passwd()["uketsuke2"]
        self.assertEqual(entry[3], "951", entry)
        self.assertTrue(960 <= int(entry[2]) <= 989, entry)
        self.assertEqual(entry[6], "/usr/sbin/nologin")
        self.assertEqual(self.box.smb_accounts(), ["uketsuke2"])
        # The image's own account gets its password the same way.
        self.done("POST", "/smb-accounts", {"name": "recept", "password": RECEPT_PASSWORD})
        self.assertEqual(self.box.smb_accounts(), ["recept", "uketsuke2"])
        self.assertEqual(self.box.file("data", "kakehashi-system", "unix-accounts"), "uketsuke2:%s\n" % entry[2])

        # A real smbd with the image's settings lets both in, and nobody with a wrong password.
        self.box.smbd_start()
        for user, password in (("uketsuke2", PASSWORD), ("recept", RECEPT_PASSWORD)):
            out = self.box.smbclient(user, password)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertNotIn("NT_STATUS_", out.stdout + out.stderr)
        out = self.box.smbclient("uketsuke2", "Wrong-Password-2026")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("NT_STATUS_LOGON_FAILURE", out.stdout + out.stderr)

        # An account of the box that is not the share's: refused by the helper, nothing changed.
        result = self.answered(self.ask("POST", "/smb-accounts", {"name": "kakehashi", "password": PASSWORD}))
        self.assertEqual(result["answer"]["state"], "failed", result)
        self.assertIn("別のアカウント", result["answer"]["message"])
        self.assertEqual(self.box.smb_accounts(), ["recept", "uketsuke2"])

        # After an update /etc/passwd is the image's again: the account comes back with its id.
        uid = entry[2]
        passwd = os.path.join(self.box.root, "etc", "passwd")
        write(passwd, "".join(line for line in read(passwd).splitlines(True) if not line.startswith("uketsuke2:")))
        self.box.run("restore-accounts")
        self.assertEqual(self.box.passwd()["uketsuke2"][2], uid)

        # Deleted: gone from the passdb and from the box's accounts; the share no longer lets it in.
        result = self.done("DELETE", "/smb-accounts/uketsuke2")
        self.assertEqual(result["current"]["smbAccounts"], ["recept"])
        self.assertEqual(self.box.smb_accounts(), ["recept"])
        self.assertNotIn("uketsuke2", self.box.passwd())
        out = self.box.smbclient("uketsuke2", PASSWORD)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("recept", self.box.passwd(), "the image's account stays")
        result = self.done("POST", "/smb-accounts/refresh")
        self.assertEqual(result["answer"]["message"], "共有フォルダのアカウント: recept")

        # Refused by the gateway: nothing asked.
        self.refused_by_gateway("POST", "/smb-accounts", {"name": "Root; reboot", "password": PASSWORD})
        self.refused_by_gateway("POST", "/smb-accounts", {"name": "uketsuke3", "password": "short"})

        # Audited without the password.
        entries = self.audit_entries()
        actions = [e["action"] for e in entries]
        for action in ("admin.system-smb-account-set", "admin.system-smb-account-delete",
                       "admin.system-smb-accounts-list", "admin.system-smb-account-set-refused"):
            self.assertIn(action, actions)
        dump = json.dumps(entries, ensure_ascii=False)
        self.assertIn("name=uketsuke2", dump)
        self.assertNotIn(PASSWORD, dump)
        self.assertNotIn(RECEPT_PASSWORD, dump)

    def test_lan_time_and_firewall_land_in_the_files(self):
        self.box.watch()
        # LAN: a fixed address.
        result = self.done("PUT", "/network", {"mode": "static", "address": "192.168.10.5", "prefix": 24,
                                               "gateway": "192.168.10.1", "dns": ["192.168.10.1", "8.8.8.8"]})
        self.assertEqual(self.box.file("etc", "kakehashi", "network", "10-kakehashi-lan.network").split("[Match]", 1)[1],
                         "\nName=en* eth*\n\n[Network]\nAddress=192.168.10.5/24\nGateway=192.168.10.1\n"
                         "DNS=192.168.10.1\nDNS=8.8.8.8\n")
        self.assertEqual(self.box.calls()[-1], "networkctl reload")
        self.assertEqual(result["current"]["network"], {"mode": "static", "address": "192.168.10.5", "prefix": "24",
                                                        "gateway": "192.168.10.1", "dns": ["192.168.10.1", "8.8.8.8"]})
        # …and back to DHCP.
        result = self.done("PUT", "/network", {"mode": "dhcp"})
        self.assertTrue(self.box.file("etc", "kakehashi", "network", "10-kakehashi-lan.network")
                        .endswith("[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n"))
        self.assertEqual(result["current"]["network"]["mode"], "dhcp")

        # Time sources.
        result = self.done("PUT", "/ntp", {"servers": ["192.168.10.1", "ntp.nict.jp"]})
        sources = self.box.file("etc", "kakehashi", "chrony", "kakehashi.sources")
        self.assertEqual([l for l in sources.splitlines() if not l.startswith("#")],
                         ["server 192.168.10.1 iburst", "server ntp.nict.jp iburst"])
        self.assertEqual(self.box.calls()[-1], "chronyc reload sources")
        self.assertEqual(result["current"]["ntpServers"], ["192.168.10.1", "ntp.nict.jp"])

        # Allowed LAN ranges: the site file keeps its values, gains the ranges, and passes nft -c as a whole.
        firewall = os.path.join(self.box.root, "etc", "kakehashi", "firewall.nft")
        result = self.done("PUT", "/firewall", {"ranges": ["127.0.0.0/8", "192.168.10.0/24"]})
        text = read(firewall)
        self.assertIn('define closed_if = "oqs0"', text)
        self.assertIn("define central = 192.0.2.10", text)
        self.assertIn("redefine lan_v4 = { 127.0.0.0/8, 192.168.10.0/24 }", text)
        self.assertEqual(result["current"]["lanRanges"], ["127.0.0.0/8", "192.168.10.0/24"])
        self.assertEqual(self.box.calls()[-1], "nft-load -f " + os.path.join(self.box.root, "etc", "nftables.conf"))
        check = os.path.join(self.base, "check.nft")
        write(check, read(os.path.join(self.box.root, "etc", "nftables.conf"))
              .replace('include "/etc/kakehashi/firewall.nft"', 'include "%s"' % firewall))
        out = subprocess.run([tool("nft"), "-c", "-f", check], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(len([l for l in text.splitlines() if l.startswith("redefine lan_v4")]), 1)
        # Again with none: the whole LAN, still one definition.
        self.done("PUT", "/firewall", {"ranges": []})
        self.assertEqual([l for l in read(firewall).splitlines() if l.startswith("redefine lan_v")],
                         ["redefine lan_v4 = 0.0.0.0/0", "redefine lan_v6 = ::/0"])
        self.assertEqual(self.system()["current"]["lanRanges"], [])

        # A site file nft refuses: the check fails, the file stays as it was and nothing is loaded.
        write(firewall, read(firewall).replace("define central = 192.0.2.10", "define central = 192.0.2.300"))
        before, loads = read(firewall), len(self.box.calls())
        result = self.answered(self.ask("PUT", "/firewall", {"ranges": ["192.168.10.0/24"]}))
        self.assertEqual(result["answer"]["state"], "failed", result)
        self.assertIn("以前の設定のまま", result["answer"]["message"])
        self.assertEqual(read(firewall), before)
        self.assertEqual(len(self.box.calls()), loads)

        # A home visit's card reader, shared by the tablet over USB/IP: attached and detached with usbip,
        # each value one argument; a bad one refused by the gateway before the helper sees it.
        self.done("POST", "/readers/attach", {"host": "10.8.0.12", "busId": "1-2.3"})
        self.assertEqual(self.box.calls()[-1], "usbip attach -r 10.8.0.12 -b 1-2.3")
        self.done("POST", "/readers/detach", {"port": 0})
        self.assertEqual(self.box.calls()[-1], "usbip detach -p 0")
        for bad in ({"host": "10.8.0.12; reboot", "busId": "1-2"}, {"host": "10.8.0.12", "busId": "1-2 -r x"},
                    {"host": "tablet.local", "busId": "1-2"}):
            self.refused_by_gateway("POST", "/readers/attach", bad)
        self.assertEqual(self.box.calls()[-1], "usbip detach -p 0")

        # Reboot: answered first (the reboot would end everything), then it comes.
        self.done("POST", "/reboot")
        wait_until(lambda: self.box.calls()[-1] == "systemctl reboot", 30, "systemctl reboot")

        entries = self.audit_entries()
        details = {e["action"]: e.get("detail", "") for e in reversed(entries)}
        self.assertIn("address=192.168.10.5/24", json.dumps(entries))
        for action in ("admin.system-network", "admin.system-ntp", "admin.system-firewall", "admin.system-reader-attach",
                       "admin.system-reader-detach", "admin.system-reboot"):
            self.assertIn(action, details)

    def test_bad_values_are_refused_by_the_gateway_and_by_the_helper(self):
        network = os.path.join(self.box.root, "etc", "kakehashi", "network", "10-kakehashi-lan.network")
        sources = os.path.join(self.box.root, "etc", "kakehashi", "chrony", "kakehashi.sources")
        firewall = os.path.join(self.box.root, "etc", "kakehashi", "firewall.nft")
        firewall_before = read(firewall)

        # The gateway: 422 with the reason in Japanese, nothing asked.
        body = self.refused_by_gateway("PUT", "/network", {"mode": "static", "address": "192.168.1.300", "prefix": 24})
        self.assertIn("IP アドレス", body["detail"])
        self.refused_by_gateway("PUT", "/network", {"mode": "static", "address": "192.168.1.5", "prefix": 24,
                                                    "gateway": "10.0.0.1"})
        self.refused_by_gateway("PUT", "/network", {"mode": "static", "address": "192.168.1.5", "prefix": 33})
        self.refused_by_gateway("PUT", "/network", {"mode": "manual"})
        self.refused_by_gateway("PUT", "/ntp", {"servers": ["ntp.nict.jp\nallow all"]})
        self.refused_by_gateway("PUT", "/firewall", {"ranges": ["192.168.1.5/24"]})
        body = self.refused_by_gateway("PUT", "/firewall", {"ranges": ["10.0.0.0/8 }; flush ruleset; {"]})
        self.assertIn("形式", body["detail"])
        actions = [e["action"] for e in self.audit_entries()]
        self.assertIn("admin.system-network-refused", actions)
        self.assertIn("admin.system-firewall-refused", actions)

        # The helper, given what the gateway would never write.
        self.assertIn("IP アドレス", self.refused_by_helper({"action": "network", "mode": "static",
                                                           "address": "192.168.1.300", "prefix": "24"}))
        self.refused_by_helper({"action": "network", "mode": "static", "address": "192.168.1.5", "prefix": "24",
                                "gateway": "192.168.1.5"})
        self.refused_by_helper({"action": "network", "mode": "static", "address": "192.168.1.5", "prefix": "24",
                                "dns": "$(touch /tmp/kakehashi-owned)"})
        self.assertIn("形式", self.refused_by_helper({"action": "firewall", "ranges": "10.0.0.0/8;flush ruleset"}))
        self.refused_by_helper({"action": "firewall", "ranges": "192.168.1.5/24"})
        self.refused_by_helper({"action": "ntp", "servers": "192.168.1.300"})
        self.refused_by_helper({"action": "ntp", "servers": "`reboot`"})
        self.refused_by_helper({"action": "smb-account-set", "name": "../../etc/passwd"})
        self.refused_by_helper({"action": "smb-account-set", "name": "root"})  # no password file either
        self.refused_by_helper({"action": "smb-account-delete", "name": "-x"})
        self.refused_by_helper({"action": "rm -rf /"})
        self.assertFalse(os.path.exists(network))
        self.assertFalse(os.path.exists(sources))
        self.assertEqual(read(firewall), firewall_before)
        self.assertFalse(os.path.exists("/tmp/kakehashi-owned"))
        self.assertEqual(self.box.calls(), [])
        self.assertEqual(self.box.smb_accounts(), [])
        self.assertEqual(set(self.box.passwd()), {"root", "nobody", "kakehashi", "recept"})

        # A request without a valid id is not answered at all (the last answer stays).
        last = self.box.status()
        write(os.path.join(self.request_dir, "request"), "id=$(reboot)\naction=reboot\n")
        self.box.run()
        self.assertEqual(self.box.status(), last)
        self.assertEqual(self.box.calls(), [])

    def test_a_second_request_waits_for_the_helper(self):
        first = self.ask("POST", "/smb-accounts/refresh")["answer"]["id"]
        answer = self.ask("POST", "/reboot", expect=409)
        self.assertEqual(answer["type"], "urn:kakehashi:problem:system-setup-busy")
        self.assertTrue(has_japanese(answer["title"]), answer)
        waiting = self.system()["answer"]
        self.assertEqual((waiting["id"], waiting["action"], waiting["state"]), (first, "smb-accounts-list", "waiting"))
        self.box.run()
        answer = self.system()["answer"]
        self.assertEqual((answer["id"], answer["state"]), (first, "done"))
        self.box.watch()
        self.done("POST", "/reboot")
        # The answer is written before the reboot (which would end everything), then the reboot comes.
        wait_until(lambda: self.box.calls() == ["systemctl reboot"], 30, "systemctl reboot")

    def test_package_box_says_the_os_does_it(self):
        body = self.system()
        self.assertEqual(body["available"], False)
        self.assertNotIn("current", body)
        status, answer = self.admin.request("POST", "/admin/api/system/reboot", {})
        self.assertEqual(status, 404, answer)


if __name__ == "__main__":
    main()

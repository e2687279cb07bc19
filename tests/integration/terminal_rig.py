"""The qualification terminal for integration tests: the terminal simulator (tests/terminal-sim) answering in a
local folder, and a real smbd sharing that folder as \\\\127.0.0.1\\terminal on a high port — what the gateway's
upstream profile "terminal" reaches through libsmbclient.

    sim = CentralSim(workdir).start()
    rig = TerminalRig(workdir, sim, sessions=5).start()
    rig.url, rig.user, rig.password      # smb://127.0.0.1:<port>/terminal, "kakehashi", a random password
    rig.folder                           # the local folder behind the share (req/, res/, face/)
    rig.faults(delayMs=500); rig.log(); rig.face(person); rig.reset()
    rig.share_down(); rig.share_up()     # smbd stopped / started again on the same port
    rig.stop()

smbd runs as this test's own process: its own smb.conf, passdb, private/lock/state/cache/pid directories under
the work dir, listening on 127.0.0.1 only; no nmbd, no winbindd, nothing system-wide is read or written.

The share allows `max connections` (default 20) tree connects at once, as the terminal's Windows allows about
20 SMB sessions; `smb_options` adds or overrides [global] settings (e.g. {"server signing": "mandatory"}).

SMB user: `kakehashi`, mapped by the rig's own `username map` to the Unix account root, so no account is
created on the machine. smbd needs root anyway (it switches to the user of each session); the tests run as
root (CI does). The password is random per rig and lives only in the private passdb.
"""
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile

from harness import INSTITUTION, SOURCE, certs, free_port, wait_until

TERMINAL_SIM = os.environ.get("TERMINAL_SIM", os.path.join(SOURCE, "tests", "terminal-sim", "terminal_sim.py"))
SHARE = "terminal"
SMB_USER = "kakehashi"
UNIX_USER = "root"


def _tool(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not path:
        raise AssertionError("%s not found: scripts/bootstrap installs samba and smbclient" % name)
    return path


def listening(port):
    """Whether something listens on 127.0.0.1:port (read from /proc/net/tcp: no connection is made)."""
    want = ":%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[1] == "0100007F" + want and cols[3] == "0A":
                    return True
    except OSError:
        pass
    return False


def process_group_alive(pgid):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


class TerminalSim:
    """tests/terminal-sim/terminal_sim.py as a real process, and its control port."""

    def __init__(self, workdir, central_sim, folder, sessions=20, settle_ms=150, poll_ms=50,
                 institution=INSTITUTION, client="facility-client"):
        self.workdir = workdir
        self.central_sim = central_sim
        self.folder = folder
        self.sessions = sessions
        self.settle_ms = settle_ms
        self.poll_ms = poll_ms
        self.institution = institution
        self.client = client
        self.proc = None
        self.control_port = None
        self.log_path = os.path.join(workdir, "terminal-sim.log")

    def start(self):
        c = certs()
        args = [sys.executable, TERMINAL_SIM, "--share", self.folder, "--central", self.central_sim.base_url,
                "--ca", os.path.join(c, "central-ca.crt"), "--cert", os.path.join(c, self.client + ".crt"),
                "--key", os.path.join(c, self.client + ".key"), "--control", "127.0.0.1:0",
                "--sessions", str(self.sessions), "--settle-ms", str(self.settle_ms),
                "--poll-ms", str(self.poll_ms), "--institution", self.institution]
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log_file)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"terminal-sim ready control=http://127\.0\.0\.1:(\d+)", line)
        if not m:
            raise AssertionError("terminal simulator did not start: %r; log: %s" % (line, self.tail_log()))
        self.control_port = int(m.group(1))
        return self

    def stop(self):
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("terminal simulator did not stop on SIGTERM")
        elif self.proc:
            code = self.proc.returncode
        if self.proc:
            self.proc.stdout.close()
            self.log_file.close()
        self.proc = None
        return code

    def tail_log(self, n=4000):
        with open(self.log_path, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")

    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            res = conn.getresponse()
            payload = json.loads(res.read() or b"null")
        finally:
            conn.close()
        if res.status != 200:
            raise AssertionError("terminal-sim %s %s: %d %s" % (method, path, res.status, payload))
        return payload

    def faults(self, **faults):
        """delayMs, errNext, mode ("answer" | "stuck" | "delete"), paused, zipResults, slowWriteMs."""
        return self.control("POST", "/faults", faults)

    def pause(self):
        return self.faults(paused=True)

    def resume(self):
        return self.faults(paused=False)

    def reset(self):
        return self.control("POST", "/reset")

    def state(self):
        return self.control("GET", "/state")

    def log(self):
        return self.control("GET", "/log")

    def face(self, person, encoding="UTF-8"):
        """Writes an unsolicited face-reader result for `person` (as /sim/population lists it) into face/."""
        return self.control("POST", "/face", {"person": person, "encoding": encoding})


class Smbd:
    """One smbd of the test's own, sharing `folder` as [terminal] on 127.0.0.1:port."""

    def __init__(self, rig_dir, folder, port=None, max_connections=20, options=None):
        if os.geteuid() != 0:
            raise AssertionError("the terminal rig runs smbd, which needs root (CI runs the tests as root)")
        self.dir = rig_dir
        self.folder = folder
        self.port = port or free_port()
        self.password = secrets.token_urlsafe(18)
        self.proc = None
        self.conf = os.path.join(rig_dir, "smb.conf")
        self.client_conf = os.path.join(rig_dir, "smbclient.conf")
        self.auth_file = os.path.join(rig_dir, "smbclient.auth")
        self.log_path = os.path.join(rig_dir, "smbd.log")
        d = {k: os.path.join(rig_dir, k) for k in ("private", "lock", "state", "cache", "pid", "ncalrpc", "client")}
        for path in d.values():
            os.makedirs(path, mode=0o700, exist_ok=True)
        usermap = os.path.join(rig_dir, "usermap")
        with open(usermap, "w") as f:
            f.write("%s = %s\n" % (UNIX_USER, SMB_USER))
        settings = {
            "server role": "standalone server",
            "smb ports": str(self.port),
            "interfaces": "127.0.0.1",
            "bind interfaces only": "yes",
            "disable netbios": "yes",
            "private dir": d["private"],
            "lock directory": d["lock"],
            "state directory": d["state"],
            "cache directory": d["cache"],
            "pid directory": d["pid"],
            "ncalrpc dir": d["ncalrpc"],
            "log file": self.log_path,
            "max log size": "0",
            "passdb backend": "tdbsam:" + os.path.join(d["private"], "passdb.tdb"),
            "username map": usermap,
            "usershare path": "",
            "load printers": "no",
            "printcap name": "/dev/null",
            "disable spoolss": "yes",
            "map to guest": "Never",
            "restrict anonymous": "2",
            "store dos attributes": "no",
        }
        settings.update(options or {})
        with open(self.conf, "w") as f:
            f.write("[global]\n")
            for k, v in settings.items():
                f.write("  %s = %s\n" % (k, v))
            f.write("\n[%s]\n  path = %s\n  read only = no\n  valid users = %s\n  max connections = %d\n"
                    "  create mask = 0644\n  directory mask = 0755\n" % (SHARE, folder, UNIX_USER, max_connections))
        with open(self.client_conf, "w") as f:
            f.write("[global]\n  client min protocol = SMB2_02\n  client max protocol = SMB3\n")
            for k in ("lock directory", "state directory", "cache directory", "private dir"):
                f.write("  %s = %s\n" % (k, d["client"]))
        fd = os.open(self.auth_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("username = %s\npassword = %s\n" % (SMB_USER, self.password))
        out = subprocess.run([_tool("smbpasswd"), "-c", self.conf, "-a", "-s", UNIX_USER],
                             input="%s\n%s\n" % (self.password, self.password), capture_output=True, text=True)
        if out.returncode != 0:
            raise AssertionError("smbpasswd failed: " + out.stdout + out.stderr)

    def start(self):
        self.log_file = open(self.log_path, "ab")
        # Its own session: smbd and every child it forks share one process group, stopped as one.
        self.proc = subprocess.Popen([_tool("smbd"), "--foreground", "--no-process-group", "--configfile", self.conf,
                                      "--debuglevel", "1"], stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=self.log_file, start_new_session=True)
        wait_until(lambda: self._up(), 20, "smbd to listen on 127.0.0.1:%d" % self.port)
        return self

    def _up(self):
        if self.proc.poll() is not None:
            raise AssertionError("smbd exited with %s; log: %s" % (self.proc.returncode, self.tail_log()))
        return listening(self.port)

    def stop(self):
        if self.proc is None:
            return
        pgid = self.proc.pid
        if self.proc.poll() is None:
            os.killpg(pgid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(pgid, signal.SIGKILL)
                self.proc.wait()
        try:
            wait_until(lambda: not process_group_alive(pgid), 10, "smbd's children to exit")
        except AssertionError:
            os.killpg(pgid, signal.SIGKILL)
            wait_until(lambda: not process_group_alive(pgid), 10, "smbd's children to be killed")
        wait_until(lambda: not listening(self.port), 10, "smbd's port to close")
        self.log_file.close()
        self.proc = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def tail_log(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


class TerminalRig:
    """The terminal simulator behind a real smbd. start() returns the rig; see the module's doc."""

    def __init__(self, workdir, central_sim, sessions=20, settle_ms=150, poll_ms=50, max_connections=20,
                 smb_options=None, institution=INSTITUTION):
        self.workdir = workdir
        self.folder = os.path.join(workdir, "terminal-share")
        self.rig_dir = os.path.join(workdir, "terminal-rig")
        for d in (self.folder, self.rig_dir):
            os.makedirs(d, exist_ok=True)
        self.sim = TerminalSim(workdir, central_sim, self.folder, sessions=sessions, settle_ms=settle_ms,
                               poll_ms=poll_ms, institution=institution)
        self.smbd = Smbd(self.rig_dir, self.folder, max_connections=max_connections, options=smb_options)

    # --- what a gateway test configures ---
    @property
    def port(self):
        return self.smbd.port

    @property
    def url(self):
        return "smb://127.0.0.1:%d/%s" % (self.smbd.port, SHARE)

    @property
    def user(self):
        return SMB_USER

    @property
    def password(self):
        return self.smbd.password

    def start(self):
        self.sim.start()  # makes req/, res/, face/ before the share is offered
        try:
            self.smbd.start()
        except Exception:
            self.sim.stop()
            raise
        return self

    def stop(self):
        """Stops smbd and the simulator; returns the simulator's exit status (0 on a clean SIGTERM)."""
        try:
            self.smbd.stop()
        finally:
            code = self.sim.stop()
        return code

    def share_down(self):
        """The share goes away (smbd stopped; open SMB sessions are cut). The simulator keeps running."""
        self.smbd.stop()

    def share_up(self):
        """The share comes back on the same port with the same user and password."""
        self.smbd.start()

    # --- the simulator's control port ---
    def faults(self, **faults):
        return self.sim.faults(**faults)

    def pause(self):
        return self.sim.pause()

    def resume(self):
        return self.sim.resume()

    def reset(self):
        return self.sim.reset()

    def state(self):
        return self.sim.state()

    def log(self):
        return self.sim.log()

    def face(self, person, encoding="UTF-8"):
        return self.sim.face(person, encoding)

    # --- an SMB client (Debian's smbclient CLI), for tests of the rig and checks from the client's side ---
    def smbclient(self, commands, timeout=30):
        """Runs `commands` (a list, joined with ';') in one smbclient session on the share."""
        args = [_tool("smbclient"), "--configfile", self.smbd.client_conf, "--port", str(self.port),
                "--authentication-file", self.smbd.auth_file, "//127.0.0.1/" + SHARE, "-c", "; ".join(commands)]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def _check(self, out, what):
        if out.returncode != 0 or "NT_STATUS_" in out.stdout + out.stderr:
            raise AssertionError("smbclient %s failed (%d): %s %s" % (what, out.returncode, out.stdout, out.stderr))
        return out

    def put(self, files, folder="req"):
        """Writes {name: bytes} into `folder` over SMB the way the gateway does: a hidden temporary name, then a
        rename. All files in one SMB session."""
        tmp = tempfile.mkdtemp(dir=self.rig_dir, prefix="put-")
        try:
            commands = ["cd " + folder, "lcd " + tmp]
            for name, data in files.items():
                with open(os.path.join(tmp, name), "wb") as f:
                    f.write(data)
                commands += ["put %s .%s.part" % (name, name), "rename .%s.part %s" % (name, name)]
            self._check(self.smbclient(commands), "put")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def ls(self, folder="res"):
        """Names in `folder` as seen over SMB."""
        out = self._check(self.smbclient(["cd " + folder, "ls"]), "ls")
        names = []
        for line in out.stdout.splitlines():
            m = re.match(r"^  (.+?)\s+[A-Z]*\s+\d+\s+\w{3} \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}$", line)
            if m and m.group(1) not in (".", ".."):
                names.append(m.group(1))
        return names

    def get(self, names, folder="res"):
        """{name: bytes} read over SMB in one session."""
        tmp = tempfile.mkdtemp(dir=self.rig_dir, prefix="get-")
        try:
            commands = ["cd " + folder, "lcd " + tmp] + ["get %s" % n for n in names]
            self._check(self.smbclient(commands), "get")
            out = {}
            for n in names:
                with open(os.path.join(tmp, n), "rb") as f:
                    out[n] = f.read()
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def local_names(self, folder="res"):
        """Names in `folder` as the terminal's own disk has them (no SMB round trip: cheap to poll)."""
        return set(os.listdir(os.path.join(self.folder, folder)))

    def wait_files(self, names, folder="res", timeout=30):
        """Waits until the terminal has written every name into `folder` (results appear by rename, whole),
        then reads them over SMB in one session."""
        wait_until(lambda: set(names) <= self.local_names(folder), timeout, "%s in %s/" % (names, folder))
        return self.get(names, folder)

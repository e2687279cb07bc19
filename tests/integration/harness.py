"""Test harness for integration tests: real processes only.

Starts the central simulator (kakehashi-central-sim) over mutual TLS on loopback and the appliance
(kakehashi serve) with a generated configuration, and offers small helpers to drop spec files, call the
HTTP API and read results. Every gateway's log is checked for patient data when it stops.
"""
import fcntl
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

SOURCE = os.environ.get("KAKEHASHI_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
KAKEHASHI_BIN = os.environ.get("KAKEHASHI_BIN", os.path.join(SOURCE, "build", "appliance", "kakehashi"))
SIM_BIN = os.environ.get("CENTRAL_SIM_BIN", os.path.join(SOURCE, "build", "tests", "central-sim", "kakehashi-central-sim"))
INSTITUTION = "1312345679"
OTHER_INSTITUTION = "2712345673"
# The upstream profile the end-to-end tests run against: "central-v1" (the central simulator over mutual TLS)
# or "terminal" (the terminal simulator behind a real smbd, which relays to the central simulator). The same
# test code runs under both; what a terminal cannot do is skipped with the reason (skip_under_terminal).
PROFILE = os.environ.get("KAKEHASHI_UPSTREAM_PROFILE", "central-v1")
if PROFILE not in ("central-v1", "terminal"):
    raise SystemExit("KAKEHASHI_UPSTREAM_PROFILE: central-v1 or terminal, not %r" % PROFILE)


# Ports a test binds later (smbd, the gateway, the simulators) come from below the kernel's ephemeral range, so
# no outgoing connection of a concurrent test can take one between the choice and the bind (smbd panics with
# SIGABRT when its port is taken). A lock file per port, held until this process exits, keeps two tests that
# ctest runs side by side from choosing the same one.
_PORT_LOCKS = os.path.join(tempfile.gettempdir(), "kakehashi-test-ports")
_held_ports = {}


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _reserve(port):
    """The lock file's descriptor when `port` is reserved here and free to bind now, else None."""
    if port in _held_ports:
        return None
    fd = os.open(os.path.join(_PORT_LOCKS, "%d.lock" % port), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
        return fd
    except OSError:
        os.close(fd)
        return None


def free_port(consecutive=1):
    """A port on 127.0.0.1 (the first of `consecutive` ones) free now and reserved for this test process."""
    low = 10000
    high = max(low + 1000, _ephemeral_low()) - consecutive
    if not os.path.isdir(_PORT_LOCKS):
        os.makedirs(_PORT_LOCKS, exist_ok=True)
        os.chmod(_PORT_LOCKS, 0o1777)  # shared by every user's tests, as /tmp is (makedirs' mode meets the umask)
    for _ in range(500):
        port = random.randint(low, high)
        fds = []
        for p in range(port, port + consecutive):
            fd = _reserve(p)
            if fd is None:
                break
            fds.append(fd)
        if len(fds) == consecutive:
            _held_ports.update(zip(range(port, port + consecutive), fds))
            return port
        for fd in fds:
            os.close(fd)
    raise AssertionError("no free port below the ephemeral range")


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


_CERTS = None


def certs():
    """One demo PKI per test process (scripts/make-certs is idempotent)."""
    global _CERTS
    if _CERTS is None:
        _CERTS = tempfile.mkdtemp(prefix="kakehashi-certs-")
        subprocess.run([os.path.join(SOURCE, "scripts", "make-certs"), _CERTS], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _CERTS


class CentralSim:
    """The central simulator as a real process."""

    def __init__(self, workdir, batch_delay_ms=1000, seed=20261125, population=10000,
                 server_cert="central-server", challenge_ttl_seconds=120):
        self.workdir = workdir
        self.api_port = free_port()
        self.control_port = free_port()
        self.batch_delay_ms = batch_delay_ms
        self.seed = seed
        self.population = population
        self.server_cert = server_cert
        self.challenge_ttl_seconds = challenge_ttl_seconds
        self.proc = None
        self.log_path = os.path.join(workdir, "central-sim.log")

    @property
    def base_url(self):
        return "https://127.0.0.1:%d" % self.api_port

    def start(self):
        c = certs()
        args = [SIM_BIN, "--listen", "127.0.0.1:%d" % self.api_port, "--control", "127.0.0.1:%d" % self.control_port,
                "--cert", os.path.join(c, self.server_cert + ".crt"), "--key", os.path.join(c, self.server_cert + ".key"),
                "--client-ca", os.path.join(c, "facility-ca.crt"), "--seed", str(self.seed),
                "--population", str(self.population), "--batch-delay-ms", str(self.batch_delay_ms),
                "--jpki-ca", os.path.join(c, "jpki-ca.crt"),
                "--challenge-ttl-seconds", str(self.challenge_ttl_seconds)]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        if "central-sim ready" not in line:
            raise AssertionError("central simulator did not start: " + line)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.log.close()
        self.proc = None

    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=30)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        payload = res.read()
        conn.close()
        return json.loads(payload) if payload else None

    def persons(self, count, offset=0, validity=None):
        out = []
        while len(out) < count:
            page = self.control("GET", "/sim/population?offset=%d&limit=500" % offset)["persons"]
            if not page:
                break
            offset += len(page)
            out.extend(p for p in page if validity is None or p.get("validity") == validity)
        return out[:count]

    def requests(self):
        return self.control("GET", "/sim/requests")["requests"]

    def faults(self, **faults):
        return self.control("POST", "/sim/faults", faults)


def sensitive_strings(persons):
    """What must never reach a log: names, kana names, and long insured numbers."""
    out = set()
    for p in persons:
        for key in ("name", "nameKana"):
            value = p.get(key, "")
            for part in value.replace("\u3000", " ").split(" "):
                if len(part) >= 2:
                    out.add(part)
            if value:
                out.add(value)
        if len(p.get("cardNumber", "")) >= 6:
            out.add(p["cardNumber"])
    return out


def send(conn, method, path, headers, body=None, raw=None):
    """One request on `conn`: `body` as JSON unless `raw` (bytes or a file) is given. Returns the response
    and its bytes; the connection is closed."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse()
    payload = res.read()
    conn.close()
    return res, payload


class Gateway:
    """The appliance (kakehashi serve) as a real process with its own state, keys and share."""

    def __init__(self, workdir, sim, **overrides):
        self.workdir = workdir
        self.sim = sim
        self.http_port = free_port()
        self.share = os.path.join(workdir, "share")
        self.config_path = os.path.join(workdir, "kakehashi.json")
        self.log_path = os.path.join(workdir, "kakehashi.log")
        self.proc = None
        self.token = None
        self.env = None  # the environment of every kakehashi process (e.g. CREDENTIALS_DIRECTORY); None: ours
        self.config = self._config(overrides)
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=2)

    def _config(self, overrides):
        c = certs()
        config = {
            "institutionCode": INSTITUTION,
            "stateDir": os.path.join(self.workdir, "state"),
            "keyDir": os.path.join(self.workdir, "keys"),
            "logLevel": "info",
            "http": {"listen": "127.0.0.1:%d" % self.http_port, "threads": 16},
            "fileDrop": {"enabled": True, "root": self.share, "pollMillis": 100, "settleMillis": 200},
            "upstream": {"baseUrl": self.sim.base_url, "caFile": os.path.join(c, "central-ca.crt"),
                         "certFile": os.path.join(c, "facility-client.crt"),
                         "keyFile": os.path.join(c, "facility-client.key"), "timeoutSeconds": 10,
                         "backoffBaseMillis": 200, "backoffMaxMillis": 1000, "breakerFailures": 3,
                         "breakerCoolDownMillis": 1000, "liveWaitMillis": 8000},
            "cache": {"freshSeconds": -1},
            "batch": {"chunkSize": 500, "maxEntries": 10000},
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key].update(value)
            else:
                config[key] = value
        return config

    def issue_token(self):
        out = subprocess.run([KAKEHASHI_BIN, "api-client", "add", "test-client", "--config", self.config_path],
                             check=True, capture_output=True, text=True, env=self.env)
        self.token = out.stdout.strip()
        return self.token

    def start(self, wait=True):
        if self.token is None:
            self.issue_token()
        for attempt in range(5):
            self.log = open(self.log_path, "ab")
            self.proc = subprocess.Popen([KAKEHASHI_BIN, "serve", "--config", self.config_path],
                                         stdout=self.log, stderr=self.log, env=self.env)
            if not wait:
                return self
            try:
                wait_until(self.ready, 20, "the gateway to be ready")
                return self
            except AssertionError as e:
                # A port picked while free can be taken before the gateway binds it (another test's
                # connection got it as its own port): pick new ones and start again.
                if "Address already in use" not in str(e) or attempt == 4:
                    raise
                self.log.close()
                self._new_ports()
        return self

    def _new_ports(self):
        self.http_port = free_port()
        self.config["http"]["listen"] = "127.0.0.1:%d" % self.http_port
        if "listen" in self.config.get("admin", {}):
            self.config["admin"]["listen"] = "127.0.0.1:%d" % free_port()
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=2)

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("gateway exited with %s; log: %s" % (self.proc.returncode, self.tail_log()))
        try:
            status, _, _ = self.request("GET", "/readyz", auth=False)
            return status == 200
        except OSError:
            return False

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("gateway did not stop on SIGTERM")
            finally:
                self.log.close()
        return self.proc.returncode if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail_log(self, n=4000):
        with open(self.log_path, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")

    def connection(self):
        """HTTP, or HTTPS trusting the demo CA when the gateway was given a certificate."""
        if self.config["http"].get("certFile"):
            ctx = ssl.create_default_context(cafile=os.path.join(certs(), "central-ca.crt"))
            return http.client.HTTPSConnection("127.0.0.1", self.http_port, timeout=60, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=60)

    def request(self, method, path, body=None, auth=True, headers=None, raw=None, as_text=False):
        conn = self.connection()
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Bearer " + self.token
        res, payload = send(conn, method, path, h, body, raw)
        self.last_body = payload
        parsed = payload.decode() if as_text else None
        if payload and not as_text and "json" in (res.getheader("Content-Type") or ""):
            parsed = json.loads(payload)
        return res.status, parsed, res

    def head_status(self, method, path, content_length, auth=True):
        """Sends only a request's head announcing `content_length` bytes, and returns the status the gateway
        answers with before any of the body is sent."""
        conn = self.connection()
        conn.putrequest(method, path)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(content_length))
        if auth:
            conn.putheader("Authorization", "Bearer " + self.token)
        conn.endheaders()
        res = conn.getresponse()
        res.read()
        conn.close()
        return res.status

    # --- file channel -------------------------------------------------------------------------------

    def drop(self, name, data):
        """Write like a receipt computer over SMB: slowly, in pieces, then leave it."""
        path = os.path.join(self.share, "req", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def result(self, name, timeout=30):
        path = os.path.join(self.share, "res", name)
        wait_until(lambda: os.path.exists(path), timeout, "result file " + name)
        with open(path, "rb") as f:
            return f.read()

    def assert_no_patient_data_in_log(self, test, persons):
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        # An insured number leaks as a run of digits of its own. The same digits inside a longer run of hex
        # digits (a request id, a hash, a byte count) are chance, and likely with thousands of numbers.
        runs = set(re.findall(r"[0-9A-Fa-f]+", text))
        for s in sensitive_strings(persons):
            leaked = s in runs if s.isdigit() else s in text
            test.assertFalse(leaked, "patient data leaked into the gateway log: %r" % s)


# --- spec XML documents -----------------------------------------------------------------------------

def search_info(p, arbitrary_id=None, limit_consent=False):
    parts = ["<QualificationConfirmSearchInfo>",
             "<InsurerNumber>%s</InsurerNumber>" % p["insurerNumber"].strip()]
    if p.get("cardSymbol"):
        parts.append("<InsuredCardSymbol>%s</InsuredCardSymbol>" % p["cardSymbol"])
    parts.append("<InsuredIdentificationNumber>%s</InsuredIdentificationNumber>" % p["cardNumber"])
    if p.get("branchNumber"):
        parts.append("<InsuredBranchNumber>%s</InsuredBranchNumber>" % p["branchNumber"])
    parts.append("<Birthdate>%s</Birthdate>" % p["birthDate"])
    parts.append("<LimitApplicationCertificateRelatedConsFlg>%d</LimitApplicationCertificateRelatedConsFlg>"
                 % (1 if limit_consent else 0))
    if arbitrary_id:
        parts.append("<ArbitraryIdentifier>%s</ArbitraryIdentifier>" % arbitrary_id)
    parts.append("</QualificationConfirmSearchInfo>")
    return "".join(parts)


def header(file_id, institution=INSTITUTION):
    return ("<MessageHeader><QualificationConfirmationDate>%s</QualificationConfirmationDate>"
            "<MedicalInstitutionCode>%s</MedicalInstitutionCode><ArbitraryFileIdentifier>%s</ArbitraryFileIdentifier>"
            "</MessageHeader>" % (time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600)), institution, file_id))


def document(body, encoding="UTF-8"):
    text = '<?xml version="1.0" encoding="%s" standalone="no"?>\n<XmlMsg>%s</XmlMsg>' % (encoding, body)
    return text.encode("cp932" if encoding.lower() in ("shift_jis", "cp932") else "utf-8")


def single_request(p, file_id="F1", encoding="UTF-8", institution=INSTITUTION, arbitrary_id="A1"):
    return document(header(file_id, institution) + "<MessageBody>" + search_info(p, arbitrary_id) + "</MessageBody>",
                    encoding)


def batch_upload(persons, file_id="B1"):
    units = "".join(search_info(p, "E%05d" % i) for i, p in enumerate(persons))
    return document(header(file_id) + "<MessageBody>" + units + "</MessageBody>")


def batch_download(reception, file_id="D1"):
    return document(header(file_id) + "<MessageBody><ReceptionNumber>%s</ReceptionNumber></MessageBody>" % reception)


def parse(data):
    """Parse a result document whatever its declared encoding (expat has no Shift_JIS: decode CP932 first)."""
    head = data[:120].lower()
    if b"shift_jis" in head:
        text_ = data.decode("cp932")
        return ET.fromstring(text_.replace('encoding="Shift_JIS"', 'encoding="UTF-8"').encode("utf-8"))
    return ET.fromstring(data)


def text(root, path):
    el = root.find(path)
    return el.text if el is not None and el.text is not None else ""


def inquiry_json(p, arbitrary_id="A1"):
    return {"insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p.get("cardSymbol", ""),
            "cardNumber": p["cardNumber"], "branchNumber": p.get("branchNumber", ""), "birthDate": p["birthDate"],
            "arbitraryIdentifier": arbitrary_id}


def terminal_upstream(rig, concurrency=None, answer_timeout_seconds=30):
    """The gateway's upstream section for profile "terminal" against `rig` (a TerminalRig)."""
    return {"profile": "terminal",
            "terminal": {"url": rig.url, "user": rig.user, "password": rig.password,
                         "concurrency": concurrency or rig.sim.sessions, "answerTimeoutSeconds": answer_timeout_seconds,
                         "pollMillis": 50, "timeoutSeconds": 5}}


def with_upstream(options, upstream):
    """`options` (a test's gateway_options) with `upstream` merged into its upstream section."""
    out = dict(options)
    out["upstream"] = dict(options.get("upstream", {}), **upstream)
    return out


class IntegrationTest(unittest.TestCase):
    """Starts a simulator and a gateway per test; checks the gateway's log for patient data at the end.
    Under KAKEHASHI_UPSTREAM_PROFILE=terminal a TerminalRig (terminal simulator + smbd) stands between them,
    and at the end its log must show no request file taken twice."""

    sim_options = {}
    gateway_options = {}
    terminal_options = {}  # TerminalRig's (sessions, settle_ms, …) under profile terminal
    profile = None  # a test that is about one profile names it; otherwise KAKEHASHI_UPSTREAM_PROFILE decides

    @property
    def terminal(self):
        return (self.profile or PROFILE) == "terminal"

    def skip_under_terminal(self, why):
        if self.terminal:
            self.skipTest("profile terminal: " + why)

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-it-")
        self.sim = CentralSim(self.workdir, **self.sim_options).start()
        self.terminal_rig = None
        options = self.gateway_options
        try:
            if self.terminal:
                from terminal_rig import TerminalRig  # it imports this module
                self.terminal_rig = TerminalRig(self.workdir, self.sim, **self.terminal_options).start()
                options = with_upstream(options, terminal_upstream(self.terminal_rig))
            self.gateway = Gateway(self.workdir, self.sim, **options).start()
        except Exception:
            if self.terminal_rig:
                self.terminal_rig.stop()
            self.sim.stop()
            raise
        self.used_persons = []

    def tearDown(self):
        rig = getattr(self, "terminal_rig", None)  # tests with a setUp of their own have none
        try:
            if self.gateway.alive():
                self.assertEqual(self.gateway.stop(), 0, "SIGTERM should drain and exit cleanly")
            self.gateway.assert_no_patient_data_in_log(self, self.used_persons)
            if rig:
                if not rig.smbd.running():
                    rig.share_up()
                log = rig.log()
                self.assertEqual(log["duplicateNames"], [], "a request file was taken twice under one name")
                self.assertEqual(log["duplicateContents"], [], "one request arrived under two names")
        finally:
            try:
                if rig:
                    rig.stop()
            finally:
                self.sim.stop()
            if os.environ.get("KAKEHASHI_KEEP_TEST_DIRS") is None and not self._failed():
                shutil.rmtree(self.workdir, ignore_errors=True)

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(outcome, "errors", None) or []
        return any(exc for _, exc in errors) or bool(getattr(getattr(outcome, "result", None), "failures", []))

    # --- the upstream, whichever the profile ---

    def upstream_down(self):
        """The upstream goes away: the central simulator stops (central-v1), or the terminal's share (terminal;
        the terminal itself keeps running, as when its Windows PC or the network is away)."""
        if self.terminal_rig:
            self.terminal_rig.share_down()
        else:
            self.sim.stop()

    def upstream_up(self):
        if self.terminal_rig:
            self.terminal_rig.share_up()
        else:
            self.sim.start()

    def upstream_outage(self, on):
        """An outage with the processes kept: the central simulator answers 503 (central-v1), or the terminal's
        share goes away (terminal: a terminal that relays to a failing central system answers .err, final)."""
        if self.terminal_rig:
            self.terminal_rig.share_down() if on else self.terminal_rig.share_up()
        else:
            self.sim.faults(outage=on)

    def acted_request_ids(self, prefix, path):
        """The request ids of queued calls as the other side acted on them, in its order: the central
        simulator's requests on `path` (central-v1), or the terminal's taken files of type `prefix` (terminal;
        their names carry the request id). Ids are compared as their letters and digits."""
        if self.terminal_rig:
            entries = sorted(self.terminal_rig.log()["entries"], key=lambda e: e["seq"])
            return [e["name"][len(prefix) + 4:-4] for e in entries if e["name"].startswith(prefix + "req_")]
        return [normal_id(r["requestId"]) for r in self.sim.requests() if r["acted"] and r["path"] == path]

    def persons(self, count, **kw):
        ps = self.sim.persons(count, **kw)
        self.used_persons.extend(ps)
        return ps


def normal_id(request_id):
    """A request id as profile terminal puts it into a file name: its letters and digits, lower case."""
    return "".join(c for c in request_id.lower() if c.isalnum())


def main():
    unittest.main(verbosity=2)

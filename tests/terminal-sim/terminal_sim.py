#!/usr/bin/env python3
"""kakehashi-terminal-sim — the qualification terminal's linkage application (連携アプリケーション) on a folder.

Watches <share>/req/ for request files, takes each once, relays its document to the central simulator over
upstream profile v1 (HTTPS, mutual TLS) and answers in <share>/res/; writes unsolicited face-reader results
into <share>/face/ on a control call. A plain-HTTP control port on loopback sets faults and shows a log of
every request file taken. Standard library only. See README.md beside this file.
"""
import argparse
import base64
import datetime
import errno
import hashlib
import http.client
import http.server
import io
import json
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
import zipfile
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

JST = datetime.timezone(datetime.timedelta(hours=9))

# <family><phase>req_<id>.xml, e.g. OQSsiquc01req_202611240001.xml, YZKsiquc01req_02261124103012340.xml
REQUEST_NAME = re.compile(r"\A(?P<kind>(?:OQS|YZK|TKK)[a-z]{5}\d\d)req_(?P<id>[^/\\]+)\.xml\Z")
RECEPTION = re.compile(r"\A[A-Za-z0-9]{1,64}\Z")
SJIS_NAMES = {"shift_jis", "shift-jis", "sjis", "x-sjis", "cp932", "ms932", "windows-31j", "csshiftjis"}

BATCH_GET = ("GET", "/v1/qualifications/batches/{reception}")
ROUTES = {
    "OQSsiquc01": ("POST", "/v1/qualifications/inquiry"),
    "OQSmuquc01": ("POST", "/v1/qualifications/batches"),
    "OQSmuquc02": BATCH_GET,
    "OQSsiimm01": ("POST", "/v1/reference-numbers"),
    "OQSmuimm01": ("POST", "/v1/reference-numbers"),
    "OQSmuhvq01": ("POST", "/v1/home-consent/qualifications"),
    "OQSmuonq01": ("POST", "/v1/home-consent/qualifications"),
    "OQSmuhvq02": BATCH_GET,
    "OQSmuonq02": BATCH_GET,
    "YZKsiquc01": ("POST", "/v1/medical-info/medication"),
    "TKKsiquc01": ("POST", "/v1/medical-info/checkup"),
    "OQSmutic01": ("POST", "/v1/medical-aid/batches"),
    "OQSmutic02": BATCH_GET,
}

# Central refusals that say the request itself is unusable: answered with a request copy + .err.
# Other 4xx answers that carry an XmlMsg document (SegmentOfResult 9) are relayed as the result.
ERR_CODES = {"SIM-4001", "SIM-4002", "SIM-4003", "SIM-4040", "SIM-4042", "SIM-4051", "SIM-4131"}
ERR_STATUSES = {405, 413}

DEFAULT_FAULTS = {"delayMs": 0, "errNext": 0, "mode": "answer", "paused": False, "zipResults": False,
                  "slowWriteMs": 0}
MODES = ("answer", "stuck", "delete")


def now_iso():
    return datetime.datetime.now(JST).isoformat(timespec="milliseconds")


def jst(fmt):
    return datetime.datetime.now(JST).strftime(fmt)


def event(what, **fields):
    parts = ["%s=%s" % (k, str(v).replace(" ", "_")) for k, v in fields.items() if v is not None]
    sys.stderr.write("%s event=%s %s\n" % (now_iso(), what, " ".join(parts)))
    sys.stderr.flush()


class Refused(Exception):
    """A request the terminal answers with a request copy and a .err file."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


# --- documents ------------------------------------------------------------------------------------------

DECLARATION = re.compile(r"\A\ufeff?<\?xml[^>]*\?>")
ENCODING_ATTR = re.compile(r"""encoding\s*=\s*(["'])([^"']*)\1""")


def declared_encoding(data):
    head = data[:200].decode("ascii", "replace")
    m = re.match(r"\A(?:\ufffd+)?<\?xml[^>]*\?>", head.lstrip("\ufeff"))
    if not m:
        return "utf-8"
    e = ENCODING_ATTR.search(m.group(0))
    return e.group(2) if e else "utf-8"


def is_sjis(name):
    return name.strip().lower() in SJIS_NAMES


def with_encoding(text, encoding):
    """Text of a document whose declaration names `encoding` (a declaration is added when missing)."""
    m = DECLARATION.match(text)
    if not m:
        return '<?xml version="1.0" encoding="%s" standalone="no"?>\n%s' % (encoding, text)
    decl = m.group(0).lstrip("\ufeff")
    if ENCODING_ATTR.search(decl):
        decl = ENCODING_ATTR.sub(lambda x: 'encoding=%s%s%s' % (x.group(1), encoding, x.group(1)), decl, count=1)
    else:
        decl = decl.replace("<?xml version=\"1.0\"", "<?xml version=\"1.0\" encoding=\"%s\"" % encoding, 1)
    return decl + text[m.end():]


class RequestDoc:
    """A request file's document: its encoding, its UTF-8 form for the central system, its parsed tree."""

    def __init__(self, data):
        self.sjis = is_sjis(declared_encoding(data))
        try:
            text = data.decode("cp932" if self.sjis else "utf-8-sig")
        except UnicodeDecodeError:
            raise Refused("TSIM-E102", "the file is not valid %s" % ("Shift_JIS" if self.sjis else "UTF-8"))
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise Refused("TSIM-E102", "a DTD or entity declaration is not accepted")
        self.utf8 = with_encoding(text, "UTF-8").encode("utf-8") if self.sjis else data
        try:
            self.root = ET.fromstring(self.utf8)
        except ET.ParseError as e:
            raise Refused("TSIM-E102", "not well-formed XML (%s)" % e)
        if local(self.root.tag) != "XmlMsg":
            raise Refused("TSIM-E102", "the root element is not XmlMsg")
        self.header = child(self.root, "MessageHeader")
        self.body = child(self.root, "MessageBody")
        if self.header is None or self.body is None:
            raise Refused("TSIM-E103", "MessageHeader or MessageBody missing")
        if not find_text(self.header, "MedicalInstitutionCode"):
            raise Refused("TSIM-E103", "MedicalInstitutionCode missing")


def local(tag):
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def child(el, name):
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def find_all(el, name):
    return [e for e in el.iter() if local(e.tag) == name]


def find_text(el, name):
    for e in find_all(el, name):
        return (e.text or "").strip()
    return ""


def check_request(kind, doc):
    """The terminal's own checks before relaying (the central system checks the rest)."""
    if kind == "OQSsiquc01":
        searches = find_all(doc.body, "QualificationConfirmSearchInfo")
        if len(searches) != 1:
            raise Refused("TSIM-E103", "exactly one QualificationConfirmSearchInfo expected")
        for field in ("InsurerNumber", "InsuredIdentificationNumber", "Birthdate"):
            if not find_text(searches[0], field):
                raise Refused("TSIM-E103", "required element %s missing" % field)
    if ROUTES[kind] is BATCH_GET:
        reception = find_text(doc.body, "ReceptionNumber") or find_text(doc.root, "ReceptionNumber")
        if not reception:
            raise Refused("TSIM-E103", "ReceptionNumber missing")
        if not RECEPTION.match(reception):
            raise Refused("TSIM-E104", "ReceptionNumber has an invalid value")
        return reception
    return None


def answer_document(payload, sjis):
    """The central system's UTF-8 document in the encoding of the request (CP932 bytes, Shift_JIS declared,
    CharacterCodeIdentifier 1) — the terminal answers in the client's encoding."""
    if not sjis:
        return payload
    text = payload.decode("utf-8-sig")
    text = with_encoding(text, "Shift_JIS")
    text = text.replace("<CharacterCodeIdentifier>0</CharacterCodeIdentifier>",
                        "<CharacterCodeIdentifier>1</CharacterCodeIdentifier>")
    return text.encode("cp932", "xmlcharrefreplace")


def parse_answer(payload):
    try:
        root = ET.fromstring(payload)
    except ET.ParseError:
        return None
    return root if local(root.tag) == "XmlMsg" else None


# --- files ------------------------------------------------------------------------------------------------

def fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(directory, name, data):
    tmp = os.path.join(directory, ".tsim-%s.tmp" % uuid.uuid4().hex)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(directory, name))
    fsync_dir(directory)


def open_files(paths):
    """Which of `paths` some process has open (Linux /proc; a writer over SMB is smbd holding the file)."""
    found = set()
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    own = str(os.getpid())
    for pid in pids:
        if pid == own:
            continue
        fd_dir = "/proc/%s/fd" % pid
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir + "/" + fd)
            except OSError:
                continue
            if target in paths:
                found.add(target)
    return found


# --- the central system -----------------------------------------------------------------------------------

class Central:
    def __init__(self, base_url, ca, cert, key, timeout):
        u = urllib.parse.urlsplit(base_url)
        if u.scheme != "https" or not u.hostname:
            raise ValueError("--central must be an https URL")
        self.host, self.port = u.hostname, u.port or 443
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)
        self.timeout = timeout

    def call(self, method, path, body, request_id):
        """(status, content type, body, error text); status None when no answer came."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=self.timeout)
        headers = {"X-Request-Id": request_id}
        if body is not None:
            headers["Content-Type"] = "application/xml; charset=UTF-8"
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            return res.status, res.getheader("Content-Type", ""), res.read(), None
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            return None, "", b"", "%s: %s" % (type(e).__name__, e)
        finally:
            conn.close()


# --- the terminal -----------------------------------------------------------------------------------------

class Entry:
    def __init__(self, seq, name, data, seen_at, mode):
        self.seq = seq
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.size = len(data)
        self.seen_at = seen_at
        self.taken_at = now_iso()
        self.mode = mode
        self.outcome = "pending"
        self.answered_at = None
        self.files = []
        self.http_status = None
        self.request_id = None
        self.error_code = None
        self.reason = None

    def json(self):
        return {"seq": self.seq, "name": self.name, "sha256": self.sha256, "size": self.size,
                "seenAt": self.seen_at, "takenAt": self.taken_at, "mode": self.mode, "outcome": self.outcome,
                "answeredAt": self.answered_at, "files": list(self.files), "httpStatus": self.http_status,
                "requestId": self.request_id, "errorCode": self.error_code, "reason": self.reason}


class Watch:
    __slots__ = ("key", "changed", "first_seen", "first_seen_iso")

    def __init__(self, key, now):
        self.key = key
        self.changed = now
        self.first_seen = now
        self.first_seen_iso = now_iso()


class Terminal:
    def __init__(self, args, central):
        self.share = os.path.realpath(args.share)
        self.req = os.path.join(self.share, "req")
        self.res = os.path.join(self.share, "res")
        self.face = os.path.join(self.share, "face")
        self.state_dir = os.path.realpath(args.state_dir or self.share.rstrip("/") + ".terminal-sim")
        self.taken_dir = os.path.join(self.state_dir, "taken")
        for d in (self.req, self.res, self.face, self.taken_dir):
            os.makedirs(d, exist_ok=True)
        self.central = central
        self.institution = args.institution
        self.sessions = args.sessions
        self.poll = args.poll_ms / 1000.0
        self.settle = args.settle_ms / 1000.0
        self.open_check = args.open_check
        self.lock = threading.Condition()
        self.stop = threading.Event()
        self.faults = dict(DEFAULT_FAULTS)
        self.entries = []
        self.ignored = []
        self.watch = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.stuck_generation = 0
        self.seq = 0
        self.scans = 0
        self.workers = set()

    # -- scanning ---------------------------------------------------------------------------------------

    def run_scanner(self):
        while not self.stop.is_set():
            try:
                self.scan()
            except Exception as e:  # keep watching whatever one pass met
                event("scan.error", error=type(e).__name__)
            with self.lock:
                self.scans += 1
            self.stop.wait(self.poll)

    def scan(self):
        now = time.monotonic()
        present = set()
        candidates = []
        with os.scandir(self.req) as it:
            for e in it:
                name = e.name
                if name.startswith(".") or name.startswith("~$"):
                    continue
                try:
                    if not e.is_file(follow_symlinks=False):
                        continue
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                present.add(name)
                if not REQUEST_NAME.match(name):
                    with self.lock:
                        if name not in self.ignored:
                            self.ignored.append(name)
                            event("ignore", name=name)
                    continue
                key = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
                w = self.watch.get(name)
                if w is None:
                    self.watch[name] = Watch(key, now)
                    continue
                if w.key != key:
                    w.key, w.changed = key, now
                    continue
                if now - w.changed >= self.settle:
                    candidates.append((w.first_seen, name, w))
        for name in list(self.watch):
            if name not in present:
                del self.watch[name]
        with self.lock:
            if self.faults["paused"]:
                return
            free = self.sessions - self.in_flight
        if not candidates or free <= 0:
            return
        candidates.sort()
        busy = set()
        if self.open_check:
            busy = open_files({os.path.join(self.req, n) for _, n, _ in candidates})
        for _, name, w in candidates:
            if free <= 0:
                break
            if os.path.join(self.req, name) in busy:
                continue
            if self.take(name, w):
                free -= 1

    def take(self, name, w):
        with self.lock:
            self.seq += 1
            seq = self.seq
        src = os.path.join(self.req, name)
        dst = os.path.join(self.taken_dir, "%06d-%s" % (seq, name))
        try:
            os.rename(src, dst)
            with open(dst, "rb") as f:
                data = f.read()
            os.unlink(dst)
        except FileNotFoundError:
            self.watch.pop(name, None)
            return False
        except OSError as e:
            if e.errno != errno.EXDEV:  # the state dir on another file system: read, then delete
                event("take.error", name=name, error=type(e).__name__)
                return False
            with open(src, "rb") as f:
                data = f.read()
            os.unlink(src)
        self.watch.pop(name, None)
        with self.lock:
            mode = self.faults["mode"]
            if self.faults["errNext"] > 0:
                self.faults["errNext"] -= 1
                mode = "err"
            entry = Entry(seq, name, data, w.first_seen_iso, mode)
            self.entries.append(entry)
            if mode != "delete":
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            in_flight = self.in_flight
        event("take", seq=seq, name=name, sha256=entry.sha256[:12], size=entry.size, mode=mode, inFlight=in_flight)
        if mode == "delete":
            self.finish(entry, "deleted")
            return True
        t = threading.Thread(target=self.work, args=(entry, data), daemon=True)
        with self.lock:
            self.workers.add(t)
        t.start()
        return True

    # -- answering --------------------------------------------------------------------------------------

    def work(self, entry, data):
        try:
            if entry.mode == "stuck":
                self.hang(entry)
                return
            if entry.mode == "err":
                self.write_err(entry, data, "TSIM-E900", "fault injected: the next request was to fail")
                return
            with self.lock:
                delay = self.faults["delayMs"] / 1000.0
            if delay and self.stop.wait(delay):
                self.finish(entry, "abandoned", reason="terminal stopping")
                return
            self.answer(entry, data)
        except Exception as e:
            event("answer.error", seq=entry.seq, error=type(e).__name__)
            self.finish(entry, "failed", reason="%s: %s" % (type(e).__name__, e))
        finally:
            with self.lock:
                self.in_flight -= 1
                self.workers.discard(threading.current_thread())
                self.lock.notify_all()

    def hang(self, entry):
        """Stuck: the session stays in use, and the file is never answered, until stuck mode ends."""
        entry.outcome = "stuck"
        with self.lock:
            generation = self.stuck_generation
            while (self.faults["mode"] == "stuck" and self.stuck_generation == generation
                   and not self.stop.is_set()):
                self.lock.wait(0.5)
        self.finish(entry, "dropped", reason="taken while stuck, never answered")

    def finish(self, entry, outcome, files=(), reason=None):
        with self.lock:
            entry.outcome = outcome
            entry.answered_at = now_iso()
            entry.files.extend(files)
            if reason:
                entry.reason = reason
        event("answer", seq=entry.seq, name=entry.name, outcome=outcome, status=entry.http_status,
              code=entry.error_code, files="+".join(files) or None)

    def answer(self, entry, data):
        m = REQUEST_NAME.match(entry.name)
        kind = m.group("kind")
        base = entry.name[:-len(".xml")].replace("req_", "res_", 1)
        route = ROUTES.get(kind)
        try:
            if route is None:
                raise Refused("TSIM-E101", "request type %s is not supported" % kind)
            doc = RequestDoc(data)
            reception = check_request(kind, doc)
        except Refused as r:
            self.write_err(entry, data, r.code, r.reason)
            return
        method, path = route
        if reception:
            path = path.format(reception=reception)
        entry.request_id = str(uuid.uuid4())
        status, ctype, payload, error = self.central.call(method, path, doc.utf8 if method == "POST" else None,
                                                          entry.request_id)
        entry.http_status = status
        if status is None:
            self.write_err(entry, data, "TSIM-E201", "no answer from the central system (%s)" % error)
            return
        if status == 200 and ctype.startswith("application/pdf"):
            if not payload.startswith(b"%PDF"):
                self.write_err(entry, data, "TSIM-E203", "the central system answered a broken PDF")
                return
            self.write_result(entry, base + ".pdf", payload)
            return
        root = parse_answer(payload) if "xml" in ctype else None
        code = find_text(root, "ErrorCode") if root is not None else ""
        entry.error_code = code or None
        if status >= 500 or status in ERR_STATUSES or root is None or code in ERR_CODES \
                or (status >= 400 and not code):
            why = "the central system refused the request (HTTP %d%s)" % (status, ", " + code if code else "")
            if root is None:
                why = "the central system answered HTTP %d without a usable document" % status
            self.write_err(entry, data, "TSIM-E202", why)
            return
        out = answer_document(payload, doc.sjis)
        segment = find_text(root, "SegmentOfResult")
        with self.lock:
            zipped = self.faults["zipResults"]
        if zipped and route is BATCH_GET and segment == "1":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(base + ".xml", out)
            self.write_result(entry, base + ".zip", buf.getvalue())
            return
        self.write_result(entry, base + ".xml", out)

    def put(self, name, data):
        with self.lock:
            slow = self.faults["slowWriteMs"] / 1000.0
        if not slow:
            write_atomic(self.res, name, data)
            return
        # A terminal that writes in place: the first half, a pause, the rest (readers must wait it out).
        with open(os.path.join(self.res, name), "wb") as f:
            half = len(data) // 2
            f.write(data[:half])
            f.flush()
            self.stop.wait(slow)
            f.write(data[half:])

    def write_result(self, entry, name, data):
        self.put(name, data)
        self.finish(entry, "answered", [name])

    def write_err(self, entry, data, code, reason):
        """Request-level failure: <request base>.err, then a byte-identical copy of the request in res/."""
        err_name = entry.name[:-len(".xml")] + ".err"
        text = ("（端末シミュレーター）要求ファイル %s を処理できませんでした。\r\n"
                "code=%s\r\nreason=%s\r\n" % (entry.name, code, reason))
        if entry.http_status is not None:
            text += "httpStatus=%d\r\n" % entry.http_status
        if entry.error_code:
            text += "centralErrorCode=%s\r\n" % entry.error_code
        self.put(err_name, text.encode("utf-8"))
        self.put(entry.name, data)
        with self.lock:
            entry.error_code = entry.error_code or code
        self.finish(entry, "err", [err_name, entry.name], reason=reason)

    # -- face files -------------------------------------------------------------------------------------

    def make_face(self, person, encoding):
        sjis = is_sjis(encoding)
        fields = [("InsurerNumber", person.get("insurerNumber", "").strip()),
                  ("InsuredCardSymbol", person.get("cardSymbol", "")),
                  ("InsuredIdentificationNumber", person.get("cardNumber", "")),
                  ("InsuredBranchNumber", person.get("branchNumber", "")),
                  ("Birthdate", person.get("birthDate", "")),
                  ("LimitApplicationCertificateRelatedConsFlg", "0")]
        if not fields[0][1] or not fields[2][1] or not fields[4][1]:
            return 400, {"error": "insurerNumber, cardNumber and birthDate are required"}
        search = "".join("<%s>%s</%s>" % (k, escape(v), k) for k, v in fields if v)
        today = jst("%Y%m%d")
        body = ('<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader>'
                "<QualificationConfirmationDate>%s</QualificationConfirmationDate>"
                "<MedicalInstitutionCode>%s</MedicalInstitutionCode></MessageHeader><MessageBody>"
                "<QualificationConfirmSearchInfo>%s</QualificationConfirmSearchInfo></MessageBody></XmlMsg>"
                % (today, self.institution, search)).encode("utf-8")
        status, _, payload, error = self.central.call("POST", "/v1/qualifications/inquiry", body, str(uuid.uuid4()))
        if status != 200:
            return 502, {"error": "the central system answered %s" % (status or error)}
        root = parse_answer(payload)
        record = None if root is None else next(iter(find_all(root, "ResultOfQualificationConfirmation")), None)
        validity = find_text(root, "QualificationValidity") if root is not None else ""
        if record is None:
            return 409, {"error": "the central system has no record for this person", "validity": validity}
        record.tail = None
        stamp = jst("%Y%m%d%H%M%S")
        token = base64.b64encode(secrets.token_bytes(11)).decode()
        text = ("<?xml version=\"1.0\" encoding=\"%s\" standalone=\"no\"?>\n<XmlMsg>\n  <MessageHeader>\n"
                "    <ProcessExecutionTime>%s</ProcessExecutionTime>\n"
                "    <CharacterCodeIdentifier>%s</CharacterCodeIdentifier>\n"
                "    <SegmentOfResult>1</SegmentOfResult>\n"
                "    <QualificationConfirmationDate>%s</QualificationConfirmationDate>\n"
                "    <ReferenceClassification>1</ReferenceClassification>\n"
                "    <ArbitraryFileIdentifier>%s</ArbitraryFileIdentifier>\n"
                "    <MedicalInstitutionCode>%s</MedicalInstitutionCode>\n  </MessageHeader>\n  <MessageBody>\n"
                "    <ResultList>%s</ResultList>\n"
                "    <ProcessingResultStatus>1</ProcessingResultStatus>\n"
                "    <QualificationValidity>%s</QualificationValidity>\n  </MessageBody>\n</XmlMsg>\n"
                % ("Shift_JIS" if sjis else "UTF-8", stamp, "1" if sjis else "0", today, token, self.institution,
                   ET.tostring(record, encoding="unicode"), validity))
        data = text.encode("cp932", "xmlcharrefreplace") if sjis else text.encode("utf-8")
        name = "OQSsiquc01res_face_%s%s_%s.xml" % (self.institution, secrets.token_hex(10), stamp)
        write_atomic(self.face, name, data)
        event("face", name=name, validity=validity)
        return 200, {"file": name, "validity": validity, "sha256": hashlib.sha256(data).hexdigest()}

    # -- control ----------------------------------------------------------------------------------------

    def set_faults(self, changes):
        if not isinstance(changes, dict):
            return 400, {"error": "a JSON object expected"}
        for k, v in changes.items():
            if k not in DEFAULT_FAULTS:
                return 400, {"error": "unknown key %s" % k}
            if k in ("paused", "zipResults") and not isinstance(v, bool):
                return 400, {"error": "%s must be true or false" % k}
            if k == "mode" and v not in MODES:
                return 400, {"error": "mode must be one of %s" % ", ".join(MODES)}
            if k in ("delayMs", "errNext", "slowWriteMs") and (type(v) is not int or not 0 <= v <= 3600000):
                return 400, {"error": "%s must be an integer 0..3600000" % k}
        with self.lock:
            self.faults.update(changes)
            self.lock.notify_all()
            faults = dict(self.faults)
        event("faults", **{k: json.dumps(v) for k, v in changes.items()})
        return 200, faults

    def reset(self):
        with self.lock:
            self.faults = dict(DEFAULT_FAULTS)
            self.entries = []
            self.ignored = []
            self.max_in_flight = self.in_flight
            self.stuck_generation += 1
            self.lock.notify_all()
        event("reset")
        return 200, self.state()

    def state(self):
        with self.lock:
            return {"faults": dict(self.faults), "sessions": self.sessions, "inFlight": self.in_flight,
                    "maxInFlight": self.max_in_flight, "taken": len(self.entries),
                    "waiting": len(self.watch), "scans": self.scans, "share": self.share}

    def log(self):
        with self.lock:
            entries = [e.json() for e in self.entries]
            state = {"sessions": self.sessions, "inFlight": self.in_flight, "maxInFlight": self.max_in_flight,
                     "ignored": list(self.ignored)}
        by_name, by_sha = {}, {}
        for e in entries:
            by_name.setdefault(e["name"], []).append(e["seq"])
            by_sha.setdefault(e["sha256"], set()).add(e["name"])
        state["entries"] = entries
        state["duplicateNames"] = sorted(n for n, seqs in by_name.items() if len(seqs) > 1)
        state["duplicateContents"] = sorted(sorted(names) for names in by_sha.values() if len(names) > 1)
        return 200, state

    def shutdown(self, grace):
        self.stop.set()
        with self.lock:
            self.lock.notify_all()
        deadline = time.monotonic() + grace
        with self.lock:
            while self.workers and time.monotonic() < deadline:
                self.lock.wait(0.1)


class Control(http.server.BaseHTTPRequestHandler):
    terminal = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw.strip() else {}

    def do_GET(self):
        t = self.terminal
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.reply(200, {"ok": True})
        elif path == "/state":
            self.reply(200, t.state())
        elif path == "/faults":
            self.reply(200, t.state()["faults"])
        elif path == "/log":
            self.reply(*t.log())
        else:
            self.reply(404, {"error": "no such path"})

    def do_POST(self):
        t = self.terminal
        path = self.path.split("?", 1)[0]
        try:
            body = self.body()
        except ValueError:
            self.reply(400, {"error": "not JSON"})
            return
        if path == "/faults":
            self.reply(*t.set_faults(body))
        elif path == "/pause":
            self.reply(*t.set_faults({"paused": True}))
        elif path == "/resume":
            self.reply(*t.set_faults({"paused": False}))
        elif path == "/reset":
            self.reply(*t.reset())
        elif path == "/face":
            if not isinstance(body, dict):
                self.reply(400, {"error": "a JSON object expected"})
                return
            encoding = body.get("encoding", "UTF-8")
            if encoding.lower() not in ("utf-8", "shift_jis"):
                self.reply(400, {"error": "encoding must be UTF-8 or Shift_JIS"})
                return
            self.reply(*t.make_face(body.get("person", body), encoding))
        else:
            self.reply(404, {"error": "no such path"})


def parse_args(argv):
    p = argparse.ArgumentParser(prog="kakehashi-terminal-sim", description=__doc__.split("\n")[0])
    p.add_argument("--share", required=True, help="the folder smbd shares (req/, res/, face/ are made)")
    p.add_argument("--central", required=True, help="the central simulator's API, https://127.0.0.1:PORT")
    p.add_argument("--ca", required=True, help="CA certificate of the central system (PEM)")
    p.add_argument("--cert", required=True, help="facility client certificate (PEM)")
    p.add_argument("--key", required=True, help="facility client key (PEM)")
    p.add_argument("--control", default="127.0.0.1:0", help="control listen address (loopback only)")
    p.add_argument("--institution", default="1312345679", help="the terminal's 医療機関等コード (face files)")
    p.add_argument("--sessions", type=int, default=20, help="requests answered at a time")
    p.add_argument("--poll-ms", type=int, default=100, help="how often req/ is listed")
    p.add_argument("--settle-ms", type=int, default=300, help="a file must be unchanged this long to be taken")
    p.add_argument("--no-open-check", dest="open_check", action="store_false",
                   help="take files even when a process has them open")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the central system")
    p.add_argument("--state-dir", help="private work folder (default: <share>.terminal-sim)")
    args = p.parse_args(argv)
    host, _, port = args.control.rpartition(":")
    host = host.strip("[]")
    if not (host.startswith("127.") or host == "::1") or not port.isdigit():
        p.error("--control must be a loopback address with a port")
    args.control_addr = (host, int(port))
    if args.sessions < 1 or args.poll_ms < 1 or args.settle_ms < 0:
        p.error("--sessions and --poll-ms must be positive, --settle-ms not negative")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        central = Central(args.central, args.ca, args.cert, args.key, args.timeout)
        terminal = Terminal(args, central)
        Control.terminal = terminal
        server_class = http.server.ThreadingHTTPServer
        if ":" in args.control_addr[0]:
            class V6(http.server.ThreadingHTTPServer):
                address_family = socket.AF_INET6
            server_class = V6
        server = server_class(args.control_addr, Control)
        server.daemon_threads = True
    except (OSError, ValueError, ssl.SSLError) as e:
        sys.stderr.write("terminal-sim: cannot start: %s\n" % e)
        return 1
    # SIGTERM/SIGINT are blocked in every thread and taken by the main thread's sigwait below.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    scanner = threading.Thread(target=terminal.run_scanner, daemon=True)
    scanner.start()
    host, port = server.server_address[:2]
    event("start", share=terminal.share, sessions=terminal.sessions, settleMs=args.settle_ms)
    sys.stdout.write("terminal-sim ready control=http://%s:%d\n" % (host if ":" not in host else "[%s]" % host, port))
    sys.stdout.flush()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    event("stop")
    terminal.shutdown(grace=3.0)
    scanner.join(2.0)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Kakehashi benchmark: every number in the table is measured in this one run.

1. cached inquiries over HTTP (wrk POST load) against nginx returning the very same response bytes, alone
   and again while 1,000 idle keep-alive and 200 slow-header connections are also open (crowd.py; nginx gets
   the same crowd), with the latency of fresh connections (one request each) during the crowded run;
2. 10,000 idle connections held open: the gateway's RSS, and whether a new request is still answered;
3. the file channel: request file renamed into req/ → result file in res/, 1,000 cached answers in turn;
4. a 10,000-entry batch: over HTTP (send → 202, which comes once the batch is durable) and through the
   file channel (file complete → OQSmuquc01res_<id>.xml in res/);
5. RSS of the gateway when idle (and after the load run, for information);
6. start-to-ready (spawn → first 200 on /readyz), median of 5 starts on an existing state dir.

Targets are reported, not asserted: the exit status is 0 when a target is missed and non-zero only when
something could not be measured. Every process started here (simulator, gateway, nginx, wrk) is stopped
before exit, also on error. Traffic goes to 127.0.0.1 only; every load run is bounded in time.
"""
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import CentralSim, Gateway, batch_upload, free_port, inquiry_json, single_request, wait_until  # noqa: E402
from crowd import Crowd, allow_descriptors  # noqa: E402

WRK_THREADS, WRK_CONNECTIONS, WRK_SECONDS, WARMUP_SECONDS = 2, 64, 10, 2
POLL_MILLIS, SETTLE_MILLIS = 20, 50
BATCH_ENTRIES = 10000
CROWD_IDLE, CROWD_SLOW = 1000, 200
FRESH_CONNECTIONS = 100
MANY_IDLE = 10000
FILE_ANSWERS = 1000
STARTS = 5
INQUIRIES = "/api/v1/eligibility/inquiries"
BATCHES = "/api/v1/eligibility/batches"
REPORT = os.path.join(harness.SOURCE, "build", "bench", "report.txt")


class BenchError(Exception):
    pass


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# --- small HTTP client that keeps the exact bytes -------------------------------------------------

def http_call(port, method, path, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict((k.lower(), v) for k, v in res.getheaders()), res.read()
    finally:
        conn.close()


def metrics(gateway):
    status, _, payload = http_call(gateway.http_port, "GET", "/metrics", headers={"Authorization": "Bearer " + gateway.token})
    if status != 200:
        raise BenchError("/metrics answered %d: %r" % (status, payload[:200]))
    out = {}
    for line in payload.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise BenchError("no VmRSS for pid %d" % pid)


# --- wrk -------------------------------------------------------------------------------------------

def lua_long_string(s):
    level = 0
    while ("]" + "=" * level + "]") in s:
        level += 1
    return "[" + "=" * level + "[" + s + "]" + "=" * level + "]"


def write_post_script(path, body, token):
    with open(path, "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write("wrk.body = %s\n" % lua_long_string(body))
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write('wrk.headers["Authorization"] = "Bearer %s"\n' % token)


def to_ms(value):
    m = re.match(r"^([\d.]+)(us|ms|s|m)$", value)
    if not m:
        raise BenchError("unreadable wrk latency " + value)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def run_wrk(port, script, seconds, what):
    cmd = ["wrk", "-t%d" % WRK_THREADS, "-c%d" % WRK_CONNECTIONS, "-d%ds" % seconds, "--latency", "-s", script,
           "http://127.0.0.1:%d%s" % (port, INQUIRIES)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    if out.returncode != 0:
        raise BenchError("wrk against %s failed (%d): %s" % (what, out.returncode, out.stderr.strip()))
    text = out.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50(?:\.0+)?%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99(?:\.0+)?%\s+(\S+)", text, re.M)
    total = re.search(r"(\d+) requests in", text)
    if not (rps and p50 and p99 and total):
        raise BenchError("unreadable wrk output for %s:\n%s" % (what, text))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: (.*)", text)
    result = {"rps": float(rps.group(1)), "p50": to_ms(p50.group(1)), "p99": to_ms(p99.group(1)),
              "requests": int(total.group(1)), "non2xx": int(non2xx.group(1)) if non2xx else 0,
              "socket_errors": sock.group(1).strip() if sock else "none", "raw": text}
    if result["non2xx"]:
        raise BenchError("%s answered %d of %d requests with a non-2xx status:\n%s"
                         % (what, result["non2xx"], result["requests"], text))
    return result


def measure(port, script, what):
    log("wrk warm-up %ds against %s" % (WARMUP_SECONDS, what))
    run_wrk(port, script, WARMUP_SECONDS, what)
    log("wrk %ds against %s" % (WRK_SECONDS, what))
    r = run_wrk(port, script, WRK_SECONDS, what)
    log("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, socket errors: %s"
        % (what, r["rps"], r["p50"], r["p99"], r["socket_errors"]))
    return r


def fresh_connections(port, body, headers, count, spacing):
    """Milliseconds from connect to the whole answer, for `count` new connections made one after another."""
    times = []
    for _ in range(count):
        t0 = time.monotonic()
        status, _, _ = http_call(port, "POST", INQUIRIES, body, headers, timeout=30)
        times.append((time.monotonic() - t0) * 1000.0)
        if status != 200:
            raise BenchError("a fresh connection was answered %d" % status)
        time.sleep(spacing)
    return times


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def measure_crowded(port, script, body, headers, what):
    """The same wrk run while the crowd is connected, and fresh connections timed during it."""
    crowd = Crowd(port, idle=CROWD_IDLE, slow=CROWD_SLOW).start()
    try:
        log("crowd in: %d idle + %d slow-header connections on %s" % (CROWD_IDLE, CROWD_SLOW, what))
        run_wrk(port, script, WARMUP_SECONDS, what)
        fresh = {}

        def probe():
            try:
                fresh["ms"] = fresh_connections(port, body, headers, FRESH_CONNECTIONS,
                                                (WRK_SECONDS - 2) / float(FRESH_CONNECTIONS))
            except Exception as e:  # noqa: BLE001 -- reported below, with the wrk result
                fresh["error"] = e
        t = threading.Thread(target=probe)
        t.start()
        r = run_wrk(port, script, WRK_SECONDS, what + " (crowded)")
        t.join(WRK_SECONDS + 60)
        if "error" in fresh or "ms" not in fresh:
            raise BenchError("fresh connections to %s failed: %s" % (what, fresh.get("error", "no answer")))
        r["fresh_p50"], r["fresh_p99"] = percentile(fresh["ms"], 50), percentile(fresh["ms"], 99)
    finally:
        r_crowd = crowd.stop()
    r["crowd"] = r_crowd
    log("%s crowded: %.0f req/s, p99 %.2f ms; fresh connections p50 %.2f ms p99 %.2f ms; crowd %r"
        % (what, r["rps"], r["p99"], r["fresh_p50"], r["fresh_p99"], r_crowd))
    return r


# --- nginx -----------------------------------------------------------------------------------------

def nginx_quote(body):
    """The body as a single-quoted nginx string: \\ and ' escaped, $ through a variable that holds '$'."""
    text = body.decode("utf-8")
    text = text.replace("\\", "\\\\").replace("'", "\\'").replace("$", "${bench_dollar}")
    return "'" + text + "'"


class Nginx:
    def __init__(self, prefix, body, content_type):
        self.prefix = prefix
        self.port = free_port()
        self.proc = None
        os.makedirs(os.path.join(prefix, "temp"), exist_ok=True)
        self.conf = os.path.join(prefix, "nginx.conf")
        temps = "".join("    %s_temp_path %s;\n" % (k, os.path.join(prefix, "temp", k))
                        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = ("worker_processes 1;\n"
                "pid %(p)s/nginx.pid;\n"
                "error_log %(p)s/error.log warn;\n"
                "events { worker_connections 4096; }\n"
                "http {\n"
                "    access_log off;\n"
                "    keepalive_requests 100000;\n"
                "    keepalive_timeout 65;\n"
                "%(temps)s"
                "    geo $bench_dollar { default \"$\"; }\n"
                "    server {\n"
                "        listen 127.0.0.1:%(port)d;\n"
                "        location / {\n"
                "            default_type \"%(ctype)s\";\n"
                "            add_header X-Content-Type-Options nosniff;\n"
                "            add_header Cache-Control no-store;\n"
                "            return 200 %(body)s;\n"
                "        }\n"
                "    }\n"
                "}\n") % {"p": prefix, "temps": temps, "port": self.port, "ctype": content_type,
                          "body": nginx_quote(body)}
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        args = ["nginx", "-p", self.prefix, "-c", self.conf, "-e", os.path.join(self.prefix, "error.log"),
                "-g", "daemon off; master_process on;"]
        self.log = open(os.path.join(self.prefix, "stderr.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)

        def up():
            if self.proc.poll() is not None:
                raise BenchError("nginx exited with %s: %s" % (self.proc.returncode, self.errors()))
            try:
                http_call(self.port, "GET", "/", timeout=1)
                return True
            except OSError:
                return False
        wait_until(up, 10, "nginx to listen", 0.02)
        return self

    def errors(self):
        out = ""
        for name in ("stderr.log", "error.log"):
            path = os.path.join(self.prefix, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out += f.read()[-2000:].decode("utf-8", "replace")
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: the master stops its worker, then itself
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None


# --- the measurements ------------------------------------------------------------------------------

def cached_inquiry(gateway, sim, workdir, results):
    person = sim.persons(1, validity="1")
    if not person:
        raise BenchError("the simulator has no findable person")
    body = json.dumps(inquiry_json(person[0])).encode()
    headers = {"Authorization": "Bearer " + gateway.token, "Content-Type": "application/json"}
    answers = []
    for i in range(3):
        status, h, payload = http_call(gateway.http_port, "POST", INQUIRIES, body, headers)
        if status != 200:
            raise BenchError("inquiry %d answered %d: %r" % (i + 1, status, payload[:300]))
        answers.append((h, payload))
    if json.loads(answers[0][1])["source"] != "live":
        raise BenchError("the first inquiry was not answered live")
    for h, payload in answers[1:]:
        if json.loads(payload)["source"] != "cache":
            raise BenchError("a repeated inquiry was not answered from the cache")
    cached_headers, cached = answers[1]
    results["body_stable"] = answers[1][1] == answers[2][1]
    results["body_bytes"] = len(cached)
    live_before = metrics(gateway).get("kakehashi_eligibility_live_total", 0)

    script = os.path.join(workdir, "post.lua")
    write_post_script(script, body.decode(), gateway.token)
    results["gw"] = measure(gateway.http_port, script, "kakehashi")
    results["gw_crowded"] = measure_crowded(gateway.http_port, script, body, headers, "kakehashi")
    results["rss_after_load"] = rss_mb(gateway.proc.pid)
    live_after = metrics(gateway).get("kakehashi_eligibility_live_total", 0)
    if live_after != live_before:
        raise BenchError("the load run went upstream (%d live answers): not a cached measurement"
                         % (live_after - live_before))

    nginx = Nginx(os.path.join(workdir, "nginx"), cached, cached_headers.get("content-type", "application/json"))
    try:
        nginx.start()
        status, h, payload = http_call(nginx.port, "POST", INQUIRIES, body, headers)
        if status != 200 or payload != cached or h.get("content-length") != cached_headers.get("content-length"):
            raise BenchError("nginx does not return the same bytes (status %d, Content-Length %s vs %s)"
                             % (status, h.get("content-length"), cached_headers.get("content-length")))
        results["ngx"] = measure(nginx.port, script, "nginx")
        results["ngx_crowded"] = measure_crowded(nginx.port, script, body, headers, "nginx")
    finally:
        nginx.stop()


def many_idle(gateway, results):
    """10,000 idle keep-alive connections: every one answered once, the gateway's RSS with them all open, and a
    new request still answered."""
    allow_descriptors(MANY_IDLE + 512)
    crowd = Crowd(gateway.http_port, idle=MANY_IDLE).start(timeout=120)
    try:
        results["many_idle_rss"] = rss_mb(gateway.proc.pid)
        t0 = time.monotonic()
        status, _, _ = http_call(gateway.http_port, "GET", "/healthz", timeout=30)
        results["many_idle_answer_ms"] = (time.monotonic() - t0) * 1000.0
        results["many_idle_status"] = status
    finally:
        results["many_idle_crowd"] = crowd.stop()
    log("%d idle connections: RSS %.1f MB, a new request answered %d in %.2f ms"
        % (MANY_IDLE, results["many_idle_rss"], results["many_idle_status"], results["many_idle_answer_ms"]))


def file_channel_latency(gateway, person, results):
    """Rename of a complete request file into req/ → its result file in res/, for a person the cache holds."""
    req = os.path.join(gateway.share, "req")
    res = os.path.join(gateway.share, "res")
    os.makedirs(req, exist_ok=True)
    times = []
    for i in range(FILE_ANSWERS):
        file_id = "L%011d" % i
        name = "OQSsiquc01req_%s.xml" % file_id
        hidden = os.path.join(req, "." + name)
        with open(hidden, "wb") as f:
            f.write(single_request(person, file_id))
        answer = os.path.join(res, "OQSsiquc01res_%s.xml" % file_id)
        t0 = time.monotonic()
        os.rename(hidden, os.path.join(req, name))
        deadline = t0 + 30
        while not os.path.exists(answer):
            if time.monotonic() > deadline:
                raise BenchError("no answer to %s within 30 s" % name)
            time.sleep(0.0005)
        times.append((time.monotonic() - t0) * 1000.0)
    results["file_p50"], results["file_p99"] = statistics.median(times), percentile(times, 99)
    log("file channel, %d cached answers: median %.1f ms, p99 %.1f ms" % (FILE_ANSWERS, results["file_p50"], results["file_p99"]))


def wait_queue_empty(gateway, timeout):
    """Let upstream work from an earlier step drain, so it does not share the CPU with the next one."""
    t0 = time.time()
    while time.time() < t0 + timeout:
        depth = metrics(gateway).get("kakehashi_outbound_queue_depth", 0)
        if depth == 0:
            log("outbound queue empty after %.1f s" % (time.time() - t0))
            return True
        time.sleep(0.2)
    return False


def batch_http(gateway, persons, results):
    entries = [inquiry_json(p, "E%05d" % i) for i, p in enumerate(persons)]
    body = json.dumps({"entries": entries}).encode()
    headers = {"Authorization": "Bearer " + gateway.token, "Content-Type": "application/json",
               "Idempotency-Key": "bench-" + uuid.uuid4().hex}
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", gateway.http_port, timeout=60)
    try:
        conn.request("POST", BATCHES, body=body, headers=headers)
        res = conn.getresponse()
        elapsed = time.monotonic() - t0
        payload = res.read()
    finally:
        conn.close()
    if res.status != 202:
        raise BenchError("the batch was answered %d: %r" % (res.status, payload[:300]))
    results["batch_http"] = elapsed
    results["batch_http_mb"] = len(body) / 1e6
    log("batch of %d over HTTP: 202 after %.3f s (%.1f MB body)" % (len(entries), elapsed, len(body) / 1e6))


def batch_file(gateway, persons, results):
    file_id = "BENCH%d" % int(time.time())
    data = batch_upload(persons, file_id)
    name = "OQSmuquc01req_%s.xml" % file_id
    req = os.path.join(gateway.share, "req")
    res = os.path.join(gateway.share, "res", "OQSmuquc01res_%s.xml" % file_id)
    os.makedirs(req, exist_ok=True)
    hidden = os.path.join(req, "." + name)  # hidden names are never taken: the file is complete at the rename
    with open(hidden, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(hidden, os.path.join(req, name))
    t0 = time.monotonic()
    deadline = t0 + 60
    while not os.path.exists(res):
        if time.monotonic() > deadline:
            raise BenchError("no %s within 60 s" % os.path.basename(res))
        if not gateway.alive():
            raise BenchError("the gateway died during the file batch")
        time.sleep(0.005)
    elapsed = time.monotonic() - t0
    err = os.path.join(gateway.share, "res", "OQSmuquc01req_%s.err" % file_id)
    if os.path.exists(err):
        raise BenchError("the batch file was rejected")
    with open(res, "rb") as f:
        answer = harness.parse(f.read())
    if not harness.text(answer, "MessageBody/ReceptionNumber"):
        raise BenchError("no reception number in " + os.path.basename(res))
    results["batch_file"] = elapsed
    results["batch_file_mb"] = len(data) / 1e6
    log("batch of %d via file: result after %.3f s (%.1f MB file)" % (len(persons), elapsed, len(data) / 1e6))


def start_to_ready(gateway, results):
    times = []
    for i in range(STARTS):
        t0 = time.monotonic()
        gateway.start(wait=False)
        deadline = t0 + 20
        while True:
            if gateway.proc.poll() is not None:
                raise BenchError("the gateway exited during start %d: %s" % (i + 1, gateway.tail_log()))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", gateway.http_port, timeout=2)
                conn.request("GET", "/readyz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("the gateway was not ready within 20 s")
            time.sleep(0.005)
        times.append(time.monotonic() - t0)
        if gateway.stop() != 0:
            raise BenchError("the gateway did not exit cleanly on SIGTERM")
    results["ready_all"] = times
    results["ready"] = statistics.median(times)
    log("start-to-ready: " + ", ".join("%.3f" % t for t in times))


def adapter_cost(results):
    """Lua adapter (csv-sjis) over the native spec-XML path, per message: decode one inquiry, encode one answer."""
    binary = os.path.join(harness.SOURCE, "build", "tests", "bench", "kakehashi-bench-adapter")
    if not os.path.exists(binary):
        raise BenchError("missing " + binary + " (scripts/build)")
    out = subprocess.run([binary, os.path.join(harness.SOURCE, "plugins"), "20000"], check=True,
                         capture_output=True, text=True).stdout
    values = dict(line.split() for line in out.strip().splitlines())
    results["lua_us"] = float(values["lua_adapter_us"])
    results["native_us"] = float(values["native_spec_xml_us"])
    results["lua_over_us"] = float(values["lua_over_native_us"])
    log("adapter cost: lua %.2f us, native %.2f us per message" % (results["lua_us"], results["native_us"]))


# --- the report ------------------------------------------------------------------------------------

def table(r):
    gw, ngx, gwc, ngxc = r["gw"], r["ngx"], r["gw_crowded"], r["ngx_crowded"]
    rps_ratio = gw["rps"] / ngx["rps"]
    p99_ratio = gw["p99"] / ngx["p99"]
    file_net = r["batch_file"] - SETTLE_MILLIS / 1000.0

    def verdict(ok):
        return "PASS" if ok else "MISS"
    rows = [
        ("cached inquiry req/s", "%.0f" % gw["rps"], "%.0f" % ngx["rps"], "%.2f" % rps_ratio, ">= 0.5",
         verdict(rps_ratio >= 0.5)),
        ("cached inquiry p50 ms", "%.2f" % gw["p50"], "%.2f" % ngx["p50"], "%.2f" % (gw["p50"] / ngx["p50"]), "", ""),
        ("cached inquiry p99 ms", "%.2f" % gw["p99"], "%.2f" % ngx["p99"], "%.2fx" % p99_ratio, "<= 2.0x",
         verdict(p99_ratio <= 2.0)),
        ("crowded: cached inquiry req/s", "%.0f" % gwc["rps"], "%.0f" % ngxc["rps"], "%.2f" % (gwc["rps"] / ngxc["rps"]),
         ">= 0.5", verdict(gwc["rps"] / ngxc["rps"] >= 0.5)),
        ("crowded: cached inquiry p99 ms", "%.2f" % gwc["p99"], "%.2f" % ngxc["p99"], "%.2fx" % (gwc["p99"] / ngxc["p99"]),
         "<= 2.0x", verdict(gwc["p99"] / ngxc["p99"] <= 2.0)),
        ("crowded: new connection p99 ms", "%.2f" % gwc["fresh_p99"], "%.2f" % ngxc["fresh_p99"], "", "<= 50",
         verdict(gwc["fresh_p99"] <= 50)),
        ("10k idle connections: RSS MB", "%.1f" % r["many_idle_rss"], "", "", "<= 150",
         verdict(r["many_idle_rss"] <= 150 and r["many_idle_status"] == 200)),
        ("10k idle: new request answered ms", "%.2f" % r["many_idle_answer_ms"], "", "", "answers",
         verdict(r["many_idle_status"] == 200)),
        ("file channel cached, median ms", "%.1f" % r["file_p50"], "", "", "<= 50", verdict(r["file_p50"] <= 50)),
        ("file channel cached, p99 ms", "%.1f" % r["file_p99"], "", "", "<= 200", verdict(r["file_p99"] <= 200)),
        ("batch 10k decode..enqueue (HTTP) s", "%.3f" % r["batch_http"], "", "", "<= 1 s", verdict(r["batch_http"] <= 1.0)),
        ("batch 10k via file (incl. settle) s", "%.3f" % r["batch_file"], "", "", "", ""),
        ("batch 10k via file (minus settle) s", "%.3f" % file_net, "", "", "<= 1 s", verdict(file_net <= 1.0)),
        ("idle RSS MB", "%.1f" % r["rss_idle"], "", "", "<= 40", verdict(r["rss_idle"] <= 40)),
        ("RSS after load MB", "%.1f" % r["rss_after_load"], "", "", "", ""),
        ("start-to-ready s (median of 5)", "%.3f" % r["ready"], "", "", "<= 0.5", verdict(r["ready"] <= 0.5)),
        ("Lua adapter per message us", "%.1f" % r["lua_us"], "%.1f (native)" % r["native_us"], "", "", ""),
        ("Lua adapter over native us", "%.1f" % r["lua_over_us"], "", "", "<= 20", verdict(r["lua_over_us"] <= 20)),
    ]
    widths = (38, 11, 17, 8, 10, 6)
    head = ("metric", "kakehashi", "baseline(nginx)", "ratio", "target", "result")

    def line(cols):
        return "".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()
    out = ["Kakehashi benchmark (%d cores, wrk -t%d -c%d -d%ds, 127.0.0.1)"
           % (os.cpu_count(), WRK_THREADS, WRK_CONNECTIONS, WRK_SECONDS), line(head)]
    out += [line(row) for row in rows]
    out += [
        "",
        "notes:",
        "- nginx: worker_processes 1, access_log off, keepalive_requests 100000, `return 200` of the gateway's "
        "cached answer (%d bytes, Content-Length and body checked identical); the gateway is one process with "
        "its default HTTP workers (16, for handlers that block: the journal's group commit, the store), "
        "logLevel warn." % r["body_bytes"],
        "- wrk: %d/%d requests (gateway/nginx), no non-2xx; socket errors gateway: %s; nginx: %s; "
        "2 s warm-up before each run." % (gw["requests"], ngx["requests"], gw["socket_errors"], ngx["socket_errors"]),
        "- cached answer bytes %s between two requests." % ("identical" if r["body_stable"] else "DIFFER"),
        "- crowded: %d idle keep-alive connections (one /healthz each, then silent) and %d that send a request "
        "head one byte every 2 s, reopened whenever the server closes them; the gateway's per-address cap raised "
        "for the run (every connection comes from 127.0.0.1). Closed by the server during the runs: gateway %s; "
        "nginx %s." % (CROWD_IDLE, CROWD_SLOW, gwc["crowd"], ngxc["crowd"]),
        "- new connection: %d fresh connections, one cached inquiry each, spread over the crowded wrk run "
        "(p50 gateway %.2f ms, nginx %.2f ms)." % (FRESH_CONNECTIONS, gwc["fresh_p50"], ngxc["fresh_p50"]),
        "- 10k idle: %d keep-alive connections each answered once and held open (%r)."
        % (MANY_IDLE, r["many_idle_crowd"]),
        "- file channel: %d single requests for a cached person, each written under a hidden name and renamed "
        "into req/; timed from the rename to the result file's appearance in res/ (polled every 0.5 ms)." % FILE_ANSWERS,
        "- batch over HTTP: send of %.1f MB JSON -> 202 (the batch is durable by then)." % r["batch_http_mb"],
        "- batch via file: %.1f MB XML, file complete (rename into req/) -> OQSmuquc01res in res/; includes the "
        "settle delay (settleMillis %d) and up to one poll interval (pollMillis %d)."
        % (r["batch_file_mb"], SETTLE_MILLIS, POLL_MILLIS),
        "- start-to-ready runs (s): %s; state dir from this run (journal of the load run, two batches)."
        % ", ".join("%.3f" % t for t in r["ready_all"]),
        "- adapter cost: csv-sjis (Lua) vs the native spec XML codec, one inquiry decoded and one answer encoded "
        "per message, 20,000 messages, one thread.",
        "- load average at start: %s (the machine may be shared)." % r["loadavg"],
    ]
    return "\n".join(out) + "\n"


def main():
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise BenchError(tool + " is not installed (scripts/bootstrap installs it)")
    for binary in (harness.KAKEHASHI_BIN, harness.SIM_BIN):
        if not os.path.exists(binary):
            raise BenchError("missing " + binary + " (scripts/build)")
    results = {"loadavg": " ".join(open("/proc/loadavg").read().split()[:3])}
    workdir = tempfile.mkdtemp(prefix="kakehashi-bench-")
    sim = gateway = None
    ok = False
    try:
        sim = CentralSim(workdir, population=BATCH_ENTRIES).start()
        # Every bench connection comes from 127.0.0.1: the per-address cap (256 by default) is lifted.
        gateway = Gateway(workdir, sim, logLevel="warn", http={"maxConnectionsPerAddress": MANY_IDLE + 1000},
                          fileDrop={"pollMillis": POLL_MILLIS, "settleMillis": SETTLE_MILLIS})
        gateway.start()
        time.sleep(2)
        results["rss_idle"] = rss_mb(gateway.proc.pid)
        log("idle RSS %.1f MB" % results["rss_idle"])

        cached_inquiry(gateway, sim, workdir, results)
        many_idle(gateway, results)
        file_channel_latency(gateway, sim.persons(1, validity="1")[0], results)

        persons = sim.persons(BATCH_ENTRIES)
        if len(persons) < BATCH_ENTRIES:
            raise BenchError("the simulator has only %d persons" % len(persons))
        batch_http(gateway, persons, results)
        if not wait_queue_empty(gateway, 30):
            log("outbound queue not empty after 30 s; the file batch shares the CPU with it")
        batch_file(gateway, persons, results)

        if gateway.stop() != 0:
            raise BenchError("the gateway did not exit cleanly on SIGTERM")
        start_to_ready(gateway, results)
        adapter_cost(results)
        ok = True
    finally:
        if gateway is not None and gateway.alive():
            try:
                gateway.stop()
            except AssertionError:
                pass
        if sim is not None:
            sim.stop()
        if ok and os.environ.get("KAKEHASHI_KEEP_BENCH_DIRS") is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log("kept " + workdir)
        if harness._CERTS:
            shutil.rmtree(harness._CERTS, ignore_errors=True)

    report = table(results)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w") as f:
        f.write(report)
    print(report, end="")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: stop what was started
    try:
        sys.exit(main())
    except (BenchError, AssertionError, OSError, subprocess.SubprocessError) as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)

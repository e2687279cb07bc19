"""Vendor adapter plugins end to end: each shipped adapter takes its vendor format in, goes through the
simulator over mutual TLS, and answers in the vendor's format; hostile plugins (pattern bombs included)
are contained with clear errors while other channels keep answering, and a plugin answers again after a
timeout; SIGTERM stops the gateway at once even while a pattern bomb runs; a tampered plugin is refused
and works again after a fix and a reload, without a restart."""
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from harness import (KAKEHASHI_BIN, SOURCE, IntegrationTest, inquiry_json, main, parse, single_request, text,
                     wait_until)

# A backtracking bomb driven by '?' on a 60-byte subject: 2^60 steps without a step budget.
BOMB = "string.rep('a', 60):match(string.rep('a?', 60) .. string.rep('a', 60))"

HOSTILE = {
    # name: (decode_request body, expected error code in the .err file)
    "hostile-loop": ("while true do end", "KKH-E4002"),
    "hostile-memory": ("local t = {} while true do t[#t + 1] = string.rep('x', 4096) .. #t end", "KKH-E4003"),
    "hostile-strrep": ("return { entries = { string.rep('x', 1 << 40) } }", "KKH-E4003"),
    "hostile-exec": ("os.execute('touch /tmp/kakehashi-pwned') return { entries = {} }", "KKH-E4001"),
    "hostile-io": ("io.open('/etc/passwd') return { entries = {} }", "KKH-E4001"),
    "hostile-ffi": ("require('ffi') return { entries = {} }", "KKH-E4001"),
    "hostile-bytecode": ("load(string.dump(function() end))() return { entries = {} }", "KKH-E4001"),
    "hostile-throws": ("error('boom') ", "KKH-E4001"),
    "hostile-badreturn": ("return 42", "KKH-E4001"),
    # Pattern matching counts its steps against the budget and the deadline: a bomb of any quantifier,
    # on a short subject or a long one, caught with pcall or not, ends as a timeout.
    "hostile-pattern": ("string.find(string.rep('a', 2000), '.-.-.-b') return { entries = {} }", "KKH-E4002"),
    "hostile-pattern-long": ("string.rep('a', 1000000):find('a*b') return { entries = {} }", "KKH-E4002"),
    "hostile-pattern-optional": (BOMB + " return { entries = {} }", "KKH-E4002"),
    "hostile-pattern-short": ("string.rep('a', 40):find(string.rep('a-', 20) .. 'b') return { entries = {} }",
                              "KKH-E4002"),
    "hostile-pattern-caught": ("pcall(string.match, string.rep('a', 60), string.rep('a?', 60) .. "
                               "string.rep('a', 60)) return { entries = {} }", "KKH-E4002"),
}

# An HTTP-bound plugin that runs BOMB when the request body says "bomb" and answers {"fine": true} otherwise;
# it logs "bomb-started" first, so a test can wait for the bomb to be running.
BOMB_HTTP = ("if msg.body == 'bomb' then kakehashi.log.info('bomb-started') " + BOMB + " end return { entries = {} }",
             "return { { name = 'reply', body = '{\"fine\":true}', contentType = 'application/json' } }")


def write_bomb_plugin(root, pid):
    write_plugin(root, pid, *BOMB_HTTP, channels=[{"type": "http", "route": "bomb"}], log_messages=["bomb-started"])


def write_plugin(root, pid, decode_body, encode_body="return {}", settings_schema=None, channels=None,
                 log_messages=None):
    d = os.path.join(root, pid)
    os.makedirs(d, exist_ok=True)
    manifest = {"id": pid, "name": pid, "version": "0.0.1", "apiLevel": 1, "kind": "adapter", "entry": "adapter.lua",
                "channels": channels or [{"type": "file", "folder": pid, "pattern": "*.txt"}]}
    if settings_schema:
        manifest["settings"] = settings_schema
    if log_messages:
        manifest["logMessages"] = log_messages
    with open(os.path.join(d, "plugin.json"), "w") as f:
        json.dump(manifest, f)
    with open(os.path.join(d, "adapter.lua"), "w") as f:
        f.write("local M = {}\nfunction M.decode_request(msg, ctx)\n%s\nend\n"
                "function M.encode_result(result, ctx)\n%s\nend\nreturn M\n" % (decode_body, encode_body))


class Callback(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Callback.received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class PluginTest(IntegrationTest):
    def setUp(self):
        self.root = None
        self.callback = http.server.HTTPServer(("127.0.0.1", 0), Callback)
        threading.Thread(target=self.callback.serve_forever, daemon=True).start()
        Callback.received = []
        workdir_plugins = os.path.join("/tmp", "kakehashi-plugins-%d" % os.getpid())
        shutil.rmtree(workdir_plugins, ignore_errors=True)
        shutil.copytree(os.path.join(SOURCE, "plugins"), workdir_plugins)
        for pid, (body, _) in HOSTILE.items():
            write_plugin(workdir_plugins, pid, body)
        write_plugin(workdir_plugins, "hostile-secret", "return { entries = {} }",
                     "return { { name = 'seen.txt', body = tostring(kakehashi.settings.apiKey) .. ',' "
                     "..tostring(kakehashi.settings.region) } }",
                     {"type": "object", "properties": {"apiKey": {"type": "string", "secret": True},
                                                        "region": {"type": "string"}}})
        write_bomb_plugin(workdir_plugins, "hostile-pattern-http")
        keys = workdir_plugins + "-keys"
        os.makedirs(keys, exist_ok=True)
        subprocess.run([KAKEHASHI_BIN, "plugin", "keygen", keys + "/vendor.key", keys + "/vendor.pub"],
                       check=True, capture_output=True)
        for pid in os.listdir(workdir_plugins):
            if os.path.isdir(os.path.join(workdir_plugins, pid)):
                subprocess.run([KAKEHASHI_BIN, "plugin", "sign", os.path.join(workdir_plugins, pid), "--key",
                                keys + "/vendor.key"], check=True, capture_output=True)
        self.root = workdir_plugins
        order = ["csv-sjis", "fixed-width", "json-webhook", "hostile-secret", "hostile-pattern-http"] + list(HOSTILE)
        self.gateway_options = {"plugins": {
            "root": workdir_plugins, "order": order, "trustedKeys": [keys + "/vendor.pub"],
            "limits": {"deadlineMillis": 500, "memoryBytes": 16 * 1024 * 1024},
            "settings": {
                "json-webhook": {"callbackUrl": "http://127.0.0.1:%d/results" % self.callback.server_port,
                                 "callbackToken": "callback-secret-0123456789"},
                "hostile-secret": {"apiKey": "TOP-SECRET-KEY", "region": "kanto"}}}}
        super().setUp()

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            self.callback.shutdown()
            self.callback.server_close()
            if self.root:
                shutil.rmtree(self.root, ignore_errors=True)
                shutil.rmtree(self.root + "-keys", ignore_errors=True)

    def vendor_dir(self, folder, sub):
        return os.path.join(self.gateway.share, folder, sub)

    def drop_vendor(self, folder, name, data):
        d = self.vendor_dir(folder, "in")
        wait_until(lambda: os.path.isdir(d), 10, "the vendor folder " + folder)
        with open(os.path.join(d, "." + name), "wb") as f:
            f.write(data)
        os.rename(os.path.join(d, "." + name), os.path.join(d, name))

    def vendor_result(self, folder, name, timeout=30):
        path = os.path.join(self.vendor_dir(folder, "out"), name)
        wait_until(lambda: os.path.exists(path), timeout, "vendor result " + name)
        with open(path, "rb") as f:
            return f.read()

    def plugin_states(self):
        status, body, _ = self.gateway.request("GET", "/api/v1/plugins")
        self.assertEqual(status, 200)
        return {p["id"]: p for p in body["plugins"]}

    def test_shipped_adapters_answer_live_data(self):
        ps = self.persons(3, validity="1")

        def wareki(d):
            y, m, dd = int(d[:4]), int(d[4:6]), int(d[6:])
            for era, start in (("R", 2019), ("H", 1989), ("S", 1926)):
                if (y, m, dd) >= {"R": (2019, 5, 1), "H": (1989, 1, 8), "S": (1926, 12, 25)}[era]:
                    return "%s%d.%d.%d" % (era, y - start + 1, m, dd)
            raise ValueError(d)
        csv = ["患者番号,保険者番号,記号,番号,枝番,生年月日"] + [
            "K%03d,%s,%s,%s,%s,%s" % (i, p["insurerNumber"].strip(), p["cardSymbol"], p["cardNumber"], p["branchNumber"],
                                      wareki(p["birthDate"])) for i, p in enumerate(ps)]
        csv.append("K999,01130013,,1,,S55.1.1")  # a wrong check digit: answered with an error, never sent
        self.drop_vendor("csv-sjis", "live.csv", ("\r\n".join(csv) + "\r\n").encode("cp932"))
        rows = self.vendor_result("csv-sjis", "live_result.csv").decode("cp932").strip().split("\r\n")
        self.assertEqual(len(rows), 5)
        for i, p in enumerate(ps):
            cells = rows[i + 1].split(",")
            self.assertEqual((cells[0], cells[1], cells[3]), ("K%03d" % i, "有効", p["name"]))
        self.assertEqual(rows[4].split(",")[:2], ["K999", "エラー"])

        def record(i, p):
            def pad(s, w, right=False):
                b = s.encode("cp932")[:w]
                return (b" " * (w - len(b)) + b) if right else (b + b" " * (w - len(b)))
            return (pad("F%03d" % i, 10) + pad(p["insurerNumber"].strip(), 8, True) + pad(p["cardSymbol"], 20) +
                    pad(p["cardNumber"], 20) + pad(p["branchNumber"], 2) + pad(p["birthDate"], 8))
        self.drop_vendor("fixed-width", "RECEPT02.dat", b"\r\n".join(record(i, p) for i, p in enumerate(ps)) + b"\r\n")
        out = self.vendor_result("fixed-width", "RECEPT02.res").split(b"\r\n")
        for i, p in enumerate(ps):
            self.assertEqual(out[i][:12], ("F%03d" % i).encode().ljust(10) + b"01")
            self.assertEqual(out[i][16:46].decode("cp932").strip(), p["nameKana"])

        request = {"requestId": "chart-1", "patients": [
            {"patientId": "W%d" % i, "insurer": p["insurerNumber"].strip(), "symbol": p["cardSymbol"],
             "number": p["cardNumber"], "branch": p["branchNumber"],
             "birthday": "%s-%s-%s" % (p["birthDate"][:4], p["birthDate"][4:6], p["birthDate"][6:])}
            for i, p in enumerate(ps)]}
        status, body, _ = self.gateway.request("POST", "/api/v1/adapters/json-webhook/inquiries", request)
        self.assertEqual(status, 202, body)
        auth, pushed = wait_until(lambda: Callback.received and Callback.received[0], 30, "the webhook push")
        self.assertEqual(auth, "Bearer callback-secret-0123456789")
        self.assertEqual(pushed["requestId"], "chart-1")
        self.assertEqual([r["name"] for r in pushed["results"]], [p["name"] for p in ps])
        self.assertTrue(all(r["eligible"] for r in pushed["results"]))
        acted = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry" and r["acted"]]
        self.assertEqual(len(acted), 3, "the CSV went live; the fixed-width and webhook answers came from the cache")

    def test_hostile_plugins_are_contained_and_other_channels_keep_answering(self):
        p = self.persons(1, validity="1")[0]
        states = self.plugin_states()
        for pid in list(HOSTILE) + ["hostile-secret"]:
            self.assertEqual(states[pid]["state"], "enabled", states[pid])
        stop = threading.Event()
        failures = []

        def keep_asking():
            while not stop.is_set():
                s, _, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
                if s != 200:
                    failures.append(s)
                time.sleep(0.05)
        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            for pid in HOSTILE:
                self.drop_vendor(pid, "x.txt", b"anything")
            for pid, (_, code) in HOSTILE.items():
                err = self.vendor_result(pid, "x.err").decode()
                # The code exactly: a neighbouring code (another limit) would mean the wrong guard stopped it.
                self.assertEqual(err.split(" ", 1)[0], code, "%s: %s" % (pid, err))
            self.gateway.drop("OQSsiquc01req_202611250400.xml", single_request(p, "202611250400"))
            root = parse(self.gateway.result("OQSsiquc01res_202611250400.xml"))
            self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")
        finally:
            stop.set()
            asker.join()
        self.assertEqual(failures, [], "the HTTP API must keep answering while plugins misbehave")
        self.assertFalse(os.path.exists("/tmp/kakehashi-pwned"))
        self.assertTrue(self.gateway.alive())
        self.drop_vendor("hostile-secret", "s.txt", b"")
        self.assertEqual(self.vendor_result("hostile-secret", "seen.txt"), b"nil,kanto")
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            self.assertNotIn("TOP-SECRET-KEY", f.read())

    def test_a_plugin_answers_again_after_a_pattern_bomb_times_out(self):
        p = self.persons(1, validity="1")[0]
        stop = threading.Event()
        answered, failures = [], []

        def keep_asking():
            while not stop.is_set():
                s, _, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
                (answered if s == 200 else failures).append(s)
        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            for _ in range(2):
                seen = len(answered)
                status, body, _ = self.gateway.request("POST", "/api/v1/adapters/hostile-pattern-http/bomb",
                                                       raw=b"bomb", headers={"Content-Type": "text/plain"})
                self.assertEqual(status, 504, body)
                self.assertIn("plugin-timeout", body["type"])
                wait_until(lambda: len(answered) > seen, 10, "the HTTP API to answer after the bomb")
                status, body, _ = self.gateway.request("POST", "/api/v1/adapters/hostile-pattern-http/bomb",
                                                       raw=b"fine", headers={"Content-Type": "text/plain"})
                self.assertEqual((status, body), (200, {"fine": True}), "the plugin's next call must work")
        finally:
            stop.set()
            asker.join()
        self.assertEqual(failures, [], "the HTTP API must keep answering while a plugin's pattern runs")
        self.assertTrue(self.gateway.alive())

    def test_tampered_plugin_is_refused_and_works_again_after_fix_and_reload(self):
        adapter = os.path.join(self.root, "csv-sjis", "adapter.lua")
        with open(adapter, "rb") as f:
            original = f.read()
        with open(adapter, "wb") as f:
            f.write(original.replace(b"local M = {}", b"local M = {} "))  # one byte more
        self.gateway.proc.send_signal(signal.SIGHUP)
        state = wait_until(lambda: (lambda s: s if s["state"] == "refused" else None)(self.plugin_states()["csv-sjis"]),
                           10, "csv-sjis to be refused")
        self.assertIn("内容が変更されています", state["problem"])
        p = self.persons(1, validity="1")[0]
        self.drop_vendor("csv-sjis", "later.csv", ("患者番号,保険者番号,記号,番号,枝番,生年月日\r\nL1,%s,%s,%s,%s,R1.5.1\r\n" % (
            p["insurerNumber"].strip(), p["cardSymbol"], p["cardNumber"], p["branchNumber"])).encode("cp932"))
        time.sleep(1.5)
        self.assertFalse(os.path.exists(os.path.join(self.vendor_dir("csv-sjis", "out"), "later_result.csv")))
        with open(adapter, "wb") as f:
            f.write(original)
        self.gateway.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: self.plugin_states()["csv-sjis"]["state"] == "enabled", 10, "csv-sjis to be enabled again")
        rows = self.vendor_result("csv-sjis", "later_result.csv").decode("cp932").strip().split("\r\n")
        self.assertEqual(rows[1].split(",")[0], "L1")


class PluginShutdownTest(IntegrationTest):
    """A deadline and an instruction budget long enough that only the stop signal can end the bomb soon."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="kakehashi-bombs-")
        write_bomb_plugin(self.root, "bomb-http")
        self.gateway_options = {"plugins": {
            "root": self.root, "order": ["bomb-http"], "developmentMode": True,
            "limits": {"deadlineMillis": 120000, "instructions": 2000000000, "memoryBytes": 16 * 1024 * 1024}}}
        super().setUp()

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_text(self):
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def test_sigterm_stops_the_gateway_within_5_seconds_while_pattern_bombs_run(self):
        replies = []

        def bomb():
            try:
                replies.append(self.gateway.request("POST", "/api/v1/adapters/bomb-http/bomb", raw=b"bomb",
                                                    headers={"Content-Type": "text/plain"})[0])
            except OSError as e:  # the gateway may close the connection as it stops
                replies.append(type(e).__name__)
        callers = [threading.Thread(target=bomb) for _ in range(3)]  # one runs, two wait for the plugin
        for c in callers:
            c.start()
        wait_until(lambda: '"message":"bomb-started"' in self.log_text(), 20, "the pattern bomb to be running")
        started = time.monotonic()
        self.gateway.proc.send_signal(signal.SIGTERM)
        try:
            code = self.gateway.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.gateway.proc.kill()
            self.gateway.proc.wait()
            self.fail("the gateway did not stop on SIGTERM while a pattern bomb ran")
        finally:
            self.gateway.log.close()
        took = time.monotonic() - started
        print("SIGTERM during a pattern bomb: the gateway exited after %.2f s" % took)
        self.assertLess(took, 5.0)
        self.assertEqual(code, 0)
        for c in callers:
            c.join()
        self.assertEqual(len(replies), 3)
        self.assertNotIn(504, replies, "no call ran to its deadline")
        self.assertIn('"event":"gateway.stopped"', self.log_text())


if __name__ == "__main__":
    main()

"""Vendor adapter plugins end to end: each shipped adapter takes its vendor format in, goes through the
simulator over mutual TLS, and answers in the vendor's format; hostile plugins are contained with clear
errors while other channels keep answering; a tampered plugin is refused and works again after a fix and
a reload, without a restart."""
import http.server
import json
import os
import shutil
import signal
import subprocess
import threading
import time

from harness import (KAKEHASHI_BIN, SOURCE, IntegrationTest, inquiry_json, main, parse, single_request, text,
                     wait_until)

HOSTILE = {
    # name: (decode_request body, expected error code in the .err file)
    "hostile-loop": ("while true do end", "KKH-E4002"),
    "hostile-memory": ("local t = {} while true do t[#t + 1] = string.rep('x', 4096) .. #t end", "KKH-E4003"),
    "hostile-strrep": ("return { entries = { string.rep('x', 1 << 40) } }", "KKH-E400"),
    "hostile-exec": ("os.execute('touch /tmp/kakehashi-pwned') return { entries = {} }", "KKH-E4001"),
    "hostile-io": ("io.open('/etc/passwd') return { entries = {} }", "KKH-E4001"),
    "hostile-ffi": ("require('ffi') return { entries = {} }", "KKH-E4001"),
    "hostile-bytecode": ("load(string.dump(function() end))() return { entries = {} }", "KKH-E4001"),
    "hostile-throws": ("error('boom') ", "KKH-E4001"),
    "hostile-badreturn": ("return 42", "KKH-E4001"),
    # Pattern matching runs in C, out of the instruction hook's reach: costly patterns are refused up front.
    "hostile-pattern": ("string.find(string.rep('a', 2000), '.-.-.-b') return { entries = {} }", "KKH-E4001"),
    "hostile-pattern-long": ("string.rep('a', 1000000):find('a*b') return { entries = {} }", "KKH-E4001"),
}


def write_plugin(root, pid, decode_body, encode_body="return {}", settings_schema=None):
    d = os.path.join(root, pid)
    os.makedirs(d, exist_ok=True)
    manifest = {"id": pid, "name": pid, "version": "0.0.1", "apiLevel": 1, "kind": "adapter", "entry": "adapter.lua",
                "channels": [{"type": "file", "folder": pid, "pattern": "*.txt"}]}
    if settings_schema:
        manifest["settings"] = settings_schema
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
        keys = workdir_plugins + "-keys"
        os.makedirs(keys, exist_ok=True)
        subprocess.run([KAKEHASHI_BIN, "plugin", "keygen", keys + "/vendor.key", keys + "/vendor.pub"],
                       check=True, capture_output=True)
        for pid in os.listdir(workdir_plugins):
            if os.path.isdir(os.path.join(workdir_plugins, pid)):
                subprocess.run([KAKEHASHI_BIN, "plugin", "sign", os.path.join(workdir_plugins, pid), "--key",
                                keys + "/vendor.key"], check=True, capture_output=True)
        self.root = workdir_plugins
        order = ["csv-sjis", "fixed-width", "json-webhook", "hostile-secret"] + list(HOSTILE)
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
                self.assertTrue(err.startswith(code), "%s: %s" % (pid, err))
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

    def test_tampered_plugin_is_refused_and_works_again_after_fix_and_reload(self):
        adapter = os.path.join(self.root, "csv-sjis", "adapter.lua")
        with open(adapter, "rb") as f:
            original = f.read()
        with open(adapter, "wb") as f:
            f.write(original.replace(b"local M = {}", b"local M = {} "))  # one byte more
        self.gateway.proc.send_signal(signal.SIGHUP)
        state = wait_until(lambda: (lambda s: s if s["state"] == "refused" else None)(self.plugin_states()["csv-sjis"]),
                           10, "csv-sjis to be refused")
        self.assertIn("changed", state["problem"])
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


if __name__ == "__main__":
    main()

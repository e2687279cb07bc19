"""The conformance kit vendors run: `kakehashi plugin test` passes on the shipped adapters and fails on a
broken golden case or on logging that the manifest does not declare; `plugin new` scaffolds a plugin that
passes; signing is checked with --trusted-key."""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import KAKEHASHI_BIN, SOURCE, main


def kit(*args):
    return subprocess.run([KAKEHASHI_BIN, "plugin", *args], capture_output=True, text=True, timeout=120)


class PluginKitTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kakehashi-kit-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_shipped_adapters_pass(self):
        for pid in ("csv-sjis", "fixed-width", "json-webhook"):
            with self.subTest(plugin=pid):
                out = kit("test", os.path.join(SOURCE, "plugins", pid))
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn("PASS  golden/basic: decode_request", out.stdout)
                self.assertIn("PASS  golden/basic: encode_result", out.stdout)
                self.assertIn("PASS  sandbox: garbage input is contained", out.stdout)
                self.assertIn("PASS  logs: declared messages and fields only", out.stdout)
                self.assertIn("合格 (PASSED)", out.stdout)

    def test_a_broken_golden_case_fails(self):
        copy = os.path.join(self.dir, "csv-sjis")
        shutil.copytree(os.path.join(SOURCE, "plugins", "csv-sjis"), copy)
        expected = os.path.join(copy, "golden", "basic", "out", "uketsuke_20261125_result.csv")
        with open(expected, "rb") as f:
            data = f.read()
        with open(expected, "wb") as f:
            f.write(data.replace("有効".encode("cp932"), "無効".encode("cp932"), 1))
        out = kit("test", copy)
        self.assertEqual(out.returncode, 1)
        self.assertIn("FAIL  golden/basic: encode_result", out.stdout)
        self.assertIn("不合格 (FAILED)", out.stdout)

    def test_logging_what_the_manifest_does_not_declare_fails(self):
        copy = os.path.join(self.dir, "csv-sjis")
        shutil.copytree(os.path.join(SOURCE, "plugins", "csv-sjis"), copy)
        adapter = os.path.join(copy, "adapter.lua")
        with open(adapter, encoding="utf-8") as f:
            code = f.read()
        with open(adapter, "w", encoding="utf-8") as f:
            f.write(code.replace('kakehashi.log.info("request-read", { entries = #entries, skipped = skipped })',
                                 'kakehashi.log.info("request-read", { entries = #entries, patient = rows[1] and '
                                 'rows[1]["患者番号"] }) kakehashi.log.warn("read " .. msg.name)'))
        out = kit("test", copy)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("FAIL  logs: declared messages and fields only", out.stdout)
        self.assertIn("message not in logMessages", out.stdout)
        self.assertIn("fields not in logFields", out.stdout)
        self.assertNotIn("uketsuke", out.stderr)  # the file name the plugin tried to log
        self.assertIn('"message":"undeclared"', out.stderr)

    def test_scaffold_passes_and_signing_is_checked(self):
        self.assertEqual(kit("new", "acme-recept", "--dir", self.dir).returncode, 0)
        plugin = os.path.join(self.dir, "acme-recept")
        out = kit("test", plugin)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("PASS  logs: declared messages and fields only", out.stdout)
        key, pub = os.path.join(self.dir, "v.key"), os.path.join(self.dir, "v.pub")
        self.assertEqual(kit("keygen", key, pub).returncode, 0)
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        self.assertEqual(kit("sign", plugin, "--key", key).returncode, 0)
        self.assertEqual(kit("test", plugin, "--trusted-key", pub).returncode, 0)
        with open(os.path.join(plugin, "adapter.lua"), "a") as f:
            f.write("-- changed\n")
        out = kit("test", plugin, "--trusted-key", pub)
        self.assertEqual(out.returncode, 1)
        self.assertIn("FAIL  signature", out.stdout)
        self.assertNotEqual(kit("new", "Bad_Id", "--dir", self.dir).returncode, 0)


if __name__ == "__main__":
    main()

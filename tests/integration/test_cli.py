"""The kakehashi binary: version, check-config with clear errors, api-client tokens shown once."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import KAKEHASHI_BIN, CentralSim, Gateway, certs, main


class CliTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-cli-")
        self.sim = CentralSim(self.workdir)  # not started: only its address goes into the configuration
        self.gateway = Gateway(self.workdir, self.sim)

    def tearDown(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def run_cli(self, *args):
        return subprocess.run([KAKEHASHI_BIN, *args], capture_output=True, text=True, timeout=30)

    def test_version(self):
        out = self.run_cli("version")
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^kakehashi \d+\.\d+\.\d+")

    def test_check_config_accepts_a_good_file_and_names_every_problem_of_a_bad_one(self):
        out = self.run_cli("check-config", "--config", self.gateway.config_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        bad = dict(self.gateway.config, institutionCode="1312345678",
                   upstream=dict(self.gateway.config["upstream"], baseUrl="http://plain", caFile="/nonexistent"))
        path = os.path.join(self.workdir, "bad.json")
        with open(path, "w") as f:
            json.dump(bad, f)
        out = self.run_cli("check-config", "--config", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn("institutionCode", out.stderr)
        self.assertIn("upstream.baseUrl", out.stderr)
        self.assertIn("upstream.caFile", out.stderr)
        with open(path, "w") as f:
            f.write("{ not json")
        out = self.run_cli("check-config", "--config", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn("not a JSON object", out.stderr)

    def test_serve_refuses_to_start_with_a_bad_configuration(self):
        bad = dict(self.gateway.config, institutionCode="12")
        path = os.path.join(self.workdir, "bad.json")
        with open(path, "w") as f:
            json.dump(bad, f)
        out = self.run_cli("serve", "--config", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn("institutionCode", out.stderr)

    def test_tokens_are_new_each_time_and_never_stored_in_clear(self):
        first = self.gateway.issue_token()
        second = self.gateway.issue_token()
        self.assertTrue(first.startswith("kkh_"))
        self.assertNotEqual(first, second)
        state = os.path.join(self.workdir, "state")
        blob = b"".join(open(os.path.join(state, f), "rb").read() for f in os.listdir(state))
        self.assertNotIn(second.encode(), blob)


if __name__ == "__main__":
    main()

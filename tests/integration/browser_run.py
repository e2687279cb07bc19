"""Running a browser test of tests/browser/ (a Node script driving Debian's Chromium through playwright-core)
from a Python test, and answering the questions the script asks through marker files."""
import json
import os
import shutil
import subprocess
import time

from harness import SOURCE

BROWSER_TESTS = os.path.join(SOURCE, "tests", "browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require_browser(test):
    """Fails `test` with how to get it when node, Chromium or playwright-core is missing."""
    if shutil.which("node") is None:
        test.fail("node is not installed (apt-get install nodejs npm; scripts/bootstrap does it)")
    if not os.path.exists(CHROMIUM):
        test.fail("Chromium is not installed at %s (apt-get install chromium; scripts/bootstrap does it)" % CHROMIUM)
    if not os.path.isdir(os.path.join(BROWSER_TESTS, "node_modules", "playwright-core")):
        test.fail("playwright-core is missing: run `npm ci` in tests/browser (scripts/bootstrap does it)")


def run_script(test, script, env, markers, answers, minutes):
    """Runs tests/browser/<script> with `env` and answers its questions until it exits: when it leaves
    <name>.request (JSON) in `markers`, answers[name](request) is written as <name>.done, which the script
    takes away (browser_kit.mjs askPython). Returns the exit status, stdout, stderr and the names asked."""
    asked = set()
    out_path, err_path = os.path.join(markers, "stdout.txt"), os.path.join(markers, "stderr.txt")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(["node", os.path.join(BROWSER_TESTS, script)], cwd=BROWSER_TESTS,
                                env=env, stdout=out, stderr=err)
        deadline = time.time() + minutes * 60
        try:
            while proc.poll() is None:
                test.assertLess(time.time(), deadline, "the browser test did not finish in %d minutes" % minutes)
                for name, answer in answers.items():
                    request = os.path.join(markers, name + ".request")
                    done = os.path.join(markers, name + ".done")
                    if os.path.exists(request) and not os.path.exists(done):
                        with open(request) as f:
                            reply = answer(json.load(f))
                        with open(done + ".tmp", "w") as f:
                            json.dump(reply, f)
                        os.remove(request)  # before the answer shows, so the same question can come again
                        os.rename(done + ".tmp", done)
                        asked.add(name)
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    with open(out_path, encoding="utf-8") as out, open(err_path, encoding="utf-8") as err:
        return proc.returncode, out.read(), err.read(), asked

#!/usr/bin/env python3
"""Runs end-to-end test modules under one upstream profile, in one process:

    profile_suite.py terminal test_eligibility_file_channel test_outage …

The same test code as under central-v1; harness.py reads the profile from KAKEHASHI_UPSTREAM_PROFILE, set here
before any test module is imported. ctest runs the flows under "terminal" as integration.profile_terminal."""
import os
import sys
import time
import unittest


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ["KAKEHASHI_UPSTREAM_PROFILE"] = argv[1]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    started = time.monotonic()
    suite = unittest.defaultTestLoader.loadTestsFromNames(argv[2:])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    print("profile %s: %d tests, %d skipped, %.0f s" % (argv[1], result.testsRun, len(result.skipped),
                                                         time.monotonic() - started))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

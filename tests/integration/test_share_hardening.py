"""What an attacker on the share, or a slow writer, can do to the file channel: nothing outside the share is
ever read (symlinks, hard links and FIFOs are refused, even when swapped in at the last moment), a file
being written is never taken before its writer closes it, and one file that cannot be answered never stops
the others."""
import os
import random
import threading
import time

from harness import IntegrationTest, main, parse, single_request, text, wait_until

SECRET = b"KAKEHASHI-SECRET-" + os.urandom(16).hex().encode()


class ShareHardeningTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.req = os.path.join(self.gateway.share, "req")
        self.res = os.path.join(self.gateway.share, "res")
        # A file the gateway can read but the share must never hand out (like the data key).
        self.secret = os.path.join(self.workdir, "outside-secret.xml")
        with open(self.secret, "wb") as f:
            f.write(b"<XmlMsg><MessageBody>" + SECRET + b"</MessageBody></XmlMsg>")

    def assert_still_answering(self, file_id):
        p = self.persons(1, validity="1")[0]
        self.gateway.drop("OQSsiquc01req_%s.xml" % file_id, single_request(p, file_id))
        root = parse(self.gateway.result("OQSsiquc01res_%s.xml" % file_id))
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")

    def assert_secret_nowhere(self):
        for folder, _, files in os.walk(self.gateway.share):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    self.assertNotIn(SECRET, f.read(), "outside data copied into " + path)
        with open(self.secret, "rb") as f:
            self.assertIn(SECRET, f.read())

    def refused(self, name, code="KKH-E1014"):
        root = parse(self.gateway.result(name.rsplit(".", 1)[0] + ".err"))
        self.assertEqual(text(root, "MessageHeader/SegmentOfResult"), "9")
        self.assertEqual(text(root, "MessageHeader/ErrorCode"), code)

    def test_symlink_hard_link_and_fifo_are_refused_and_nothing_outside_is_read(self):
        os.symlink(self.secret, os.path.join(self.req, "OQSsiquc01req_700000000001.xml"))
        os.link(self.secret, os.path.join(self.req, "OQSsiquc01req_700000000002.xml"))
        os.mkfifo(os.path.join(self.req, "OQSsiquc01req_700000000003.xml"))
        for n in range(1, 4):
            self.refused("OQSsiquc01req_70000000000%d.xml" % n)
        wait_until(lambda: not os.listdir(self.req), 30, "req/ to be emptied")
        self.assert_still_answering("700000000009")
        self.assert_secret_nowhere()

    def test_a_symlink_swapped_in_at_the_last_moment_is_never_followed(self):
        # Legitimate files replaced, at random moments, by a link to the outside file.
        p = self.persons(1, validity="1")[0]
        seed = random.randrange(1 << 30)
        rnd = random.Random(seed)
        names = []
        for i in range(30):
            name = "OQSsiquc01req_7100000000%02d.xml" % i
            names.append(name)
            path = os.path.join(self.req, name)
            with open(path, "wb") as f:
                f.write(single_request(p, name[14:26]))
            time.sleep(rnd.random() * 0.05)
            link = os.path.join(self.req, ".swap-%d" % i)
            os.symlink(self.secret, link)
            os.rename(link, path)  # atomic: the name now leads outside
        for name in names:
            stem = name[:-4]
            wait_until(lambda: os.path.exists(os.path.join(self.res, stem.replace("req", "res", 1) + ".xml")) or
                       os.path.exists(os.path.join(self.res, stem + ".err")), 30, "an answer to " + name + " (seed %d)" % seed)
        self.assert_secret_nowhere()
        self.assert_still_answering("710000000099")

    def test_a_writer_that_creates_then_writes_later_is_answered_with_its_content(self):
        p = self.persons(1, validity="1")[0]
        path = os.path.join(self.req, "OQSsiquc01req_720000000001.xml")
        written = threading.Event()
        with open(path, "wb") as f:
            # While the file stays empty and open, other requests are answered: the channel scans meanwhile.
            self.assert_still_answering("720000000002")
            time.sleep(2)
            f.write(single_request(p, "720000000001"))
            written.set()
        root = parse(self.gateway.result("OQSsiquc01res_720000000001.xml"))
        self.assertEqual(text(root, "MessageBody/ProcessingResultStatus"), "1")
        self.assertEqual(text(root, "MessageHeader/ArbitraryFileIdentifier"), "720000000001")

    def test_names_no_result_can_carry_never_stop_the_channel(self):
        # A result name already taken by a folder, and a 255-byte name whose .err would be too long.
        os.mkdir(os.path.join(self.res, "OQSsiquc01res_730000000001.xml"))
        p = self.persons(1, validity="1")[0]
        self.gateway.drop("OQSsiquc01req_730000000001.xml", single_request(p, "730000000001"))
        long_name = "x" * 255
        self.gateway.drop(long_name, b"<XmlMsg/>")
        long_spec = "OQSsiquc01req_" + "9" * 237 + ".xml"
        self.assertEqual(len(long_spec), 255)
        self.gateway.drop(long_spec, b"<XmlMsg/>")
        wait_until(lambda: not os.listdir(self.req), 30, "req/ to be emptied")
        self.assert_still_answering("730000000002")
        self.refused(long_spec, "KKH-E1009")
        # Still serving after a restart: nothing left behind blocks the next start.
        self.gateway.stop()
        self.gateway.start()
        self.assert_still_answering("730000000003")
        with open(self.gateway.log_path, "rb") as f:
            log = f.read()
        self.assertIn(b"file.unanswerable", log)


if __name__ == "__main__":
    main()

"""TLS on the closed-network side: the appliance refuses a server certificate from another CA, an expired
one, and a server that speaks only TLS 1.1; the simulator refuses a client without a certificate."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import CentralSim, Gateway, certs, free_port, inquiry_json, main, wait_until


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kakehashi-tls-")
        self.procs = []

    def tearDown(self):
        for stop in reversed(self.procs):
            stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def gateway_against(self, sim):
        gw = Gateway(self.workdir, sim, upstream={"liveWaitMillis": 1500}).start()
        self.procs.append(gw.stop)
        return gw

    def assert_refused(self, gw, why_words, japanese, reason=None):
        """The retry says why in Japanese (what the dashboard shows too); the transport's own line keeps the
        library's words for whoever reads the log."""
        p = {"insurerNumber": "01130012", "cardNumber": "1234", "birthDate": "19800101"}
        status, body, _ = gw.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 202, "no answer may come from an untrusted server: %s" % body)
        log = wait_until(lambda: self._retry_line(gw), 10, "a refused connection in the log")
        self.assertIn(japanese, log)
        detail = wait_until(lambda: self._retry_line(gw, '"upstream.transport_failed"'), 10, "the transport's detail")
        self.assertTrue(any(w in detail for w in why_words), detail)
        self.assertNotIn("unreadable answer", log)
        if reason:
            with open(gw.log_path, encoding="utf-8", errors="replace") as f:
                refusals = [l for l in f if '"upstream.certificate_refused"' in l]
            self.assertTrue(refusals, "the refused certificate must be explained in the log")
            self.assertIn(reason, refusals[0])

    def _retry_line(self, gw, event='"upstream.retry"'):
        with open(gw.log_path, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f if event in l]
        return lines[0] if lines else None

    def test_server_certificate_from_another_ca_is_refused(self):
        sim = CentralSim(self.workdir, server_cert="rogue-server").start()
        self.procs.append(sim.stop)
        gw = self.gateway_against(sim)
        self.assert_refused(gw, ["certificate verify failed"], "サーバー証明書を確認できませんでした",
                            reason="unable to get local issuer certificate")
        self.assertEqual([r for r in sim.requests() if r["path"].startswith("/v1/")], [])

    def test_expired_server_certificate_is_refused(self):
        sim = CentralSim(self.workdir, server_cert="expired-server").start()
        self.procs.append(sim.stop)
        gw = self.gateway_against(sim)
        self.assert_refused(gw, ["certificate verify failed"], "サーバー証明書を確認できませんでした",
                            reason="certificate has expired")
        self.assertEqual([r for r in sim.requests() if r["path"].startswith("/v1/")], [])

    def test_server_offering_only_tls_1_1_is_refused(self):
        c = certs()
        port = free_port()
        server = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-www", "-tls1_1",
                                   "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", os.path.join(c, "central-server.crt"),
                                   "-key", os.path.join(c, "central-server.key")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(lambda: (server.terminate(), server.wait()))
        wait_until(lambda: self._listening(port), 5, "openssl s_server")
        fake = CentralSim(self.workdir)
        fake.api_port = port  # the gateway is pointed at the TLS 1.1-only server
        gw = self.gateway_against(fake)
        self.assert_refused(gw, ["protocol version", "unsupported protocol"], "暗号化通信を始められませんでした")

    def test_simulator_refuses_a_client_without_certificate(self):
        sim = CentralSim(self.workdir).start()
        self.procs.append(sim.stop)
        ctx = ssl.create_default_context(cafile=os.path.join(certs(), "central-ca.crt"))
        with self.assertRaises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
            with socket.create_connection(("127.0.0.1", sim.api_port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"GET /v1/qualifications/batches/x HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\n\r\n")
                    if not tls.recv(100):
                        raise ConnectionResetError("closed without an answer")

    @staticmethod
    def _listening(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False


if __name__ == "__main__":
    main()

"""The LAN API over HTTPS: with a certificate configured, the gateway answers only TLS 1.2 or newer —
plain HTTP and TLS 1.1 clients are refused — and inquiries work as over HTTP."""
import http.client
import os
import subprocess

from harness import IntegrationTest, certs, inquiry_json, main


class LanTlsTest(IntegrationTest):
    def setUp(self):
        c = certs()
        self.gateway_options = {"http": {"certFile": os.path.join(c, "central-server.crt"),
                                         "keyFile": os.path.join(c, "central-server.key")}}
        super().setUp()

    def test_https_only_with_tls_1_2_or_newer(self):
        p = self.persons(1, validity="1")[0]
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual((status, body["eligibility"]["name"]), (200, p["name"]))
        plain = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
            plain.request("GET", "/healthz")
            plain.getresponse().read()
        # openssl s_client can speak TLS 1.1 here (the TLS test proves it against s_server -tls1_1);
        # the same client with TLS 1.2 is the control that the port and the tool work.
        def handshake(version):
            out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.gateway.http_port, version,
                                  "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", os.path.join(certs(), "central-ca.crt")],
                                 input=b"", capture_output=True, timeout=20)
            return out.stdout.decode(errors="replace")
        modern = handshake("-tls1_2")
        self.assertIn("Protocol  : TLSv1.2", modern)
        self.assertNotIn("Cipher is (NONE)", modern)
        old = handshake("-tls1_1")
        self.assertIn("Cipher is (NONE)", old)  # the handshake failed: no cipher agreed,
        self.assertIn("no peer certificate available", old)  # and the server never showed its certificate


if __name__ == "__main__":
    main()

"""The LAN front end under a building's load and an attacker's: idle keep-alive connections, connections that
never send a request, and large bodies without a token cost the gateway neither its memory nor its answers."""
import os
import socket
import ssl

from admin_client import admin_options
from harness import IntegrationTest, inquiry_json, main


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS")


def connect(port, source, tls=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def status_of(sock):
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split(b" ", 2)[1])


def sources(count):
    """Loopback addresses a building's clients come from (127.0.0.10, .11, …): each may hold its own share."""
    return ["127.0.0.%d" % (10 + i % 200) for i in range(count)]


class FrontEndLimitsTest(IntegrationTest):
    gateway_options = admin_options()
    def test_idle_and_silent_connections_do_not_stop_the_api(self):
        held = []
        try:
            for src in sources(300):  # 300 receipt computers and tabs, each kept alive after one request
                s = connect(self.gateway.http_port, src)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: box\r\n\r\n")
                self.assertEqual(status_of(s), 200)
                held.append(s)
            for src in sources(70):  # and 70 that connect and never send anything
                held.append(connect(self.gateway.http_port, src))
            status, body, _ = self.gateway.request("GET", "/healthz", auth=False)
            self.assertEqual(status, 200)
            p = self.persons(1, validity="1")[0]
            status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
            self.assertEqual(status, 200)
            # Answered while every one of them was still open: the first kept-alive one still works.
            held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: box\r\n\r\n")
            self.assertEqual(status_of(held[0]), 200)
        finally:
            for s in held:
                s.close()

    def test_large_bodies_without_a_token_are_never_read(self):
        before = rss_mb(self.gateway.proc.pid)
        held = []
        try:
            for src in sources(64):
                s = connect(self.gateway.http_port, src)
                s.sendall(b"POST /api/v1/eligibility/batches HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 8000000\r\n\r\n" + b" " * 65536)
                held.append(s)
            for s in held:
                self.assertEqual(status_of(s), 401)
            during = rss_mb(self.gateway.proc.pid)
            print("gateway RSS: %.1f MB before, %.1f MB with 64 unauthenticated 8 MB uploads" % (before, during))
            self.assertLess(during, 100)
            # With a token, the route's own limit refuses a body far over what an inquiry needs.
            self.assertEqual(self.gateway.head_status("POST", "/api/v1/eligibility/inquiries", 15000000), 413)
            status, _, _ = self.gateway.request("GET", "/healthz", auth=False)
            self.assertEqual(status, 200)
        finally:
            for s in held:
                s.close()

    def test_idle_connections_to_the_admin_do_not_block_it(self):
        port = int(self.gateway.config["admin"]["listen"].rsplit(":", 1)[1])
        held = [connect(port, src) for src in sources(20)]  # TCP only: never even a TLS hello
        try:
            s = connect(port, "127.0.0.1", tls=True)
            s.sendall(b"GET /admin/api/setup HTTP/1.1\r\nHost: box\r\n\r\n")
            self.assertEqual(status_of(s), 200)
            s.close()
        finally:
            for h in held:
                h.close()


if __name__ == "__main__":
    main()

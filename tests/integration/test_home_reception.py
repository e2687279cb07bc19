"""居宅同意取得型, the first step: the institution's マイナ在宅受付Web URL comes from the central system
over mutual TLS (or is set by hand), and its QR code — PNG and SVG — decodes back to that URL with a real
reader (zbarimg); the A4 poster renders with the facility's name, the QR and the patient's steps."""
import os
import subprocess

from harness import KAKEHASHI_BIN, IntegrationTest, main, wait_until


def decode_qr(png_path):
    out = subprocess.run(["zbarimg", "--quiet", "--raw", png_path], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


class HomeReceptionTest(IntegrationTest):
    gateway_options = {"facilityName": "架け橋クリニック"}

    def setUp(self):
        self.skip_under_terminal("a 資格確認端末 gives no マイナ在宅受付Web URL (it is set in the web admin)")
        super().setUp()

    def fetched_url(self):
        status, body, _ = self.gateway.request("GET", "/api/v1/home-reception/url", auth=False)
        return body if status == 200 else None

    def test_url_from_the_central_system_and_its_qr_codes_decode_back(self):
        body = wait_until(self.fetched_url, 15, "the URL to be fetched at first start")
        self.assertEqual(body["source"], "central")
        url = body["url"]
        self.assertIn("/home-reception/", url)
        for ec, size in (("M", 8), ("H", 4), ("L", 12)):
            with self.subTest(ec=ec, size=size):
                status, _, res = self.gateway.request("GET", "/api/v1/home-reception/qr.png?ec=%s&size=%d" % (ec, size),
                                                      auth=False)
                self.assertEqual(status, 200)
                self.assertEqual(res.getheader("Content-Type"), "image/png")
                png = os.path.join(self.workdir, "qr-%s.png" % ec)
                with open(png, "wb") as f:
                    f.write(self.gateway.last_body)
                self.assertEqual(decode_qr(png), url)
        status, _, res = self.gateway.request("GET", "/api/v1/home-reception/qr.svg?ec=Q", auth=False)
        self.assertEqual((status, res.getheader("Content-Type")), (200, "image/svg+xml"))
        svg = os.path.join(self.workdir, "qr.svg")
        with open(svg, "wb") as f:
            f.write(self.gateway.last_body)
        png = os.path.join(self.workdir, "qr-from-svg.png")
        subprocess.run(["rsvg-convert", "-w", "400", "-o", png, svg], check=True, timeout=30)
        self.assertEqual(decode_qr(png), url)
        status, _, _ = self.gateway.request("GET", "/api/v1/home-reception/qr.png?ec=Z", auth=False)
        self.assertEqual(status, 422)
        status, _, _ = self.gateway.request("GET", "/api/v1/home-reception/qr.png?size=500", auth=False)
        self.assertEqual(status, 422)

    def test_poster_renders_in_japanese_with_the_qr_and_the_steps(self):
        wait_until(self.fetched_url, 15, "the URL to be fetched at first start")
        status, html, res = self.gateway.request("GET", "/api/v1/home-reception/poster", auth=False, as_text=True)
        self.assertEqual(status, 200)
        self.assertEqual(res.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("default-src 'none'", res.getheader("Content-Security-Policy"))
        for text in ("架け橋クリニック", "マイナ在宅受付Web", "暗証番号（数字4桁）", "かざします", "<svg", "@page{size:A4",
                     "当院の職員", "訪問診療を受ける方へ"):
            self.assertIn(text, html)
        self.assertNotIn("お問い合わせ", html, "no telephone number is set")
        page = os.path.join(self.workdir, "poster.html")
        with open(page, "w") as f:
            f.write(html)
        # The poster's QR (inline SVG) is the same URL a phone will open.
        svg = html[html.index("<svg"):html.index("</svg>") + 6]
        with open(os.path.join(self.workdir, "poster-qr.svg"), "w") as f:
            f.write(svg)
        png = os.path.join(self.workdir, "poster-qr.png")
        subprocess.run(["rsvg-convert", "-w", "400", "-o", png, os.path.join(self.workdir, "poster-qr.svg")],
                       check=True, timeout=30)
        self.assertEqual(decode_qr(png), self.fetched_url()["url"])

    def test_url_set_by_hand_replaces_it_and_bad_urls_are_refused(self):
        wait_until(self.fetched_url, 15, "the URL to be fetched at first start")
        out = subprocess.run([KAKEHASHI_BIN, "home-reception", "set-url", "https://example.invalid/clinic/ab12",
                              "--config", self.gateway.config_path], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        body = self.fetched_url()
        self.assertEqual((body["url"], body["source"], body["updatedBy"]),
                         ("https://example.invalid/clinic/ab12", "manual", "cli"))
        png = os.path.join(self.workdir, "manual.png")
        self.gateway.request("GET", "/api/v1/home-reception/qr.png", auth=False)
        with open(png, "wb") as f:
            f.write(self.gateway.last_body)
        self.assertEqual(decode_qr(png), "https://example.invalid/clinic/ab12")
        for bad in ("javascript:alert(1)", "https://x y", "not a url", "http://example.invalid/clinic/ab12"):
            out = subprocess.run([KAKEHASHI_BIN, "home-reception", "set-url", bad, "--config", self.gateway.config_path],
                                 capture_output=True, text=True, timeout=30)
            self.assertNotEqual(out.returncode, 0, bad)
        # Refreshing from the central system puts its URL back.
        status, body, _ = self.gateway.request("POST", "/api/v1/home-reception/url/refresh")
        self.assertEqual((status, body["source"]), (200, "central"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The facility's certificates for the central system, managed in the web admin against a real gateway and
the simulator: the list shows the client certificate and the central CA in use with their expiry; a new
client certificate uploaded as PKCS#12 (a wrong passphrase changes nothing) or made from a CSR of a key
kept on the box is used by the very next inquiry, without a restart; a certificate that is not the pending
key's, or a CA upload that is not a CA, is refused; and after a restart the uploaded certificate is still
the one in use. The demo PKI's facility CA (trusted by the simulator) signs the certificates here, with
the openssl CLI, as a vendor or the certificate authority would.
"""
import base64
import os
import sqlite3
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OTHER_INSTITUTION, wait_until, INSTITUTION, IntegrationTest, certs, inquiry_json  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402
from facility_ca import sign_client_csr  # noqa: E402

PASSPHRASE = "Shomeisho-Kagi-2026"


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True).stdout


class CertificateCase(IntegrationTest):
    gateway_options = admin_options()
    confirm_seconds = 90

    def setUp(self):
        options = admin_options()  # a fresh port for every test
        options["admin"]["confirmSeconds"] = self.confirm_seconds
        type(self).gateway_options = options
        super().setUp()
        self.pki = os.path.join(self.workdir, "pki")
        os.makedirs(self.pki)
        self.admin = AdminClient(self.gateway)
        status, body = self.admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        self.admin.enrol()
        self.people = iter(self.persons(4, validity="1"))

    # --- the facility CA's side, done with the openssl CLI ---------------------------------------------

    def path(self, name):
        return os.path.join(self.pki, name)

    def sign(self, csr_path, out_name, days):
        """The facility CA signs a CSR for client authentication."""
        with open(sign_client_csr(csr_path, self.path(out_name), days)) as f:
            return f.read()

    def new_client_certificate(self, name, days=45, institution=INSTITUTION):
        """A key and a certificate for the institution, as a vendor would make them."""
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", self.path(name + ".key"))
        openssl("req", "-new", "-sha256", "-key", self.path(name + ".key"),
                "-subj", "/O=Kakehashi Demo Clinic/CN=" + institution, "-out", self.path(name + ".csr"))
        return self.sign(self.path(name + ".csr"), name + ".crt", days)

    def pkcs12(self, name, passphrase=PASSPHRASE):
        openssl("pkcs12", "-export", "-inkey", self.path(name + ".key"), "-in", self.path(name + ".crt"),
                "-certfile", os.path.join(certs(), "facility-ca.crt"), "-name", "facility",
                "-passout", "pass:" + passphrase, "-out", self.path(name + ".p12"))
        with open(self.path(name + ".p12"), "rb") as f:
            return base64.b64encode(f.read()).decode()

    def fingerprint(self, pem):
        out = openssl("x509", "-noout", "-fingerprint", "-sha256", stdin=pem.encode()).decode()
        return out.strip().split("=", 1)[1]

    # --- the box's side --------------------------------------------------------------------------------

    def certificates(self):
        status, body = self.admin.request("GET", "/admin/api/certificates")
        self.assertEqual(status, 200, body)
        return body, {c["name"]: c for c in body["certificates"]}

    def stored_upstream_settings(self):
        db = sqlite3.connect(os.path.join(self.workdir, "state", "kakehashi.db"))
        try:
            return dict(db.execute("SELECT key, value FROM settings WHERE key LIKE 'upstream.%'").fetchall())
        finally:
            db.close()

    def tls_dir(self):
        return os.path.join(self.workdir, "state", "tls")

    def assert_live_inquiry(self):
        """An inquiry of a person not asked before goes to the simulator and comes back live."""
        before = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        p = next(self.people)
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["source"], "live")
        self.assertEqual(body["eligibility"]["name"], p["name"])
        after = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        self.assertEqual(len(after), len(before) + 1, "the simulator saw the inquiry")
        self.assertEqual(after[-1]["institution"], INSTITUTION)

    def pending_change(self):
        status, body = self.admin.request("GET", "/admin/api/pending-changes")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["pendingChanges"]), 1, body)
        return body["pendingChanges"][0]

    def confirm_pending(self):
        """Keep what was just installed (it is rolled back unless confirmed in time), once the box has seen
        it work: an answer over the link with the new files (the probe after the change, or an inquiry)."""
        change = wait_until(lambda: (lambda c: c if c["proven"] else None)(self.pending_change()), 60,
                            "the new certificate proven over the link")
        status, body = self.admin.request("POST", "/admin/api/pending-changes/%s/confirm" % change["id"])
        self.assertEqual((status, body["pendingChanges"]), (200, []))

    def assert_refused(self, path, body, words):
        status, answer = self.admin.request("POST", path, body)
        self.assertEqual(status, 422, answer)
        self.assertEqual(answer["type"], "urn:kakehashi:problem:invalid-field")
        self.assertIn(words, answer.get("detail", ""))
        return answer

    # --- the tests -------------------------------------------------------------------------------------



class CertificatesTest(CertificateCase):
    def test_the_list_shows_the_configured_certificates_with_their_expiry(self):
        body, named = self.certificates()
        self.assertFalse(body["csrPending"])
        client, ca = named["upstream-client"], named["central-ca"]
        self.assertEqual(client["file"], os.path.join(certs(), "facility-client.crt"))
        self.assertIn("CN=" + INSTITUTION, client["subject"])
        self.assertIn("Kakehashi Demo Facility CA", client["issuer"])
        self.assertTrue(client["notAfter"].endswith("+09:00"))
        self.assertTrue(client["notBefore"].endswith("+09:00"))
        self.assertGreater(client["daysLeft"], 1000)  # make-certs: 1185 days
        self.assertEqual(client["warning"], 0)
        with open(os.path.join(certs(), "facility-client.crt")) as f:
            self.assertEqual(client["fingerprint"], self.fingerprint(f.read()))
        self.assertIn("Kakehashi Demo Central CA", ca["subject"])
        self.assertEqual(ca["file"], os.path.join(certs(), "central-ca.crt"))

    def test_a_pkcs12_upload_is_used_by_the_next_inquiry_without_a_restart(self):
        self.assert_live_inquiry()
        _, old = self.certificates()
        pem = self.new_client_certificate("renewed", days=45)
        p12 = self.pkcs12("renewed")
        path = "/admin/api/certificates/upstream-client/pkcs12"

        self.assert_refused(path, {"pkcs12": p12, "passphrase": "wrong"}, "passphrase")
        self.assert_refused(path, {"pkcs12": base64.b64encode(pem.encode()).decode(), "passphrase": PASSPHRASE},
                            "PKCS#12")
        self.assert_refused(path, {"pkcs12": "not base64!", "passphrase": PASSPHRASE}, "base64")
        _, unchanged = self.certificates()
        self.assertEqual(unchanged, old, "a refused upload changes nothing")
        self.assertEqual(self.stored_upstream_settings(), {})
        self.assertFalse(os.path.exists(os.path.join(self.tls_dir(), "facility-client.key")))

        status, body = self.admin.request("POST", path, {"pkcs12": p12, "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["pendingChange"]["what"], "certificate:upstream-client")
        self.assertLessEqual(body["pendingChange"]["secondsLeft"], 90)
        self.assertEqual(self.admin.request("POST", path, {"pkcs12": p12, "passphrase": PASSPHRASE})[0], 409,
                         "one change at a time: the first must be confirmed or reverted")
        self.confirm_pending()
        client = {c["name"]: c for c in body["certificates"]}["upstream-client"]
        self.assertEqual(client["fingerprint"], self.fingerprint(pem))
        self.assertNotEqual(client["fingerprint"], old["upstream-client"]["fingerprint"])
        self.assertIn(client["daysLeft"], (44, 45))
        self.assertEqual(client["warning"], 60)
        self.assertEqual(client["file"], os.path.join(self.tls_dir(), "facility-client.crt"))
        for name in ("facility-client.key", "facility-client.crt"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.tls_dir(), name)).st_mode), 0o600, name)
        self.assertEqual(self.stored_upstream_settings(),
                         {"upstream.certFile": os.path.join(self.tls_dir(), "facility-client.crt"),
                          "upstream.keyFile": os.path.join(self.tls_dir(), "facility-client.key")})
        self.assert_live_inquiry()

        status, audit = self.admin.request("GET", "/admin/api/audit?action=admin.certificate-installed")
        self.assertEqual(len(audit["entries"]), 1)
        entry = audit["entries"][0]
        self.assertEqual((entry["actor"], entry["subject"]), ("admin", "certificate:upstream-client"))
        self.assertIn(client["fingerprint"], entry["detail"])
        with open(self.gateway.log_path, "rb") as f:
            self.assertNotIn(PASSPHRASE.encode(), f.read(), "the passphrase never reaches the log")

    def test_the_next_request_presents_the_new_certificate(self):
        # A certificate the simulator maps to another institution: the next inquiry arrives as that
        # institution, which proves the new certificate is the one presented, with no restart.
        self.new_client_certificate("other", institution=OTHER_INSTITUTION)
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/pkcs12",
                                          {"pkcs12": self.pkcs12("other"), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.confirm_pending()
        p = next(self.people)
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertNotEqual(status, 200, body)
        seen = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        self.assertEqual(seen[-1]["institution"], OTHER_INSTITUTION)
        self.new_client_certificate("back")
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/pkcs12",
                                          {"pkcs12": self.pkcs12("back"), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.confirm_pending()
        self.assert_live_inquiry()

    def test_a_key_made_here_and_its_signed_certificate_are_used_without_a_restart(self):
        path = "/admin/api/certificates/upstream-client/certificate"
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/csr", {})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["subject"], "/CN=" + INSTITUTION)
        self.assertTrue(body["csrPem"].startswith("-----BEGIN CERTIFICATE REQUEST-----"))
        self.assertNotIn("PRIVATE KEY", str(body))
        with open(self.path("box.csr"), "w") as f:
            f.write(body["csrPem"])
        checked = subprocess.run(["openssl", "req", "-in", self.path("box.csr"), "-noout", "-verify", "-subject",
                                  "-text"], capture_output=True, text=True, check=True)
        self.assertIn("verify OK", checked.stdout + checked.stderr)
        self.assertIn("CN = " + INSTITUTION, checked.stdout)
        self.assertIn("prime256v1", checked.stdout)
        pending = os.path.join(self.tls_dir(), "pending-client.key")
        self.assertEqual(stat.S_IMODE(os.stat(pending).st_mode), 0o600)
        self.assertTrue(self.certificates()[0]["csrPending"])

        # A certificate of another key (a vendor's, or the one in use) is not the pending key's.
        other = self.new_client_certificate("not-ours")
        self.assert_refused(path, {"pem": other}, "署名待ちの鍵")
        with open(os.path.join(certs(), "facility-client.crt")) as f:
            self.assert_refused(path, {"pem": f.read()}, "署名待ちの鍵")
        self.assert_refused(path, {"pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}, "PEM")
        self.assertEqual(self.stored_upstream_settings(), {})

        signed = self.sign(self.path("box.csr"), "box.crt", 90)
        status, body = self.admin.request("POST", path, {"pem": signed})
        self.assertEqual(status, 200, body)
        self.assertFalse(body["csrPending"])
        self.assertFalse(os.path.exists(pending))
        client = {c["name"]: c for c in body["certificates"]}["upstream-client"]
        self.assertEqual(client["fingerprint"], self.fingerprint(signed))
        self.assert_live_inquiry()
        # Nothing pending any more: a second upload has no key to go with.
        self.assert_refused(path, {"pem": signed}, "CSR")
        status, audit = self.admin.request("GET", "/admin/api/audit?q=certificate:upstream-client")
        self.assertEqual(sorted(e["action"] for e in audit["entries"]),
                         ["admin.certificate-csr-made", "admin.certificate-installed"])

    def test_the_central_ca_must_be_a_ca_and_is_used_at_once(self):
        with open(os.path.join(certs(), "facility-client.crt")) as f:
            leaf = f.read()
        self.assert_refused("/admin/api/certificates/central-ca", {"pem": leaf}, "CA:TRUE")
        self.assert_refused("/admin/api/certificates/central-ca", {"pem": "nothing"}, "PEM")
        self.assertEqual(self.stored_upstream_settings(), {})
        with open(os.path.join(certs(), "central-ca.crt")) as f:
            central = f.read()
        status, body = self.admin.request("POST", "/admin/api/certificates/central-ca", {"pem": central})
        self.assertEqual(status, 200, body)
        ca = {c["name"]: c for c in body["certificates"]}["central-ca"]
        self.assertEqual(ca["file"], os.path.join(self.tls_dir(), "central-ca.crt"))
        self.assertEqual(ca["fingerprint"], self.fingerprint(central))
        self.assertEqual(self.stored_upstream_settings(),
                         {"upstream.caFile": os.path.join(self.tls_dir(), "central-ca.crt")})
        self.assert_live_inquiry()

    def test_the_uploaded_certificate_is_still_in_use_after_a_restart(self):
        pem = self.new_client_certificate("kept", days=200)
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/pkcs12",
                                          {"pkcs12": self.pkcs12("kept"), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        self.confirm_pending()
        self.assertEqual(self.gateway.stop(), 0)
        self.gateway.start()
        _, named = self.certificates()  # the session is kept in the store, so it outlives the restart
        self.assertEqual(named["upstream-client"]["fingerprint"], self.fingerprint(pem))
        self.assertEqual(named["upstream-client"]["file"], os.path.join(self.tls_dir(), "facility-client.crt"))
        self.assert_live_inquiry()


class UnconfirmedChangeTest(CertificateCase):
    """A change nobody confirms goes back by itself: here it cut the link, as a wrong certificate would."""

    confirm_seconds = 3

    def test_an_unconfirmed_certificate_is_rolled_back_by_itself(self):
        _, before = self.certificates()
        self.new_client_certificate("other", institution=OTHER_INSTITUTION)
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/pkcs12",
                                          {"pkcs12": self.pkcs12("other"), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        p = next(self.people)
        self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        seen = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        self.assertEqual(seen[-1]["institution"], OTHER_INSTITUTION, "the link is cut")
        wait_until(lambda: not self.admin.request("GET", "/admin/api/pending-changes")[1]["pendingChanges"], 15,
                   "the change to be rolled back")
        _, after = self.certificates()
        self.assertEqual(after["upstream-client"]["fingerprint"], before["upstream-client"]["fingerprint"])
        self.assert_live_inquiry()
        status, audit = self.admin.request("GET", "/admin/api/audit?action=admin.change-rolled-back")
        self.assertEqual(len(audit["entries"]), 1)
        self.assertIn("期限内に確定されなかった", audit["entries"][0]["detail"])

    def test_a_change_can_be_reverted_at_once(self):
        _, before = self.certificates()
        self.new_client_certificate("tried")
        status, body = self.admin.request("POST", "/admin/api/certificates/upstream-client/pkcs12",
                                          {"pkcs12": self.pkcs12("tried"), "passphrase": PASSPHRASE})
        self.assertEqual(status, 200, body)
        status, body = self.admin.request("POST", "/admin/api/pending-changes/%s/revert" % body["pendingChange"]["id"])
        self.assertEqual((status, body["pendingChanges"]), (200, []))
        _, after = self.certificates()
        self.assertEqual(after["upstream-client"]["fingerprint"], before["upstream-client"]["fingerprint"])
        self.assertEqual(self.stored_upstream_settings()["upstream.certFile"], before["upstream-client"]["file"])
        self.assert_live_inquiry()


class LinkProofTest(CertificateCase):
    """The link's state comes from what really went over it, and a certificate may only be kept once it
    worked: a wrong central CA is seen at once by the probe (no inquiry needed), its confirmation is
    refused with the reason, the dashboard says why in Japanese, and going back brings the link up again."""

    def dashboard_link(self):
        status, body = self.admin.request("GET", "/admin/api/dashboard")
        self.assertEqual(status, 200, body)
        return body["link"]

    def other_ca(self):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                "-subj", "/CN=Not The Central CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-keyout", self.path("other-ca.key"), "-out", self.path("other-ca.crt"))
        with open(self.path("other-ca.crt")) as f:
            return f.read()

    def test_a_wrong_central_ca_is_seen_at_once_and_cannot_be_confirmed(self):
        link = wait_until(lambda: (lambda l: l if l["state"] == "up" else None)(self.dashboard_link()), 60,
                          "the probe to find the link up at start")
        self.assertEqual(link["profile"], "central-v1")
        self.assertRegex(link["lastSuccessAt"], r"^\d{4}-\d{2}-\d{2}T")
        inquiries = len([r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"])
        status, body = self.admin.request("POST", "/admin/api/certificates/central-ca", {"pem": self.other_ca()})
        self.assertEqual(status, 200, body)
        change = wait_until(lambda: (lambda c: c if "できませんでした" in c["unproven"] else None)(self.pending_change()),
                            60, "the probe to report the refused handshake")
        self.assertFalse(change["proven"])
        self.assertIn("サーバー証明書を確認できませんでした", change["unproven"])
        status, refused = self.admin.request("POST", "/admin/api/pending-changes/%s/confirm" % change["id"])
        self.assertEqual((status, refused["type"]), (409, "urn:kakehashi:problem:change-unproven"))
        link = self.dashboard_link()
        self.assertEqual(link["state"], "down")
        self.assertIn("中央システムのCA証明書", link["lastFailure"])
        self.assertNotRegex(link["lastFailure"], r"[A-Za-z]{4,}", "the reason is in Japanese, without library English")
        self.assertEqual(len([r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]), inquiries,
                         "no inquiry was needed to find it out")
        status, body = self.admin.request("POST", "/admin/api/pending-changes/%s/revert" % change["id"])
        self.assertEqual(status, 200, body)
        wait_until(lambda: self.dashboard_link()["state"] == "up", 60, "the link up again with the old CA")
        self.assert_live_inquiry()


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""The test facility CA's side of a client certificate (scripts/make-certs made the CA): it signs a CSR
for client authentication with the openssl CLI, as a vendor's CA would."""
import os
import secrets
import subprocess
import tempfile

from harness import certs

CLIENT_EXTENSIONS = """[ client_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
"""


def sign_client_csr(csr_path, out_path, days):
    """Signs the CSR at csr_path into out_path (PEM), valid for `days`; returns out_path."""
    c = certs()
    with tempfile.NamedTemporaryFile("w", suffix=".cnf") as ext:
        ext.write(CLIENT_EXTENSIONS)
        ext.flush()
        subprocess.run(["openssl", "x509", "-req", "-sha256", "-in", csr_path, "-CA", os.path.join(c, "facility-ca.crt"),
                        "-CAkey", os.path.join(c, "facility-ca.key"), "-set_serial", "0x" + secrets.token_hex(16),
                        "-days", str(days), "-extfile", ext.name, "-extensions", "client_ext", "-out", out_path],
                       check=True, capture_output=True)
    return out_path

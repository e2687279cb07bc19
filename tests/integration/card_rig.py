"""Real card-reader parts for integration tests: pcscd with the vpcd driver (one reader.conf entry gives
two readers, "Kakehashi Test Reader 00 00" and "… 00 01") and kakehashi-vjpki, the virtual My Number
card, plugged into a slot. pcscd's socket is fixed at /run/pcscd, so one rig runs on the machine at a
time (CTest runs the integration tests one after another).
"""
import os
import signal
import socket
import subprocess
import time

from harness import SOURCE, certs, free_port, wait_until

VJPKI_BIN = os.environ.get("VJPKI_BIN", os.path.join(SOURCE, "build", "tests", "fixtures", "vjpki", "kakehashi-vjpki"))
READER = "Kakehashi Test Reader"
PCSCD_SOCKET = "/run/pcscd/pcscd.comm"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"


class VirtualCard:
    """One kakehashi-vjpki process in one vpcd slot, driven through its control socket."""

    def __init__(self, workdir, port, card, pin, tries, blocked, not_mynumber, quirks):
        self.workdir = workdir
        self.control_port = free_port()
        self.pin_file = os.path.join(workdir, "pin-%d" % port)
        with open(self.pin_file, "w") as f:
            f.write(pin)
        c = certs()
        args = [VJPKI_BIN, "--vpcd-port", str(port), "--cert", os.path.join(c, card + ".der"),
                "--ca-cert", os.path.join(c, "jpki-ca.crt"), "--key", os.path.join(c, card + ".key"),
                "--pin-file", self.pin_file, "--tries", str(tries), "--control-port", str(self.control_port)]
        if blocked:
            args.append("--blocked")
        if not_mynumber:
            args.append("--not-mynumber")
        if quirks:
            args.append("--quirks")
        self.log = open(os.path.join(workdir, "vjpki-%d.log" % port), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        if "vjpki ready" not in line:
            raise AssertionError("virtual card did not start: " + line)

    def command(self, line):
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=10) as s:
            s.sendall((line + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        import json
        return json.loads(data)

    def status(self):
        return self.command("status")

    def remove(self):
        return self.command("remove")

    def insert(self):
        return self.command("insert")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


class CardRig:
    """pcscd (its own reader.conf directory, never -a: that would log APDUs and so PINs) and the cards."""

    def __init__(self, workdir, readers=True):
        self.workdir = workdir
        self.conf = os.path.join(workdir, "reader.conf.d")
        os.makedirs(self.conf, exist_ok=True)
        self.port = free_port(consecutive=2)  # vpcd's two slots
        if readers:
            with open(os.path.join(self.conf, "kakehashi-test"), "w") as f:
                f.write('FRIENDLYNAME "%s"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n'
                        % (READER, self.port, VPCD_DRIVER, self.port))
        self.cards = {}
        self.pcscd = None

    def reader(self, slot=0):
        return "%s 00 %02d" % (READER, slot)

    def start_pcscd(self):
        if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
            raise AssertionError("another pcscd is running; the rig needs /run/pcscd to itself")
        os.makedirs("/run/pcscd", exist_ok=True)
        self.pcscd_log = open(os.path.join(self.workdir, "pcscd.log"), "ab")
        self.pcscd = subprocess.Popen(["pcscd", "--foreground", "-c", self.conf],
                                      stdout=self.pcscd_log, stderr=self.pcscd_log)
        wait_until(lambda: os.path.exists(PCSCD_SOCKET), 10, "pcscd's socket")
        time.sleep(0.3)
        return self

    def stop_pcscd(self):
        if self.pcscd and self.pcscd.poll() is None:
            self.pcscd.send_signal(signal.SIGTERM)
            try:
                self.pcscd.wait(10)
            except subprocess.TimeoutExpired:
                self.pcscd.kill()
                self.pcscd.wait()
            self.pcscd_log.close()
        self.pcscd = None
        wait_until(lambda: not os.path.exists(PCSCD_SOCKET), 10, "pcscd's socket to go")

    def restart_pcscd(self):
        self.stop_pcscd()
        self.start_pcscd()

    def insert_card(self, slot=0, card="jpki-card-1", pin="7391", tries=3, blocked=False, not_mynumber=False,
                    quirks=False):
        if slot in self.cards:
            self.cards[slot].stop()
        self.cards[slot] = VirtualCard(self.workdir, self.port + slot, card, pin, tries, blocked, not_mynumber, quirks)
        return self.cards[slot]

    def stop(self):
        for card in self.cards.values():
            card.stop()
        self.cards = {}
        self.stop_pcscd()

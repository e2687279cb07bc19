"""Connections that hold a server's resources without doing useful work, for the benchmark's crowded rows.

    crowd = Crowd(port, idle=1000, slow=200).start()   # returns once every connection is open
    ...measure...
    crowd.stop()                                       # closes them all; crowd.stats() says what happened

- idle: a keep-alive connection that sent one request, read its answer and then stays silent (a receipt
  computer or a browser tab between two requests);
- slow: a connection that sends a request head one byte every `trickle` seconds and never finishes it.

A connection the server closes is opened again at once, so the pressure stays the same for the whole run;
the counts of those reopenings are the server's timeouts at work. One thread serves every connection with a
selector. 127.0.0.1 only.
"""
import errno
import resource
import selectors
import socket
import threading
import time

IDLE_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000


def allow_descriptors(count):
    """Raise this process's open-file limit to at least `count` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, count))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


class Crowd:
    def __init__(self, port, idle=0, slow=0, trickle=2.0):
        self.port, self.idle, self.slow, self.trickle = port, idle, slow, trickle
        self.sel = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.counts = {"idle_answered": 0, "idle_closed": 0, "slow_closed": 0, "connect_errors": 0}
        self.slow_conns = {}  # socket -> bytes of the head sent so far
        self.stopping = threading.Event()
        self.thread = None

    def _open(self, kind):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            self.counts["connect_errors"] += 1
            return
        # The request (idle) or the first byte (slow) goes once the connection is writable.
        self.sel.register(s, selectors.EVENT_WRITE, (kind, "connecting"))

    def start(self, timeout=60):
        allow_descriptors(self.idle + self.slow + 256)
        for _ in range(self.idle):
            self._open("idle")
        for _ in range(self.slow):
            self._open("slow")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.counts["idle_answered"] >= self.idle and len(self.slow_conns) >= self.slow:
                    return self
            time.sleep(0.05)
        raise RuntimeError("the crowd did not get in within %d s: %r" % (timeout, self.stats()))

    def _close(self, s, kind):
        try:
            self.sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
        with self.lock:
            self.slow_conns.pop(s, None)
            self.counts[kind + "_closed"] += 1
        if not self.stopping.is_set():
            self._open(kind)

    def _run(self):
        next_trickle = time.monotonic() + self.trickle
        while not self.stopping.is_set():
            for key, events in self.sel.select(timeout=0.2):
                s, (kind, state) = key.fileobj, key.data
                try:
                    if state == "connecting":
                        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            raise OSError(err, "connect")
                        if kind == "idle":
                            s.send(IDLE_REQUEST)
                        else:
                            s.send(SLOW_HEAD[:1])
                            with self.lock:
                                self.slow_conns[s] = 1
                        self.sel.modify(s, selectors.EVENT_READ, (kind, "open"))
                        continue
                    data = s.recv(65536)
                    if not data:
                        self._close(s, kind)
                    elif kind == "idle" and b"\r\n\r\n" in data:
                        with self.lock:
                            self.counts["idle_answered"] += 1
                except OSError as e:
                    if e.errno not in (errno.EAGAIN,):
                        self._close(s, kind)
            if time.monotonic() >= next_trickle:
                next_trickle += self.trickle
                with self.lock:
                    slow = list(self.slow_conns.items())
                for s, sent in slow:
                    try:
                        s.send(SLOW_HEAD[sent:sent + 1])
                        with self.lock:
                            if s in self.slow_conns:
                                self.slow_conns[s] = sent + 1
                    except OSError:
                        self._close(s, "slow")

    def stats(self):
        with self.lock:
            return dict(self.counts, slow_open=len(self.slow_conns))

    def stop(self):
        self.stopping.set()
        if self.thread:
            self.thread.join(10)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()
        return self.stats()

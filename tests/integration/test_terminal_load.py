"""Many clients, one 資格確認端末: 200 inquiries from 50 clients at once through upstream profile "terminal",
against a terminal that answers 20 requests at a time (the terminal simulator behind a real smbd). None is
lost, none is refused for capacity, every one is answered; the figures are printed (wall time, p50/p99, the
most requests at the terminal at once).

(The share away is test_outage under profile terminal: integration.profile_terminal.)"""
import threading
import time

from harness import IntegrationTest, inquiry_json, main

CLIENTS = 50
REQUESTS = 200
SESSIONS = 20


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))]


class TerminalLoadTest(IntegrationTest):
    profile = "terminal"
    terminal_options = {"sessions": SESSIONS}
    # Enough HTTP threads that all 50 clients are in at once; a live wait long enough for the terminal's
    # queue of files, so every client gets its answer in the same call.
    gateway_options = {"http": {"threads": 64}, "upstream": {"liveWaitMillis": 60000}}

    def test_200_inquiries_from_50_clients_through_20_sessions(self):
        persons = self.persons(REQUESTS)
        self.terminal_rig.faults(delayMs=100)  # each request holds a session while the terminal asks upstream
        todo = list(enumerate(persons))
        lock = threading.Lock()
        results, errors = {}, []
        start = threading.Barrier(CLIENTS + 1)

        def client():
            start.wait()
            while True:
                with lock:
                    if not todo:
                        return
                    i, p = todo.pop(0)
                began = time.monotonic()
                try:
                    status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries",
                                                           inquiry_json(p, "L%03d" % i))
                except Exception as e:  # a lost connection is a lost request
                    with lock:
                        errors.append("%d: %r" % (i, e))
                    continue
                with lock:
                    results[i] = (status, body, time.monotonic() - began)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        start.wait()
        began = time.monotonic()
        for t in threads:
            t.join(300)
        wall = time.monotonic() - began
        self.assertFalse(any(t.is_alive() for t in threads), "a client never got its answer")
        self.assertEqual(errors, [])
        self.assertEqual(sorted(results), list(range(REQUESTS)), "every request answered")
        for i, (status, body, _) in results.items():
            self.assertEqual(status, 200, body)  # no 429/503 for capacity, and no 202: answered in the call
            self.assertEqual(body["source"], "live")
            self.assertEqual(body["arbitraryIdentifier"], "L%03d" % i)
            if persons[i]["validity"] == "1":
                self.assertEqual(body["eligibility"]["birthDate"], persons[i]["birthDate"])

        state = self.terminal_rig.state()
        log = self.terminal_rig.log()
        taken = [e for e in log["entries"] if e["name"].startswith("OQSsiquc01req_")]
        self.assertEqual(len(taken), REQUESTS, "each request reached the terminal once")
        self.assertLessEqual(state["maxInFlight"], SESSIONS)
        status, metrics, _ = self.gateway.request("GET", "/metrics", as_text=True)
        gateway_max = [line.split()[1] for line in metrics.splitlines()
                       if line.startswith("kakehashi_upstream_in_flight_max ")]
        latencies = sorted(r[2] for r in results.values())
        print("\nterminal load: %d requests from %d clients through %d sessions in %.1f s (%.0f/s); latency p50 %.2f s, "
              "p99 %.2f s, max %.2f s; at most %d at the terminal at once (gateway: %s under way at most)"
              % (REQUESTS, CLIENTS, SESSIONS, wall, REQUESTS / wall, percentile(latencies, 50),
                 percentile(latencies, 99), latencies[-1], state["maxInFlight"], gateway_max[0] if gateway_max else "?"),
              flush=True)


if __name__ == "__main__":
    main()

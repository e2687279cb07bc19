"""Planned visits: each is checked against the patient's consent window; a day's visits become a batch
that goes out by itself at the prefetch time, and its answers arrive — as a result file and in the cache —
with no call from the receipt computer beyond registering the visits."""
import os
import time

from harness import INSTITUTION, IntegrationTest, inquiry_json, main, parse, wait_until


def japan_day(offset=0):
    return time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600 + offset * 86400))


def japan_minutes_ago(m):
    t = time.gmtime(time.time() + 9 * 3600 - m * 60)
    return "00:00" if (t.tm_hour == 23 and time.gmtime(time.time() + 9 * 3600).tm_hour == 0) else "%02d:%02d" % (t.tm_hour, t.tm_min)


def visit(p, day, kind, pid):
    v = inquiry_json(p, pid)
    v.update({"visitDate": day, "kind": kind, "patientId": pid})
    return v


class VisitTest(IntegrationTest):
    sim_options = {"batch_delay_ms": 1000}
    gateway_options = {"visits": {"prefetchAt": japan_minutes_ago(1), "morningAt": "23:59"}}

    def consent_today(self, p):
        token = self.sim.control("GET", "/sim/home-reception/url?institution=" + INSTITUTION)["token"]
        self.sim.control("POST", "/sim/home-reception/%s/consent" % token, {
            "insurerNumber": p["insurerNumber"].strip(), "cardSymbol": p["cardSymbol"], "cardNumber": p["cardNumber"],
            "branchNumber": p["branchNumber"], "birthDate": p["birthDate"], "pin": "1234", "scopes": ["medication"],
            "medicalTreatmentFlag": 2, "examinationDate": japan_day()})
        self.assertEqual(self.gateway.request("POST", "/api/v1/home-consent/qualifications/refresh")[0], 200)

    def test_visits_are_flagged_against_the_consent_window(self):
        p, q = self.persons(2, validity="1")
        self.consent_today(p)
        status, body, _ = self.gateway.request("POST", "/api/v1/visits", {"visits": [
            visit(p, japan_day(), "home-visit", "A1"), visit(p, japan_day(1), "home-visit", "A2"),
            visit(q, japan_day(1), "online-consultation", "B1")]})
        self.assertEqual(status, 201, body)
        flags = {v["patientId"]: (v["consent"], v["flagged"]) for v in body["visits"]}
        self.assertEqual(flags, {"A1": ("in-window", False), "A2": ("after-consent-window", True),
                                 "B1": ("no-consent", True)})

    def test_bad_visits_get_clear_errors_and_change_nothing(self):
        p, q = self.persons(2, validity="1")
        tomorrow = japan_day(1)
        cases = [
            ({"visits": [visit(q, tomorrow, "home-visit", "ok"), visit(p, japan_day(-1), "home-visit", "old")]},
             422, "invalid-field", "過去"),
            ({"visits": [visit(p, tomorrow, "home-visit", "x"), visit(p, tomorrow, "home-visit", "y")]},
             409, "duplicate-visit", "visits[1]"),
            ({"visits": [visit(p, tomorrow, "house-call", "z")]}, 422, "invalid-field", "kind"),
            ({"visits": [dict(visit(p, tomorrow, "home-visit", "w"), insurerNumber="01130013")]}, 422, "invalid-field",
             "insurerNumber"),  # the JSON member, as sent
        ]
        for body, status, kind, words in cases:
            with self.subTest(kind=kind, words=words):
                s, answer, _ = self.gateway.request("POST", "/api/v1/visits", body)
                self.assertEqual((s, answer["type"]), (status, "urn:kakehashi:problem:" + kind))
                self.assertIn(words, answer["detail"])
        s, body, _ = self.gateway.request("GET", "/api/v1/visits?date=" + tomorrow)
        self.assertEqual(body["visits"], [], "a refused request must store nothing")
        self.assertEqual(self.gateway.request("POST", "/api/v1/visits", {"visits": [visit(p, tomorrow, "home-visit", "x")]})[0], 201)
        s, body, _ = self.gateway.request("POST", "/api/v1/visits", {"visits": [visit(p, tomorrow, "home-visit", "again")]})
        self.assertEqual((s, body["type"]), (409, "urn:kakehashi:problem:duplicate-visit"))
        s, body, _ = self.gateway.request("POST", "/api/v1/visits", raw=b"{nope")
        self.assertEqual(s, 400)

    def test_500_visits_are_prefetched_into_the_cache_before_their_day(self):
        persons = self.persons(500)
        tomorrow = japan_day(1)
        status, body, _ = self.gateway.request("POST", "/api/v1/visits", {"visits": [
            visit(p, tomorrow, "online-consultation" if i % 2 else "home-visit", "V%03d" % i) for i, p in enumerate(persons)]})
        self.assertEqual(status, 201, body)
        result = os.path.join(self.gateway.share, "res", "OQSmuquc02res_VISIT%sP.xml" % tomorrow)
        wait_until(lambda: os.path.exists(result), 60, "the prefetched batch's result file")
        with open(result, "rb") as f:
            units = parse(f.read()).findall("MessageBody/BulkConfirmUnit")
        self.assertEqual(len(units), 500)
        uploads = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/batches" and r["method"] == "POST"]
        self.assertEqual(len(uploads), 1)
        found = next(p for p in persons if p["validity"] == "1")
        status, answer, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(found))
        self.assertEqual((status, answer["source"], answer["stale"]), (200, "cache", False))
        self.assertEqual(answer["eligibility"]["name"], found["name"])
        self.assertEqual([r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"], [],
                         "reception was answered from the prefetched cache")
        status, body, _ = self.gateway.request("GET", "/api/v1/visits?date=" + tomorrow)
        self.assertEqual(sum(1 for v in body["visits"] if "answer" in v), 500)


if __name__ == "__main__":
    main()

"""Outage: with the upstream away (the central simulator stopped; under profile terminal, the terminal's share),
inquiries queue and cached answers come back marked stale; when it returns, the queue drains in the order the
requests arrived."""
import os
import time

from harness import IntegrationTest, inquiry_json, main, normal_id, parse, single_request, text, wait_until


class OutageTest(IntegrationTest):
    gateway_options = {"cache": {"freshSeconds": 1}, "upstream": {"liveWaitMillis": 1500}}

    def test_outage_queues_answers_stale_and_drains_in_order(self):
        p0, p1, p2, p3, p4 = self.persons(5, validity="1")
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p0))
        self.assertEqual((status, body["source"]), (200, "live"))
        time.sleep(2.5)  # p0's answer is no longer fresh (freshness counts whole seconds)
        self.upstream_down()

        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p0))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["source"], "cache")
        self.assertTrue(body["stale"], body)
        self.assertEqual(body["eligibility"]["name"], p0["name"])

        queued = []
        for p in (p1, p2, p3):
            status, body, res = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
            self.assertEqual(status, 202, body)
            self.assertEqual(body["status"], "queued")
            self.assertEqual(res.getheader("Location"), body["location"])
            queued.append(body)

        # The file channel: a cached person is answered at once, with the time the central system gave
        # the answer (before the outage) as its ProcessExecutionTime; an unknown one waits for the link.
        self.gateway.drop("OQSsiquc01req_202611250300.xml", single_request(p0, "202611250300"))
        root = parse(self.gateway.result("OQSsiquc01res_202611250300.xml"))
        answered = text(root, "MessageHeader/ProcessExecutionTime")
        self.assertEqual(len(answered), 14)
        now = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 9 * 3600))
        self.assertLess(answered, now, "a kept answer shows when it was really given")
        self.assertEqual(text(root, "MessageBody/ResultList/ResultOfQualificationConfirmation/Name"), p0["name"])
        self.gateway.drop("OQSsiquc01req_202611250301.xml", single_request(p4, "202611250301"))
        time.sleep(1.0)
        self.assertFalse(os.path.exists(os.path.join(self.gateway.share, "res", "OQSsiquc01res_202611250301.xml")))
        status, body, _ = self.gateway.request("GET", queued[0]["location"])
        self.assertEqual((status, body["status"]), (202, "queued"))

        self.upstream_up()  # the link returns, on the same address
        def answered(q):
            status, body, _ = self.gateway.request("GET", q["location"])
            return body if status == 200 else None
        for p, q in zip((p1, p2, p3), queued):
            body = wait_until(lambda: answered(q), 30, "queued inquiry to be answered", 0.2)
            self.assertEqual(body["source"], "live")
            self.assertEqual(body["eligibility"]["name"], p["name"])
        root = parse(self.gateway.result("OQSsiquc01res_202611250301.xml"))
        self.assertEqual(text(root, "MessageBody/ResultList/ResultOfQualificationConfirmation/Name"), p4["name"])

        seen = self.acted_request_ids("OQSsiquc01", "/v1/qualifications/inquiry")
        ours = [normal_id(q["requestId"]) for q in queued]
        self.assertEqual([i for i in seen if i in ours], ours, "the queue must drain in arrival order")
        self.assertEqual(len(seen), len(set(seen)))
        status, metrics, _ = self.gateway.request("GET", "/metrics", as_text=True)
        self.assertIn("kakehashi_outbound_queue_depth 0", metrics)


if __name__ == "__main__":
    main()

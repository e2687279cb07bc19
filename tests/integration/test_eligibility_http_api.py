"""The HTTP API: live then cached answers, batches, bearer tokens, problem+json, OpenAPI, metrics."""
from harness import IntegrationTest, inquiry_json, main, wait_until


class HttpApiTest(IntegrationTest):
    def test_inquiry_is_live_first_then_from_cache(self):
        p = self.persons(1, validity="1")[0]
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["source"], "live")
        self.assertEqual(body["status"], "valid")
        self.assertFalse(body["stale"])
        self.assertTrue(body["confirmedAt"].endswith("+09:00"))
        self.assertEqual(body["eligibility"]["name"], p["name"])
        self.assertEqual(body["arbitraryIdentifier"], "A1")
        status, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p, "A2"))
        self.assertEqual(status, 200)
        self.assertEqual(body["source"], "cache")
        self.assertEqual(body["arbitraryIdentifier"], "A2")
        inquiries = [r for r in self.sim.requests() if r["path"] == "/v1/qualifications/inquiry"]
        self.assertEqual(len(inquiries), 1, "the second answer must come from the cache")

    def test_batch_over_http(self):
        ps = self.persons(30)
        status, body, res = self.gateway.request("POST", "/api/v1/eligibility/batches",
                                                 {"entries": [inquiry_json(p, "E%d" % i) for i, p in enumerate(ps)]},
                                                 headers={"Idempotency-Key": "batch-1"})
        self.assertEqual(status, 202, body)
        reception = body["receptionNumber"]
        self.assertEqual(res.getheader("Location"), "/api/v1/eligibility/batches/" + reception)
        again = self.gateway.request("POST", "/api/v1/eligibility/batches",
                                     {"entries": [inquiry_json(p, "E%d" % i) for i, p in enumerate(ps)]},
                                     headers={"Idempotency-Key": "batch-1"})[1]
        self.assertEqual(again["receptionNumber"], reception, "same key, same batch")

        def done():
            s, b, _ = self.gateway.request("GET", "/api/v1/eligibility/batches/" + reception)
            return b if s == 200 and b["status"] == "done" else None
        result = wait_until(done, 30, "the batch to finish", 0.3)
        self.assertEqual([e["arbitraryIdentifier"] for e in result["entries"]], ["E%d" % i for i in range(30)])
        for p, e in zip(ps, result["entries"]):
            if p["validity"] == "1":
                self.assertEqual(e["eligibility"]["name"], p["name"])

    def test_bad_requests_get_problem_details(self):
        p = self.persons(1, validity="1")[0]
        cases = [
            ("POST", "/api/v1/eligibility/inquiries", b"{not json", 400, "malformed-json"),
            ("POST", "/api/v1/eligibility/inquiries", b"", 400, "empty-request"),
            ("POST", "/api/v1/eligibility/inquiries",
             ('{"insurerNumber":"01130013","cardNumber":"1","birthDate":"19800101"}').encode(), 422, "invalid-field"),
            ("GET", "/api/v1/eligibility/batches/..%2F..%2Fetc%2Fpasswd", None, 404, "not-found"),
            ("GET", "/api/v1/eligibility/batches/K1%3Bx", None, 404, "unknown-reception"),
            ("GET", "/api/v1/eligibility/batches/K0", None, 404, "unknown-reception"),
            ("DELETE", "/api/v1/eligibility/inquiries", None, 405, "method-not-allowed"),
            ("GET", "/api/v1/nothing", None, 404, "not-found"),
        ]
        for method, path, raw, status, kind in cases:
            with self.subTest(path=path, status=status):
                s, body, res = self.gateway.request(method, path, raw=raw)
                self.assertEqual(s, status, body)
                self.assertEqual(res.getheader("Content-Type"), "application/problem+json")
                self.assertEqual(body["type"], "urn:kakehashi:problem:" + kind)
                self.assertEqual(body["status"], status)
        s, body, res = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p), auth=False)
        self.assertEqual(s, 401)
        self.assertEqual(res.getheader("WWW-Authenticate"), "Bearer")
        s, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p),
                                          auth=False, headers={"Authorization": "Bearer kkh_wrong"})
        self.assertEqual(s, 401)
        # Still serving after all that.
        s, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(s, 200)

    def test_address_allow_list_and_body_limit(self):
        import subprocess
        from harness import KAKEHASHI_BIN
        token = subprocess.run([KAKEHASHI_BIN, "api-client", "add", "ward-3", "--allow", "10.0.0.0/8",
                                "--config", self.gateway.config_path], check=True, capture_output=True,
                               text=True).stdout.strip()
        p = self.persons(1, validity="1")[0]
        s, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p), auth=False,
                                          headers={"Authorization": "Bearer " + token})
        self.assertEqual((s, body["type"]), (403, "urn:kakehashi:problem:forbidden"))
        # A body over the route's limit is refused from its head: nothing of it need be sent.
        self.assertEqual(self.gateway.head_status("POST", "/api/v1/eligibility/batches", 17 * 1024 * 1024), 413)
        self.assertEqual(self.gateway.head_status("POST", "/api/v1/eligibility/inquiries", 100 * 1024), 413)
        # Without a token, a large body is refused before any of it is read.
        self.assertEqual(self.gateway.head_status("POST", "/api/v1/eligibility/batches", 4 * 1024 * 1024, auth=False), 401)
        s, body, _ = self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        self.assertEqual(s, 200)

    def test_native_spec_xml_adapter_on_the_adapter_route(self):
        from harness import document, header, search_info, parse, text
        ps = self.persons(2, validity="1")
        body = document(header("X1") + "<MessageBody>" + "".join(search_info(p, "N%d" % i) for i, p in enumerate(ps))
                        + "</MessageBody>", "Shift_JIS")
        s, _, res = self.gateway.request("POST", "/api/v1/adapters/spec-xml/inquiries", raw=body,
                                         headers={"Content-Type": "application/xml"}, as_text=False)
        self.assertEqual(s, 200)
        self.assertEqual(res.getheader("Content-Type"), "application/xml; charset=Shift_JIS")
        root = parse(self.gateway.last_body)
        units = root.findall("MessageBody/BulkConfirmUnit")
        self.assertEqual([text(u, "QualificationConfirmSearchInfo/ArbitraryIdentifier") for u in units], ["N0", "N1"])
        self.assertEqual([text(u, "ResultOfQualificationConfirmation/Name") for u in units], [p["name"] for p in ps])
        s, plugins, _ = self.gateway.request("GET", "/api/v1/plugins")
        self.assertIn({"id": "spec-xml", "state": "enabled"},
                      [{"id": p["id"], "state": p["state"]} for p in plugins["plugins"]])

    def test_openapi_health_and_metrics(self):
        s, doc, _ = self.gateway.request("GET", "/api/v1/openapi.json", auth=False)
        self.assertEqual(s, 200)
        for path in ("/api/v1/eligibility/inquiries", "/api/v1/eligibility/batches",
                     "/api/v1/eligibility/batches/{id}", "/healthz", "/readyz", "/metrics"):
            self.assertIn(path, doc["paths"])
        self.assertEqual(self.gateway.request("GET", "/healthz", auth=False)[0], 200)
        p = self.persons(1, validity="1")[0]
        self.gateway.request("POST", "/api/v1/eligibility/inquiries", inquiry_json(p))
        s, _, _ = self.gateway.request("GET", "/metrics", auth=False)
        self.assertEqual(s, 401)  # the box's state is for its clients only
        s, text, res = self.gateway.request("GET", "/metrics", as_text=True)
        self.assertEqual(res.getheader("Content-Type"), "text/plain; version=0.0.4")
        self.assertIn('kakehashi_http_requests_total{route="/api/v1/eligibility/inquiries",status="200"} 1', text)
        self.assertIn("kakehashi_outbound_queue_depth 0", text)
        self.assertIn("kakehashi_eligibility_live_total 1", text)
        # The fleet's gauges (firmware/monitoring/kakehashi-alerts.yml); a box not in a pair has no pair series.
        self.assertRegex(text, r'kakehashi_firmware_info\{version="[0-9.]+",gateway="[0-9.]+"\} 1\n')
        self.assertRegex(text, r'kakehashi_certificate_expiry_timestamp_seconds\{certificate="upstream-client"\} \d{10}\n')
        self.assertNotIn("kakehashi_ha_", text)


if __name__ == "__main__":
    main()

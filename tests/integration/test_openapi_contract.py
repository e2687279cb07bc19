"""The OpenAPI document is a contract a vendor can generate a client from: it passes an independent OpenAPI
validator, and what the running gateway really sends and accepts matches its schemas (checked with Ajv by
tests/browser/openapi_contract.mjs). Every exchange of these tests is recorded with the route as the
document spells it, then handed to the validator in one go."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from harness import IntegrationTest, inquiry_json, main, wait_until
from browser_run import BROWSER_TESTS

DOCUMENT = "/api/v1/openapi.json"
INQUIRIES = "/api/v1/eligibility/inquiries"
BATCHES = "/api/v1/eligibility/batches"


def require_validators(test):
    """Fails `test` with how to get them when node or the pinned npm validators are missing."""
    if shutil.which("node") is None:
        test.fail("node is not installed (apt-get install nodejs npm; scripts/bootstrap does it)")
    for package in ("@apidevtools/swagger-parser", "ajv", "ajv-formats"):
        if not os.path.isdir(os.path.join(BROWSER_TESTS, "node_modules", package)):
            test.fail("%s is missing: run `npm ci` in tests/browser (scripts/bootstrap does it)" % package)


def japan_day(offset=0):
    return time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600 + offset * 86400))


class OpenApiContractTest(IntegrationTest):
    # A short live wait, so an inquiry during an outage is queued (202) without a long test.
    gateway_options = {"upstream": {"liveWaitMillis": 1000}}

    def setUp(self):
        require_validators(self)
        super().setUp()
        self.exchanges = []

    def call(self, method, route, params=None, query="", body=None, raw=None, headers=None, auth=True, as_text=False):
        """One request to `route` (the document's path, with {params} filled in), recorded for the validator."""
        path = route
        for name, value in (params or {}).items():
            path = path.replace("{%s}" % name, str(value))
        h = dict(headers or {})
        status, parsed, res = self.gateway.request(method, path + query, body=body, raw=raw, headers=h,
                                                   auth=auth, as_text=as_text)
        exchange = {"method": method, "route": route, "status": status,
                    "contentType": res.getheader("Content-Type") or "",
                    "body": self.gateway.last_body.decode("utf-8", "replace")}
        if body is not None or raw is not None:
            exchange["requestContentType"] = h.get("Content-Type", "application/json")
            exchange["requestBody"] = json.dumps(body) if body is not None else raw.decode("utf-8", "replace")
        self.exchanges.append(exchange)
        return status, parsed, res

    def validate(self, document):
        """Runs the npm validators over the document and every recorded exchange; returns their summary."""
        work = tempfile.mkdtemp(prefix="kakehashi-openapi-", dir=self.workdir)
        doc_path, exchanges_path = os.path.join(work, "openapi.json"), os.path.join(work, "exchanges.json")
        with open(doc_path, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False)
        with open(exchanges_path, "w", encoding="utf-8") as f:
            json.dump(self.exchanges, f, ensure_ascii=False)
        run = subprocess.run(["node", os.path.join(BROWSER_TESTS, "openapi_contract.mjs"), doc_path, exchanges_path],
                             cwd=BROWSER_TESTS, capture_output=True, text=True, timeout=120)
        lines = run.stdout.strip().splitlines()
        self.assertTrue(lines, "the validator said nothing: " + run.stderr[-2000:])
        summary = json.loads(lines[-1])
        self.assertEqual(summary["failures"], [], "contract failures")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        return summary

    def test_document_is_valid_openapi_and_real_exchanges_match_it(self):
        status, document, _ = self.call("GET", DOCUMENT, auth=False)
        self.assertEqual(status, 200)
        self.assertEqual(document["openapi"], "3.0.3")
        self.assertTrue(document["servers"])
        # Every operation names itself, tells its success, and public ones waive the token.
        public = {("get", "/healthz"), ("get", "/readyz"), ("get", DOCUMENT), ("get", "/api/v1/home-reception/url"),
                  ("get", "/api/v1/home-reception/qr.png"), ("get", "/api/v1/home-reception/qr.svg"),
                  ("get", "/api/v1/home-reception/poster"), ("post", "/api/v1/staff/sign-in"),
                  ("get", "/api/v1/staff/me"), ("post", "/api/v1/staff/sign-out")}
        # The card-check and reader routes also take a staff member signed in on the staff page.
        staff = {path for path in document["paths"] if path.startswith(("/api/v1/readers", "/api/v1/card-checks"))}
        for path, item in document["paths"].items():
            for method, op in item.items():
                with self.subTest(operation=(method, path)):
                    self.assertTrue(op.get("operationId"))
                    self.assertTrue(any(s.startswith("2") for s in op["responses"]), op["responses"].keys())
                    self.assertIn("default", op["responses"])
                    if (method, path) in public:
                        self.assertEqual(op["security"], [])
                    elif path in staff:
                        self.assertEqual(op["security"], [{"clientToken": []}, {"staffSession": []}])
                        self.assertIn("401", op["responses"])
                    else:
                        self.assertNotIn("security", op, "API routes take the document's bearer token")
                        self.assertIn("401", op["responses"])
        p, q, r = self.persons(3, validity="1")

        # 資格確認: answered, then the problems a client meets.
        s, answer, _ = self.call("POST", INQUIRIES, body=inquiry_json(p))
        self.assertEqual((s, answer["source"]), (200, "live"), answer)
        self.assertEqual(self.call("POST", INQUIRIES, body=inquiry_json(p, "A2"))[1]["source"], "cache")
        s, problem, _ = self.call("POST", INQUIRIES, raw=b"{not json")
        self.assertEqual((s, problem["type"]), (400, "urn:kakehashi:problem:malformed-json"))
        self.assertEqual(self.call("POST", INQUIRIES, raw=b"")[0], 400)
        wrong = dict(inquiry_json(q), birthDate="19801340", branchNumber="1")
        s, problem, _ = self.call("POST", INQUIRIES, body=wrong)
        self.assertEqual((s, problem["type"]), (422, "urn:kakehashi:problem:invalid-field"))
        # Members are named as the client sent them, not as the spec's XML elements.
        self.assertEqual(sorted(e["field"] for e in problem["errors"]), ["birthDate", "branchNumber"])
        s, problem, res = self.call("POST", INQUIRIES, body=inquiry_json(p), auth=False)
        self.assertEqual((s, res.getheader("WWW-Authenticate")), (401, "Bearer"))
        self.assertEqual(self.call("POST", INQUIRIES, body=inquiry_json(p), auth=False,
                                   headers={"Authorization": "Bearer kkh_wrong"})[0], 401)
        self.assertEqual(self.call("GET", INQUIRIES + "/{ticket}", {"ticket": "x1"})[0], 404)
        self.assertEqual(self.call("GET", BATCHES + "/{id}", {"id": "K0"})[0], 404)

        # 一括照会: accepted (202), then its answers; an invalid entry is answered in JSON names too.
        entries = [inquiry_json(p, "E0"), inquiry_json(q, "E1"), dict(inquiry_json(r, "E2"), birthDate="1980")]
        s, batch, res = self.call("POST", BATCHES, body={"fileIdentifier": "F1", "entries": entries},
                                  headers={"Idempotency-Key": "contract-1"})
        self.assertEqual(s, 202, batch)

        def done():
            s, b, _ = self.call("GET", BATCHES + "/{id}", {"id": batch["receptionNumber"]})
            return b if s == 200 else None
        result = wait_until(done, 30, "the batch to finish", 0.3)
        self.assertEqual([e["arbitraryIdentifier"] for e in result["entries"]], ["E0", "E1", "E2"])
        self.assertIn("birthDate", result["entries"][2]["processingResult"]["message"])
        self.assertEqual(self.call("POST", BATCHES, body={"entries": []})[0], 400)

        # 照会番号登録: answered per entry, invalid entries named in JSON.
        reg = {"entries": [{"referenceNumber": "OA-1", "insurerNumber": p["insurerNumber"].strip(),
                            "cardSymbol": p.get("cardSymbol", ""), "cardNumber": p["cardNumber"],
                            "branchNumber": p.get("branchNumber", "")},
                           {"referenceNumber": "bad number!", "insurerNumber": "1", "cardNumber": "1"}]}
        s, outcome, _ = self.call("POST", "/api/v1/reference-numbers", body=reg)
        self.assertEqual(s, 200, outcome)
        self.assertEqual([x["status"] for x in outcome["results"]], ["registered", "invalid"])
        self.assertEqual(sorted(e["field"] for e in outcome["results"][1]["errors"]),
                         ["insurerNumber", "referenceNumber"])
        csv = "照会番号,保険者番号,記号,番号,枝番\nOA-2,%s,%s,%s,%s\n" % (
            q["insurerNumber"].strip(), q.get("cardSymbol", ""), q["cardNumber"], q.get("branchNumber", ""))
        s, outcome, _ = self.call("POST", "/api/v1/reference-numbers/import", raw=csv.encode("utf-8"),
                                  headers={"Content-Type": "text/csv; charset=utf-8"})
        self.assertEqual(s, 200, outcome)
        self.assertEqual(self.call("GET", "/api/v1/reference-numbers/{ticket}", {"ticket": 999999})[0], 404)

        # Planned visits and their day's batch.
        tomorrow = japan_day(1)
        visit = dict(inquiry_json(q, "V1"), visitDate=tomorrow, kind="home-visit", patientId="V1")
        s, visits, _ = self.call("POST", "/api/v1/visits", body={"visits": [visit]})
        self.assertEqual(s, 201, visits)
        self.assertEqual(self.call("GET", "/api/v1/visits", query="?date=" + tomorrow)[0], 200)
        s, sent, _ = self.call("POST", "/api/v1/visits/{date}/batch", {"date": tomorrow})
        self.assertEqual(s, 202, sent)
        self.assertEqual(self.call("POST", "/api/v1/visits/{date}/batch", {"date": japan_day(2)})[0], 404)

        # 居宅同意取得型, マイナ在宅受付Web, adapters and the box itself.
        self.assertEqual(self.call("GET", "/api/v1/home-consent/qualifications")[0], 200)
        self.assertEqual(self.call("POST", "/api/v1/home-consent/qualifications/refresh")[0], 200)
        s, problem, _ = self.call("POST", "/api/v1/medical-info/{scope}", {"scope": "medication"},
                                  body=dict(inquiry_json(p), branchNumber="", startDate="2026"))
        self.assertEqual(s, 422, problem)
        self.assertEqual(sorted(e["field"] for e in problem["errors"]), ["branchNumber", "startDate"])
        wait_until(lambda: self.call("GET", "/api/v1/home-reception/url", auth=False)[0] == 200, 15,
                   "the URL to be fetched at first start")
        self.assertEqual(self.call("GET", "/api/v1/home-reception/qr.svg", query="?ec=Q", auth=False)[0], 200)
        self.assertEqual(self.call("GET", "/api/v1/home-reception/qr.png", query="?size=4", auth=False)[0], 200)
        self.assertEqual(self.call("GET", "/api/v1/home-reception/qr.png", query="?ec=Z", auth=False)[0], 422)
        self.assertEqual(self.call("GET", "/api/v1/home-reception/poster", auth=False, as_text=True)[0], 200)
        self.assertEqual(self.call("GET", "/api/v1/plugins")[0], 200)
        self.assertEqual(self.call("GET", "/healthz", auth=False)[0], 200)
        self.assertEqual(self.call("GET", "/readyz", auth=False)[0], 200)
        self.assertEqual(self.call("GET", "/metrics", as_text=True)[0], 200)

        # Queued: with the central system unreachable an inquiry is a ticket (202), answered once it returns.
        self.sim.faults(outage=True)
        s, queued, res = self.call("POST", INQUIRIES, body=inquiry_json(r))
        self.assertEqual((s, queued["status"]), (202, "queued"), queued)
        self.assertEqual(res.getheader("Location"), queued["location"])
        self.assertEqual(self.call("GET", INQUIRIES + "/{ticket}", {"ticket": queued["ticket"]})[0], 202)
        self.sim.faults(outage=False)

        def answered():
            s, b, _ = self.call("GET", INQUIRIES + "/{ticket}", {"ticket": queued["ticket"]})
            return b if s == 200 else None
        self.assertEqual(wait_until(answered, 30, "the queued inquiry to be answered", 0.3)["status"], "valid")

        summary = self.validate(document)
        self.assertEqual(summary["checked"], len(self.exchanges))
        self.assertGreaterEqual(summary["operations"], 30)

    def test_a_broken_document_is_caught(self):
        """The validators really judge: a document with a path parameter lacking its schema, and an answer
        missing a required member, both fail."""
        status, document, _ = self.call("GET", DOCUMENT, auth=False)
        self.assertEqual(status, 200)
        broken = json.loads(json.dumps(document))
        del broken["paths"]["/api/v1/eligibility/batches/{id}"]["get"]["parameters"][0]["schema"]
        self.exchanges = []
        with self.assertRaises(AssertionError):
            self.validate(broken)
        self.exchanges = [{"method": "GET", "route": "/healthz", "status": 200, "contentType": "application/json",
                           "body": "{\"state\":\"ok\"}"}]
        with self.assertRaises(AssertionError):
            self.validate(document)


if __name__ == "__main__":
    main()

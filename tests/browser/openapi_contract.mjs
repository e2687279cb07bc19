// Checks Kakehashi's OpenAPI document with validators that share no code with it: the document against
// the OpenAPI 3.0 specification (swagger-parser), then requests and replies that really crossed the wire
// against the document's schemas (Ajv). Run by tests/integration/test_openapi_contract.py:
//
//   node openapi_contract.mjs <openapi.json> <exchanges.json>
//
// exchanges.json: [{method, route, status, contentType, body, requestContentType?, requestBody?}], route
// being the path as the document spells it ("/api/v1/eligibility/batches/{id}"). Prints one JSON line
// {"operations": N, "checked": N, "failures": [...]} and exits 1 when anything fails.
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [docPath, exchangesPath] = process.argv.slice(2);
const document = JSON.parse(readFileSync(docPath, "utf8"));
const exchanges = JSON.parse(readFileSync(exchangesPath, "utf8"));
const failures = [];

let api;
try {
  // validate() checks the document against the OpenAPI 3.0 schema and the rules that schema cannot say
  // (path parameters declared, operationIds unique, …), and answers it with every $ref resolved.
  api = await SwaggerParser.validate(structuredClone(document));
} catch (e) {
  console.log(JSON.stringify({ operations: 0, checked: 0, failures: ["document: " + e.message] }));
  process.exit(1);
}

// Strict, so a misspelt keyword in a schema is an error rather than a constraint silently not checked.
const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
// OpenAPI's own formats for numbers and bytes: documentation for generators, nothing to check in JSON.
for (const f of ["int32", "int64", "binary"]) ajv.addFormat(f, true);
const compiled = new Map();
function validatorOf(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  return compiled.get(schema);
}

function mediaOf(content, contentType) {
  const base = (contentType || "").split(";")[0].trim().toLowerCase();
  return content?.[base] ?? content?.["*/*"];
}

function check(what, media, contentType, body) {
  if (!media) return failures.push(`${what}: ${contentType || "no Content-Type"} is not documented`);
  const isJson = /json/.test(contentType || "");
  if (!isJson) {
    if (media.schema?.type !== "string") failures.push(`${what}: ${contentType} documented as ${JSON.stringify(media.schema)}`);
    return;
  }
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    return failures.push(`${what}: body is not JSON`);
  }
  const validate = validatorOf(media.schema);
  if (!validate(value))
    failures.push(`${what}: ${ajv.errorsText(validate.errors, { dataVar: "body" })} in ${body.slice(0, 300)}`);
}

let operations = 0;
for (const item of Object.values(api.paths)) operations += Object.keys(item).filter((k) => k !== "parameters").length;

let checked = 0;
for (const x of exchanges) {
  const what = `${x.method} ${x.route} ${x.status}`;
  const op = api.paths[x.route]?.[x.method.toLowerCase()];
  if (!op) {
    failures.push(`${what}: no such operation in the document`);
    continue;
  }
  // Every status a client really met must be documented by itself, not only through "default".
  const response = op.responses[String(x.status)];
  if (!response) {
    failures.push(`${what}: status not documented (has ${Object.keys(op.responses).join(", ")})`);
    continue;
  }
  check(what, mediaOf(response.content, x.contentType), x.contentType, x.body);
  if (x.requestBody !== undefined && x.status < 400) {
    if (!op.requestBody) failures.push(`${what}: sent a body the document does not take`);
    else check(`${what} request`, mediaOf(op.requestBody.content, x.requestContentType), x.requestContentType, x.requestBody);
  }
  checked++;
}

console.log(JSON.stringify({ operations, checked, failures }));
process.exit(failures.length ? 1 : 0);

-- JSON webhook dialect of a cloud electronic-chart system. The chart posts
--   {"requestId": "...", "patients": [{"patientId", "insurer", "symbol", "number", "branch", "birthday": "YYYY-MM-DD"}]}
-- to /api/v1/adapters/json-webhook/inquiries and gets 202 at once; the results are pushed to the
-- configured callback URL as
--   {"requestId": "...", "results": [{"patientId", "eligible", "status", "name", "nameKana", "burdenRate",
--                                     "insurerName", "validUntil", "confirmedAt", "source", "stale", "error"?}]}
local M = {}

local function entry_from(p)
  local patient = type(p.patientId) == "string" and p.patientId or ""
  local birthday = type(p.birthday) == "string" and p.birthday:gsub("-", "") or ""
  local inquiry, errors = kakehashi.record.inquiry {
    insurerNumber = p.insurer, cardSymbol = p.symbol or "", cardNumber = p.number,
    branchNumber = p.branch or "", birthDate = birthday, arbitraryIdentifier = patient,
  }
  if not inquiry then return { error = errors[1], arbitraryIdentifier = patient } end
  return inquiry
end

function M.decode_request(msg, ctx)
  local doc = kakehashi.json.decode(msg.body)
  if type(doc) ~= "table" or type(doc.patients) ~= "table" then
    kakehashi.err("invalid-field", "patients must be an array")
  end
  local entries, skipped = {}, 0
  for _, p in ipairs(doc.patients) do
    if type(p) ~= "table" then kakehashi.err("invalid-field", "each patient must be an object") end
    entries[#entries + 1] = entry_from(p)
    if entries[#entries].error then skipped = skipped + 1 end
  end
  kakehashi.log.info("request-read", { entries = #entries, skipped = skipped })  -- counts only (plugin.json)
  return { entries = entries, correlation = type(doc.requestId) == "string" and doc.requestId or "" }
end

local function result_of(a)
  local e = a.eligibility or {}
  local p = a.processingResult or {}
  local r = {
    patientId = a.arbitraryIdentifier or "",
    eligible = a.status == "valid",
    status = a.status,
    name = e.name, nameKana = e.nameKana, insurerName = e.insurerName,
    burdenRate = e.burdenRatio and (tonumber(e.burdenRatio) / 100) or nil,
    validUntil = e.cardExpirationDate,
    confirmedAt = a.confirmedAt, source = a.source, stale = a.stale,
  }
  if p.status ~= nil and p.status ~= "1" then r.error = { code = p.code, message = p.message } end
  return r
end

function M.encode_result(result, ctx)
  local results = {}
  for _, a in ipairs(result.answers) do results[#results + 1] = result_of(a) end
  kakehashi.log.info("results-written", { answers = #results })
  return { { name = "callback", contentType = "application/json",
             body = kakehashi.json.encode { requestId = result.correlation, results = results } } }
end

return M

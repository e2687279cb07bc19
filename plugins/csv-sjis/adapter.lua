-- CSV dialect of receipt systems that export one patient a line, in Shift_JIS, with a header row and
-- birth dates in 和暦 (e.g. "S55.1.1" or "昭和55年1月1日"):
--   患者番号,保険者番号,記号,番号,枝番,生年月日
-- The answer is a CSV in the same encoding, one line per patient, in the same order.
-- Logs (kakehashi.log) carry counts only, as plugin.json declares: never a name, number or date.
local columns = require("columns")

local M = {}

local function entry_from(row, line_no)
  local patient = row[columns.PATIENT] or ""
  local birth, why = kakehashi.date.from_wareki(row[columns.BIRTH] or "")
  if not birth then
    return { error = { field = columns.BIRTH, message = why or "生年月日が読めません" }, arbitraryIdentifier = patient }
  end
  local inquiry, errors = kakehashi.record.inquiry {
    insurerNumber = row[columns.INSURER] or "",
    cardSymbol = row[columns.SYMBOL] or "",
    cardNumber = row[columns.NUMBER] or "",
    branchNumber = row[columns.BRANCH] or "",
    birthDate = birth,
    arbitraryIdentifier = patient,
  }
  if not inquiry then
    return { error = errors[1], arbitraryIdentifier = patient }
  end
  return inquiry
end

function M.decode_request(msg, ctx)
  local text = kakehashi.sjis.to_utf8(msg.body)
  local rows = kakehashi.csv.parse(text, { header = true })
  local entries, skipped = {}, 0
  for i, row in ipairs(rows) do
    if row[columns.PATIENT] ~= nil or row[columns.NUMBER] ~= nil then
      entries[#entries + 1] = entry_from(row, i + 1)
      if entries[#entries].error then skipped = skipped + 1 end
    end
  end
  kakehashi.log.info("request-read", { entries = #entries, skipped = skipped })
  return { entries = entries, correlation = msg.name }
end

local function result_line(answer, style)
  local e = answer.eligibility or {}
  local p = answer.processingResult or {}
  local birth = e.birthDate and kakehashi.date.to_wareki(e.birthDate, style) or ""
  return {
    answer.arbitraryIdentifier or "",
    columns.STATUS_TEXT[answer.status] or answer.status or "",
    answer.qualificationValidity or "",
    e.name or "",
    e.nameKana or "",
    birth,
    e.burdenRatio and tostring(tonumber(e.burdenRatio) // 10) .. "割" or "",
    e.insurerName or "",
    answer.confirmedAt or "",
    columns.SOURCE_TEXT[answer.source or ""] or "",
    (answer.stale and "オフライン時の記録" or "") .. (p.status == "1" and "" or (p.message or "")),
  }
end

function M.encode_result(result, ctx)
  local style = ctx.settings.eraStyle or "letter"
  local rows = { columns.RESULT_HEADER }
  for _, answer in ipairs(result.answers) do
    rows[#rows + 1] = result_line(answer, style)
  end
  local base = result.request.name:gsub("%.[Cc][Ss][Vv]$", "")
  kakehashi.log.info("results-written", { answers = #result.answers })
  return { { name = base .. (ctx.settings.resultSuffix or "_result") .. ".csv",
             body = kakehashi.sjis.from_utf8(kakehashi.csv.format(rows)),
             contentType = "text/csv; charset=Shift_JIS" } }
end

return M

-- Fixed-width records of the kind older receipt systems write: CP932 bytes, one patient a line.
-- Request record (68 bytes):
--   1-10 患者番号 | 11-18 保険者番号 (right-aligned) | 19-38 記号 | 39-58 番号 | 59-60 枝番 | 61-68 生年月日 (YYYYMMDD)
-- Result record (82 bytes):
--   1-10 患者番号 | 11-12 結果 (01 有効, 02 無効, 03 該当なし, 04 複数, 08 照会中, 09 エラー)
--   13 資格有効性 | 14-16 負担割合 | 17-46 カナ氏名 | 47-54 有効期限 | 55-62 確認日 | 63 情報源 (L/C/-)
--   64-82 エラーコード
local layout = require("layout")

local M = {}

local function field(line, name)
  local f = layout.REQUEST[name]
  return kakehashi.fixed.slice(line, f[1], f[2])
end

local function entry_from(line)
  local patient = field(line, "patient")
  if #line < layout.REQUEST_LENGTH then
    return { error = { field = "record", message = "レコード長が不足しています" }, arbitraryIdentifier = patient }
  end
  local inquiry, errors = kakehashi.record.inquiry {
    insurerNumber = field(line, "insurer"),
    cardSymbol = field(line, "symbol"),
    cardNumber = field(line, "number"),
    branchNumber = field(line, "branch"),
    birthDate = field(line, "birth"),
    arbitraryIdentifier = patient,
  }
  if not inquiry then return { error = errors[1], arbitraryIdentifier = patient } end
  return inquiry
end

-- Lines split with plain find: linear on any file size, with no pattern steps to count against the budget.
local function lines(body)
  local out, pos = {}, 1
  while pos <= #body do
    local nl = body:find("\n", pos, true)
    local line = body:sub(pos, (nl or #body + 1) - 1)
    if line:sub(-1) == "\r" then line = line:sub(1, -2) end
    out[#out + 1] = line
    if not nl then break end
    pos = nl + 1
  end
  return out
end

function M.decode_request(msg, ctx)
  local entries, skipped = {}, 0
  for _, line in ipairs(lines(msg.body)) do
    if #line > 0 then
      entries[#entries + 1] = entry_from(line)
      if entries[#entries].error then skipped = skipped + 1 end
    end
  end
  kakehashi.log.info("request-read", { entries = #entries, skipped = skipped })  -- counts only (plugin.json)
  return { entries = entries, correlation = msg.name }
end

local function result_record(a)
  local e = a.eligibility or {}
  local p = a.processingResult or {}
  local confirmed = (a.confirmedAt or ""):gsub("-", ""):sub(1, 8)
  return table.concat {
    kakehashi.fixed.pad(a.arbitraryIdentifier or "", 10, "left"),
    layout.STATUS[a.status] or "09",
    kakehashi.fixed.pad(a.qualificationValidity or "", 1, "left"),
    kakehashi.fixed.pad(e.burdenRatio or "", 3, "left"),
    kakehashi.fixed.pad(e.nameKana or "", 30, "left"),
    kakehashi.fixed.pad(e.cardExpirationDate or "", 8, "left"),
    kakehashi.fixed.pad(confirmed, 8, "left"),
    layout.SOURCE[a.source or ""] or "-",
    kakehashi.fixed.pad(p.status == "1" and "" or (p.code or ""), 19, "left"),
  }
end

function M.encode_result(result, ctx)
  local eol = (ctx.settings.lineEnd == "LF") and "\n" or "\r\n"
  local records = {}
  for _, a in ipairs(result.answers) do records[#records + 1] = result_record(a) .. eol end
  local base = result.request.name:gsub("%.[Dd][Aa][Tt]$", "")
  kakehashi.log.info("results-written", { answers = #records })
  return { { name = base .. ".res", body = table.concat(records), contentType = "application/octet-stream" } }
end

return M

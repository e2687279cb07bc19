-- Column names of the CSV dialect (request and result) and the words used in results.
return {
  PATIENT = "患者番号",
  INSURER = "保険者番号",
  SYMBOL = "記号",
  NUMBER = "番号",
  BRANCH = "枝番",
  BIRTH = "生年月日",
  RESULT_HEADER = { "患者番号", "結果", "資格有効性", "氏名", "カナ氏名", "生年月日", "負担割合", "保険者名称",
                    "確認日時", "情報源", "メッセージ" },
  STATUS_TEXT = { valid = "有効", lapsed = "無効", not_found = "該当なし", multiple = "複数該当",
                  unknown = "不明", error = "エラー", queued = "照会中" },
  SOURCE_TEXT = { live = "オンライン", cache = "キャッシュ", ["local"] = "本機" },
}

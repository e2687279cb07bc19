#include "medical_info.hpp"

#include <cstdio>
#include <vector>

#include "codes.hpp"
#include "japan_time.hpp"
#include "prng.hpp"
#include "xml_writer.hpp"

namespace ksim {

namespace {

// --- synthetic tables (codes are made up; names are generic, drugs marked シミュ) ---

struct DrugLine {
    const char* code;  // 9 digits, like a 医薬品コード, but starting with 99
    const char* name;
    const char* ingredient;
    const char* quantity;  // per day
    const char* unit;
    const char* usage;
    const char* instruction;  // 特別指示, often none
    const char* times;        // 日分 / 回分
    const char* usageClass;   // 1 内服, 3 頓服
};

const DrugLine kAdultDrugs[] = {
    {"991000101", "アムロジピン錠５ｍｇ（シミュ）", "アムロジピンベシル酸塩", "1", "錠", "1日1回朝食後", "", "28", "1"},
    {"991000102", "ロスバスタチン錠２．５ｍｇ（シミュ）", "ロスバスタチンカルシウム", "1", "錠", "1日1回夕食後", "", "28", "1"},
    {"991000103", "メトホルミン塩酸塩錠２５０ｍｇ（シミュ）", "メトホルミン塩酸塩", "2", "錠", "1日2回朝夕食後", "", "28", "1"},
    {"991000104", "ランソプラゾールＯＤ錠１５ｍｇ（シミュ）", "ランソプラゾール", "1", "錠", "1日1回朝食後", "", "28", "1"},
    {"991000105", "カンデサルタン錠８ｍｇ（シミュ）", "カンデサルタンシレキセチル", "1", "錠", "1日1回朝食後", "", "28", "1"},
    {"991000106", "ロキソプロフェンＮａ錠６０ｍｇ（シミュ）", "ロキソプロフェンナトリウム水和物", "1", "錠", "疼痛時", "痛む時のみ", "10", "3"},
    {"991000107", "レバミピド錠１００ｍｇ（シミュ）", "レバミピド", "3", "錠", "1日3回毎食後", "", "7", "1"},
    {"991000108", "フェキソフェナジン塩酸塩錠６０ｍｇ（シミュ）", "フェキソフェナジン塩酸塩", "2", "錠", "1日2回朝夕食後", "", "14", "1"},
};

const DrugLine kChildDrugs[] = {
    {"992000201", "カルボシステインＤＳ５０％（シミュ）", "Ｌ－カルボシステイン", "0.6", "g", "1日3回毎食後", "", "5", "1"},
    {"992000202", "アンブロキソール塩酸塩シロップ小児用０．３％（シミュ）", "アンブロキソール塩酸塩", "3", "mL", "1日3回毎食後", "", "5", "1"},
    {"992000203", "アセトアミノフェン細粒２０％（シミュ）", "アセトアミノフェン", "0.5", "g", "発熱時", "38.5度以上の時", "3", "3"},
};

// 診療行為 of a visit (the clinical scope).
struct Procedure {
    const char* code;  // 9 digits starting with 99
    const char* name;
};

const Procedure kAdultProcedures[] = {
    {"990000001", "再診料（シミュ）"}, {"990000002", "外来管理加算（シミュ）"}, {"990000003", "処方箋料（シミュ）"}};
const Procedure kLabProcedure = {"990000004", "血液学的検査判断料（シミュ）"};
const Procedure kChildProcedures[] = {
    {"990000001", "再診料（シミュ）"}, {"990000005", "乳幼児加算（シミュ）"}, {"990000003", "処方箋料（シミュ）"}};

struct FacilityName {
    const char* base;  // 都道府県 13, 点数表 (1 医科, 4 調剤), 郡市区, number: the check digit is added
    const char* name;
};

const FacilityName kClinics[] = {{"131019001", "さくら通り内科クリニック"},
                                 {"131019002", "みなと台総合病院"},
                                 {"131019003", "ひかり耳鼻咽喉科"},
                                 {"131019004", "こもれび小児科"}};
const FacilityName kPharmacies[] = {
    {"134019101", "みどり調剤薬局"}, {"134019102", "あおば薬局　駅前店"}, {"134019103", "つばさ薬局"}};

template <typename T, std::size_t N>
constexpr std::uint32_t count(const T (&)[N]) {
    return static_cast<std::uint32_t>(N);
}

// --- the records of one person ---

struct Dispensing {
    std::string date;  // the visit, prescription and dispensing day
    const FacilityName* clinic;
    const FacilityName* pharmacy;
    std::vector<const DrugLine*> drugs;
    std::vector<const Procedure*> procedures;
};

struct ItemValue {
    const char* code;
    const char* name;
    const char* type;  // PQ 数値, CD コード
    const char* unit;  // PQ only
    std::string value;
    const char* oid;        // CD only: the code system (made up)
    std::string valueName;  // CD only
};

struct Checkup {
    std::string date;
    std::vector<ItemValue> items;
};

struct Records {
    std::vector<Dispensing> dispensings;  // oldest first
    std::vector<Checkup> checkups;        // newest first
    std::string startDate, endDate;       // the effective period, YYYYMMDD (start empty: open)
};

std::uint64_t personSeed(const Person& p, const Population& population) {
    std::string key = foldedIdentifier(trimmed(population.insurerOf(p).number)) + '|' + p.cardNumber + '|' +
                      p.branchNumber + '|' + p.birthDate;
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

std::string decimal(double value, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}

std::string facilityCode(const FacilityName& f) { return withCheckDigit(f.base); }

bool inPeriod(const std::string& date, const Records& r) {
    return (r.startDate.empty() || date >= r.startDate) && (r.endDate.empty() || date <= r.endDate);
}

// A request's StartDate as a day: YYYYMM is its first day; YYYYMMDD (the earlier shape) as given.
std::string periodStart(const std::string& raw) {
    std::string s = trimmed(raw);
    return s.size() == 6 ? s + "01" : s;
}

// A request's EndDate as a day: YYYYMM is its last day; YYYYMMDD as given; empty stays empty.
std::string periodEnd(const std::string& raw) {
    std::string s = trimmed(raw);
    if (s.size() != 6) return s;
    int year = std::stoi(s.substr(0, 4)), month = std::stoi(s.substr(4, 2));
    return ymd(CivilDate{year, month, daysInMonth(year, month)});
}

void makeDispensings(Records& r, SplitMix64& rng, long today, long birth, bool child, bool clinical) {
    std::vector<const DrugLine*> regimen;
    const DrugLine* pool = child ? kChildDrugs : kAdultDrugs;
    std::uint32_t poolSize = child ? count(kChildDrugs) : count(kAdultDrugs);
    std::uint32_t wanted = 1 + rng.below(child ? 2 : 3);
    std::uint32_t first = rng.below(poolSize);
    for (std::uint32_t i = 0; i < wanted; ++i) regimen.push_back(&pool[(first + i * 3) % poolSize]);
    const FacilityName* pharmacy = &kPharmacies[rng.below(count(kPharmacies))];
    const FacilityName* clinic = child ? &kClinics[3] : &kClinics[rng.below(3)];
    std::vector<const Procedure*> procedures;
    if (clinical) {
        for (const Procedure& p : child ? kChildProcedures : kAdultProcedures) procedures.push_back(&p);
    }
    bool labs = !child && rng.chance(0.5);
    long latest = today - 7 - rng.below(7);
    for (int k = 2; k >= 0; --k) {  // oldest first
        long day = latest - 28L * k;
        if (day < birth) continue;
        std::string date = ymd(day);
        if (!inPeriod(date, r)) continue;
        Dispensing d{date, clinic, pharmacy, regimen, procedures};
        if (clinical && labs && k == 2) d.procedures.push_back(&kLabProcedure);
        r.dispensings.push_back(d);
    }
}

void makeCheckups(Records& r, SplitMix64& rng, long today, bool male) {
    double height = male ? 160 + rng.below(220) / 10.0 : 148 + rng.below(200) / 10.0;
    double bmi = 19 + rng.below(100) / 10.0;
    double sbp = 105 + rng.below(50), dbp = 62 + rng.below(30);
    double hba1c = 5.0 + rng.below(22) / 10.0, ldl = 80 + rng.below(90);
    bool onMedication = rng.chance(0.3);
    int month = 6 + static_cast<int>(rng.below(5)), dayOfMonth = 1 + static_cast<int>(rng.below(28));
    CivilDate now = civilFromDays(today);
    for (int back = 0; back <= 3; ++back) {  // newest first; this year's only once it has happened
        long day = daysFromCivil({now.year - back, month, dayOfMonth});
        if (day > today) continue;
        std::string date = ymd(day);
        if (!inPeriod(date, r)) continue;
        double drift = (3 - back) * 0.3;
        double weight = (bmi + drift) * height * height / 10000.0;
        double a1c = hba1c + drift / 3;
        bool glucose = a1c >= 6.5;
        r.checkups.push_back({date, {
            {"SIMHC0001", "身長", "PQ", "cm", decimal(height, 1), "", ""},
            {"SIMHC0002", "体重", "PQ", "kg", decimal(weight, 1), "", ""},
            {"SIMHC0003", "ＢＭＩ", "PQ", "kg/m2", decimal(bmi + drift, 1), "", ""},
            {"SIMHC0004", "腹囲", "PQ", "cm", decimal(62 + (bmi + drift - 18) * 3.2, 1), "", ""},
            {"SIMHC0005", "収縮期血圧", "PQ", "mmHg", decimal(sbp + back, 0), "", ""},
            {"SIMHC0006", "拡張期血圧", "PQ", "mmHg", decimal(dbp + back, 0), "", ""},
            {"SIMHC0007", "ＨｂＡ１ｃ（ＮＧＳＰ値）", "PQ", "%", decimal(a1c, 1), "", ""},
            {"SIMHC0008", "ＬＤＬコレステロール", "PQ", "mg/dL", decimal(ldl + back * 2, 0), "", ""},
            {"SIMHC0009", "尿糖", "CD", "", glucose ? "3" : "1", "2.25.20261125001", glucose ? "＋" : "－"},
            {"SIMHC0010", "服薬1（血圧）", "CD", "", onMedication ? "1" : "2", "2.25.20261125002",
             onMedication ? "はい" : "いいえ"},
        }});
    }
}

Records recordsOf(Scope scope, const MedicalInfoRequest& request, const Person& p, const Population& population) {
    Records r;
    long today = jstTodayDays();
    r.startDate = periodStart(request.startDate);
    r.endDate = periodEnd(request.endDate);
    long birth = daysFromCivil(parseYmd(p.birthDate));
    int age = ageOn(parseYmd(p.birthDate), civilFromDays(today));
    bool child = age < 15;
    SplitMix64 rng(personSeed(p, population));
    // One stream per kind, so each kind's records do not depend on the others; clinical shares the
    // medication stream, since it is the same visits seen with their 診療行為.
    SplitMix64 medication(rng.next()), checkup(rng.next());
    switch (scope) {
        case Scope::Medication: makeDispensings(r, medication, today, birth, child, false); break;
        case Scope::Clinical: makeDispensings(r, medication, today, birth, child, true); break;
        case Scope::Checkup:
            if (age >= 40) makeCheckups(r, checkup, today, p.sex == "1");
            break;
    }
    return r;
}

// MessageHeader: the institution, the echoed file identifier, the result; the patient is added by
// the caller before closing.
void writeHeaderStart(XmlWriter& w, const MedicalInfoRequest& q, const char* resultCode, const std::string& message) {
    w.open("XmlMsg");
    w.open("MessageHeader");
    w.leafIfSet("MedicalInstitutionCode", q.institutionCode);
    w.leafIfSet("ArbitraryFileIdentifier", q.arbitraryFileIdentifier);
    w.leaf("ResultCode", resultCode);
    w.leaf("MessageContents", message);
}

void writeDrug(XmlWriter& w, const std::string& prefix, const DrugLine& d, bool withUsageClass) {
    w.open(prefix + "DrugInf");
    w.leaf(prefix + "DrugC", d.code);
    w.leaf(prefix + "DrugN", d.name);
    w.leaf(prefix + "IngreN", d.ingredient);
    w.leaf(prefix + "Qua1", d.quantity);
    w.leaf(prefix + "Unit", d.unit);
    w.leaf(prefix + "UsageN", d.usage);
    w.leafIfSet(prefix + "SpInst", d.instruction);
    w.leaf(prefix + "Times", d.times);
    if (withUsageClass) w.leaf(prefix + "UsageCl", d.usageClass);
    else w.leaf("MeTrIdCl", "1");
    w.close();
}

// Source 1 (from receipts): per month, the visits with their drugs and, for clinical, their 診療行為.
void writeTreatmentMonths(XmlWriter& w, const Records& r) {
    std::size_t i = 0;
    while (i < r.dispensings.size()) {
        const Dispensing& head = r.dispensings[i];
        std::string month = head.date.substr(0, 6);
        w.open("MeTrMonthInf");
        w.leaf("MeTrMonth", month);
        w.leaf("DiOrg", "1");
        w.leaf("MeTrDiHCd", facilityCode(*head.clinic));
        w.leaf("MeTrDiHNm", head.clinic->name);
        w.leaf("PrlsHCd", facilityCode(*head.pharmacy));
        w.leaf("PrlsHNm", head.pharmacy->name);
        w.leaf("PrIsOrg", "1");
        w.leaf("InOut", "2");  // 院外処方
        w.open("DiDateInfs");
        for (; i < r.dispensings.size() && r.dispensings[i].date.compare(0, 6, month) == 0; ++i) {
            const Dispensing& d = r.dispensings[i];
            w.open("DiDateInf");
            w.leaf("DiDate", d.date);
            w.leaf("PrDate", d.date);
            w.open("DrugInfs");
            for (const DrugLine* drug : d.drugs) writeDrug(w, "", *drug, false);
            w.close();
            if (!d.procedures.empty()) {
                w.open("MeTrInfs");
                for (const Procedure* p : d.procedures) {
                    w.open("MeTrInf");
                    w.leaf("SinInfN", p->name);
                    w.leaf("SinInfCd", p->code);
                    w.leaf("MeTrIdCl", "1");
                    w.leaf("Qua1", "1");
                    w.leaf("Times", "1");
                    w.leaf("Unit", "回");
                    w.close();
                }
                w.close();
            }
            w.close();
        }
        w.close();
        w.close();
    }
}

// Source 3 (電子処方箋): the newest prescription, for patients who chose electronic prescriptions.
void writePrescriptions(XmlWriter& w, const Records& r) {
    const Dispensing& d = r.dispensings.back();
    w.open("ShPrInf");
    w.open("ShPrMonthInf");
    w.leaf("ShPrMonth", d.date.substr(0, 6));
    w.leaf("ShPrOrg", "1");
    w.leaf("ShMeTrDiHCd", facilityCode(*d.clinic));
    w.leaf("ShMeTrDiHNm", d.clinic->name);
    w.leaf("ShPrHCd", facilityCode(*d.clinic));
    w.leaf("ShPrHNm", d.clinic->name);
    w.leaf("ShPrIsOrg", "1");
    w.leaf("ShPrCl", "2");
    w.open("ShPrDateInfs");
    w.open("ShPrDateInf");
    w.leaf("ShPrDate", d.date);
    w.open("ShDrugInfs");
    for (const DrugLine* drug : d.drugs) writeDrug(w, "Sh", *drug, true);
    w.close();
    w.close();
    w.close();
    w.close();
    w.close();
}

// Source 2 (調剤): per month, the pharmacy's dispensings.
void writeDispensings(XmlWriter& w, const Records& r) {
    w.open("CzDiInf");
    std::size_t i = 0;
    while (i < r.dispensings.size()) {
        const Dispensing& head = r.dispensings[i];
        std::string month = head.date.substr(0, 6);
        w.open("CzDiMonthInf");
        w.leaf("CzDiMonth", month);
        w.leaf("CzDiOrg", "1");
        w.leaf("CzMeTrDiHCd", facilityCode(*head.pharmacy));
        w.leaf("CzMeTrDiHNm", head.pharmacy->name);
        w.leaf("CzPrlsHCd", facilityCode(*head.clinic));
        w.leaf("CzPrlsHNm", head.clinic->name);
        w.leaf("CzPrIsOrg", "2");
        w.leaf("CzPrCl", "2");
        w.open("CzDiDateInfs");
        for (; i < r.dispensings.size() && r.dispensings[i].date.compare(0, 6, month) == 0; ++i) {
            const Dispensing& d = r.dispensings[i];
            w.open("CzDiDateInf");
            w.leaf("CzDiDate", d.date);
            w.leaf("CzPrDate", d.date);
            w.open("CzDrugInfs");
            for (const DrugLine* drug : d.drugs) writeDrug(w, "Cz", *drug, true);
            w.close();
            w.close();
        }
        w.close();
        w.close();
    }
    w.close();
}

void writeCheckups(XmlWriter& w, const Records& r) {
    for (const Checkup& c : r.checkups) {
        w.open("SpecificHealthCheckupInfo");
        w.leaf("EffectiveTime", c.date);
        w.open("HealthCheckupResultAndQuestionInfos");
        for (const ItemValue& item : c.items) {
            w.open("HealthCheckupResultAndQuestionInfo");
            w.leaf("ItemCode", item.code);
            w.leaf("ItemName", item.name);
            w.leaf("DataType", item.type);
            w.leaf("DataValue", item.value);
            w.leafIfSet("Unit", item.unit);
            w.leafIfSet("Oid", item.oid);
            w.leafIfSet("DataValueName", item.valueName);
            w.close();
        }
        w.close();
        w.close();
    }
}

std::string pdfEscaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '(' || c == ')' || c == '\\') out += '\\';
        out += (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    return out;
}

// A one-page PDF 1.4 with Helvetica text lines; offsets in the xref table are counted exactly.
std::string onePagePdf(const std::vector<std::string>& lines) {
    std::string content = "BT\n/F1 14 Tf\n56 780 Td\n18 TL\n";
    for (const std::string& line : lines) content += "(" + pdfEscaped(line) + ") Tj T*\n";
    content += "ET\n";
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
    };
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t offset : offsets) {
        char entry[32];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
        pdf += entry;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

}  // namespace

std::string medicalInfoDocument(Scope scope, const MedicalInfoRequest& request, const Person& p,
                                const Population& population) {
    Records r = recordsOf(scope, request, p, population);
    XmlWriter w;
    writeHeaderStart(w, request, "1", "");
    if (scope == Scope::Checkup) {  // TKK names the patient's fields differently from YZK
        w.open("QualificationsInfo");
        w.leaf("Name", p.name);
        w.leaf("KanasName", p.nameKana);
        w.leaf("Birthday", p.birthDate);
        w.leaf("AdministrativeGenderCode", p.sex);
    } else {
        w.open("QuaInf");
        w.leaf("Name", p.name);
        w.leaf("KanaName", p.nameKana);
        w.leaf("Birth", p.birthDate);
        w.leaf("AdmGendCode", p.sex);
    }
    w.close();
    w.close();
    w.open("MessageBody");
    if (scope == Scope::Checkup) {
        writeCheckups(w, r);
    } else if (!r.dispensings.empty()) {
        writeTreatmentMonths(w, r);
        if (scope == Scope::Medication) {
            if (p.prescriptionIssueSelect == "1") writePrescriptions(w, r);
            writeDispensings(w, r);
        }
    }
    return w.finish();
}

std::string medicalInfoPdf(Scope scope, const MedicalInfoRequest& request, const Person& p,
                           const Population& population, const std::string& availableTime) {
    Records r = recordsOf(scope, request, p, population);
    std::string title, counted;
    std::size_t lines = 0, procedures = 0;
    for (const Dispensing& d : r.dispensings) {
        lines += d.drugs.size();
        procedures += d.procedures.size();
    }
    switch (scope) {
        case Scope::Medication:
            title = "Medication information (yakuzai jouhou)";
            counted = std::to_string(r.dispensings.size()) + " dispensings, " + std::to_string(lines) + " drug lines";
            break;
        case Scope::Checkup:
            title = "Specific health checkup information (tokutei kenshin)";
            counted = std::to_string(r.checkups.size()) + " checkups";
            break;
        case Scope::Clinical:
            title = "Clinical information (shinryou jouhou)";
            counted = std::to_string(r.dispensings.size()) + " visits, " + std::to_string(procedures) + " procedures";
            break;
    }
    return onePagePdf({"Kakehashi central-sim - synthetic data, not a medical record", title,
                       "Institution: " + trimmed(request.institutionCode),
                       "Period: " + (r.startDate.empty() ? std::string("(open)") : r.startDate) + " - " +
                           (r.endDate.empty() ? std::string("(open)") : r.endDate),
                       "Records: " + counted, "Consent available until: " + availableTime + " JST",
                       "Created: " + jstTimestampNow() + " JST"});
}

std::string medicalInfoRefusalDocument(const MedicalInfoRequest& request, const std::string& code,
                                       const std::string& message) {
    XmlWriter w;
    writeHeaderStart(w, request, "2", message);
    w.leaf("ProcessingResultCode", code);  // the simulator's reason; not in the real layout
    w.close();
    w.leaf("MessageBody", "");
    return w.finish();
}

}  // namespace ksim

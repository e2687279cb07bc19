#include "medical_info.hpp"

#include <cstdio>
#include <vector>

#include "codes.hpp"
#include "japan_time.hpp"
#include "prng.hpp"
#include "xml_writer.hpp"

namespace ksim {

namespace {

// --- synthetic tables (codes are made up; names are generic, marked シミュ) ---

struct DrugLine {
    const char* code;
    const char* name;
    const char* ingredient;
    const char* quantity;  // per day
    const char* unit;
    const char* usage;
    const char* times;  // 日分 / 回分
};

const DrugLine kAdultDrugs[] = {
    {"999100000101", "アムロジピン錠５ｍｇ（シミュ）", "アムロジピンベシル酸塩", "1", "錠", "1日1回朝食後", "28"},
    {"999100000102", "ロスバスタチン錠２．５ｍｇ（シミュ）", "ロスバスタチンカルシウム", "1", "錠", "1日1回夕食後", "28"},
    {"999100000103", "メトホルミン塩酸塩錠２５０ｍｇ（シミュ）", "メトホルミン塩酸塩", "2", "錠", "1日2回朝夕食後", "28"},
    {"999100000104", "ランソプラゾールＯＤ錠１５ｍｇ（シミュ）", "ランソプラゾール", "1", "錠", "1日1回朝食後", "28"},
    {"999100000105", "カンデサルタン錠８ｍｇ（シミュ）", "カンデサルタンシレキセチル", "1", "錠", "1日1回朝食後", "28"},
    {"999100000106", "ロキソプロフェンＮａ錠６０ｍｇ（シミュ）", "ロキソプロフェンナトリウム水和物", "3", "錠", "1日3回毎食後", "7"},
    {"999100000107", "レバミピド錠１００ｍｇ（シミュ）", "レバミピド", "3", "錠", "1日3回毎食後", "7"},
    {"999100000108", "フェキソフェナジン塩酸塩錠６０ｍｇ（シミュ）", "フェキソフェナジン塩酸塩", "2", "錠", "1日2回朝夕食後", "14"},
};

const DrugLine kChildDrugs[] = {
    {"999200000201", "カルボシステインＤＳ５０％（シミュ）", "Ｌ－カルボシステイン", "0.6", "g", "1日3回毎食後", "5"},
    {"999200000202", "アンブロキソール塩酸塩シロップ小児用０．３％（シミュ）", "アンブロキソール塩酸塩", "3", "mL", "1日3回毎食後", "5"},
    {"999200000203", "アセトアミノフェン細粒２０％（シミュ）", "アセトアミノフェン", "0.5", "g", "発熱時頓用", "3"},
};

const char* const kPharmacies[] = {"みどり調剤薬局", "あおば薬局　駅前店", "つばさ薬局"};
const char* const kClinics[] = {"さくら通り内科クリニック", "みなと台総合病院", "ひかり耳鼻咽喉科", "こもれび小児科"};
const char* const kCheckupCenters[] = {"みなと台健診センター", "ひかり健診クリニック"};

const char* const kAdultDiseases[] = {"高血圧症", "脂質異常症", "２型糖尿病", "逆流性食道炎",
                                      "腰痛症", "アレルギー性鼻炎", "不眠症", "骨粗鬆症"};
const char* const kChildDiseases[] = {"急性上気道炎", "アレルギー性鼻炎", "気管支喘息", "急性胃腸炎"};

template <typename T, std::size_t N>
constexpr std::uint32_t count(const T (&)[N]) {
    return static_cast<std::uint32_t>(N);
}

// --- the records of one person ---

struct Dispensing {
    std::string date;
    const char* pharmacy;
    const char* prescriber;
    std::vector<const DrugLine*> drugs;
};

struct ItemValue {
    const char* code;
    const char* name;
    const char* type;  // PQ 数値, CD コード
    const char* unit;
    std::string value;
};

struct Checkup {
    std::string date;
    const char* institution;
    std::vector<ItemValue> items;
};

struct Diagnosis {
    const char* name;
    std::string startDate;
    const char* institution;
};

struct Records {
    std::vector<Dispensing> dispensings;
    std::vector<Checkup> checkups;
    std::vector<Diagnosis> diagnoses;
    std::string startDate, endDate;  // the effective period (start empty: open)
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

bool inPeriod(const std::string& date, const Records& r) {
    return (r.startDate.empty() || date >= r.startDate) && date <= r.endDate;
}

void makeMedication(Records& r, SplitMix64& rng, long today, long birth, bool child) {
    std::vector<const DrugLine*> regimen;
    const DrugLine* pool = child ? kChildDrugs : kAdultDrugs;
    std::uint32_t poolSize = child ? count(kChildDrugs) : count(kAdultDrugs);
    std::uint32_t wanted = 1 + rng.below(child ? 2 : 3);
    std::uint32_t first = rng.below(poolSize);
    for (std::uint32_t i = 0; i < wanted; ++i) regimen.push_back(&pool[(first + i * 3) % poolSize]);
    const char* pharmacy = kPharmacies[rng.below(count(kPharmacies))];
    const char* prescriber = child ? kClinics[3] : kClinics[rng.below(3)];
    long latest = today - 7 - rng.below(7);
    for (int k = 2; k >= 0; --k) {  // oldest first
        long day = latest - 28L * k;
        if (day < birth) continue;
        std::string date = ymd(day);
        if (inPeriod(date, r)) r.dispensings.push_back({date, pharmacy, prescriber, regimen});
    }
}

void makeCheckups(Records& r, SplitMix64& rng, long today, bool male) {
    double height = male ? 160 + rng.below(220) / 10.0 : 148 + rng.below(200) / 10.0;
    double bmi = 19 + rng.below(100) / 10.0;
    double sbp = 105 + rng.below(50), dbp = 62 + rng.below(30);
    double hba1c = 5.0 + rng.below(22) / 10.0, ldl = 80 + rng.below(90);
    const char* center = kCheckupCenters[rng.below(count(kCheckupCenters))];
    int month = 6 + static_cast<int>(rng.below(5)), dayOfMonth = 1 + static_cast<int>(rng.below(28));
    CivilDate now = civilFromDays(today);
    for (int back = 3; back >= 0; --back) {  // oldest first; this year's only once it has happened
        long day = daysFromCivil({now.year - back, month, dayOfMonth});
        if (day > today) continue;
        double drift = (3 - back) * 0.3;
        double weight = (bmi + drift) * height * height / 10000.0;
        std::string date = ymd(day);
        if (!inPeriod(date, r)) continue;
        double a1c = hba1c + drift / 3;
        r.checkups.push_back({date, center, {
            {"SIMHC0001", "身長", "PQ", "cm", decimal(height, 1)},
            {"SIMHC0002", "体重", "PQ", "kg", decimal(weight, 1)},
            {"SIMHC0003", "ＢＭＩ", "PQ", "kg/m2", decimal(bmi + drift, 1)},
            {"SIMHC0004", "腹囲", "PQ", "cm", decimal(62 + (bmi + drift - 18) * 3.2, 1)},
            {"SIMHC0005", "収縮期血圧", "PQ", "mmHg", decimal(sbp + back, 0)},
            {"SIMHC0006", "拡張期血圧", "PQ", "mmHg", decimal(dbp + back, 0)},
            {"SIMHC0007", "ＨｂＡ１ｃ（ＮＧＳＰ値）", "PQ", "%", decimal(a1c, 1)},
            {"SIMHC0008", "ＬＤＬコレステロール", "PQ", "mg/dL", decimal(ldl + back * 2, 0)},
            {"SIMHC0009", "尿糖", "CD", "", a1c >= 6.5 ? "＋" : "－"},
        }});
    }
}

void makeDiagnoses(Records& r, SplitMix64& rng, long today, long birth, bool child) {
    const char* const* pool = child ? kChildDiseases : kAdultDiseases;
    std::uint32_t poolSize = child ? count(kChildDiseases) : count(kAdultDiseases);
    std::uint32_t wanted = 2 + rng.below(2);
    std::uint32_t first = rng.below(poolSize);
    for (std::uint32_t i = 0; i < wanted; ++i) {
        long day = today - 30 - rng.below(1800);
        if (day < birth) day = birth + (today - birth) / 2;
        std::string date = ymd(day);
        if (date > r.endDate) continue;  // diagnoses started by the end of the period stay listed
        const char* clinic = child ? kClinics[3] : kClinics[rng.below(3)];
        r.diagnoses.push_back({pool[(first + i * 3) % poolSize], date, clinic});
    }
}

Records recordsOf(Scope scope, const MedicalInfoRequest& request, const Person& p, const Population& population) {
    Records r;
    long today = jstTodayDays();
    r.startDate = trimmed(request.startDate);
    r.endDate = trimmed(request.endDate).empty() ? ymd(today) : trimmed(request.endDate);
    long birth = daysFromCivil(parseYmd(p.birthDate));
    int age = ageOn(parseYmd(p.birthDate), civilFromDays(today));
    bool child = age < 15;
    SplitMix64 rng(personSeed(p, population));
    // One stream per kind, so each kind's records do not depend on the others.
    SplitMix64 medication(rng.next()), checkup(rng.next()), clinical(rng.next());
    switch (scope) {
        case Scope::Medication: makeMedication(r, medication, today, birth, child); break;
        case Scope::Checkup:
            if (age >= 40) makeCheckups(r, checkup, today, p.sex == "1");
            break;
        case Scope::Clinical: makeDiagnoses(r, clinical, today, birth, child); break;
    }
    return r;
}

const char* consentPrefix(Scope scope) {
    switch (scope) {
        case Scope::Medication: return "PharmacistsInfo";
        case Scope::Checkup: return "SpecificHealthCheckupsInfo";
        case Scope::Clinical: return "DiagnosisInfo";
    }
    return "PharmacistsInfo";
}

void writeHeader(XmlWriter& w, const MedicalInfoRequest& q, const char* segment, const std::string& code = "",
                 const std::string& message = "") {
    w.open("XmlMsg");
    w.open("MessageHeader");
    w.leaf("ProcessExecutionTime", jstTimestampNow());
    w.leafIfSet("MedicalInstitutionCode", q.institutionCode);
    w.leafIfSet("InsurerNumber", q.insurerNumber);
    w.leafIfSet("InsuranceCardSymbol", q.cardSymbol);
    w.leafIfSet("InsuredPersonIdentificationNumber", q.cardNumber);
    w.leafIfSet("BranchNumber", q.branchNumber);
    w.leafIfSet("ArbitraryFileIdentifier", q.arbitraryFileIdentifier);
    w.leaf("SegmentOfResult", segment);
    if (!code.empty()) {
        w.leaf("ErrorCode", code);
        w.leaf("ErrorMessage", message);
    }
    w.leaf("CharacterCodeIdentifier", "0");
    w.close();
}

void writeMedication(XmlWriter& w, const Records& r) {
    std::size_t i = 0;
    while (i < r.dispensings.size()) {
        std::string month = r.dispensings[i].date.substr(0, 6);
        w.open("PrescriptionMonthInfo");
        w.leaf("PrescriptionMonth", month);
        for (; i < r.dispensings.size() && r.dispensings[i].date.compare(0, 6, month) == 0; ++i) {
            const Dispensing& d = r.dispensings[i];
            w.open("DispensingInfo");
            w.leaf("DispensingDate", d.date);
            w.leaf("PharmacyName", d.pharmacy);
            w.leaf("MedicalInstitutionName", d.prescriber);
            for (const DrugLine* drug : d.drugs) {
                w.open("DrugInf");
                w.leaf("DrugC", drug->code);
                w.leaf("DrugN", drug->name);
                w.leaf("IngreN", drug->ingredient);
                w.leaf("Qua1", drug->quantity);
                w.leaf("Unit", drug->unit);
                w.leaf("UsageN", drug->usage);
                w.leaf("Times", drug->times);
                w.close();
            }
            w.close();
        }
        w.close();
    }
}

void writeCheckups(XmlWriter& w, const Records& r) {
    for (const Checkup& c : r.checkups) {
        w.open("SpecificHealthCheckupInfo");
        w.leaf("ExaminationDate", c.date);
        w.leaf("ExaminationInstitutionName", c.institution);
        for (const ItemValue& item : c.items) {
            w.open("CheckupItem");
            w.leaf("ItemCode", item.code);
            w.leaf("ItemName", item.name);
            w.leaf("DataType", item.type);
            w.leaf("DataValue", item.value);
            w.leafIfSet("Unit", item.unit);
            w.leaf("ExaminationDate", c.date);
            w.close();
        }
        w.close();
    }
}

void writeDiagnoses(XmlWriter& w, const Records& r) {
    for (const Diagnosis& d : r.diagnoses) {
        w.open("DiagnosisInfo");
        w.leaf("DiseaseName", d.name);
        w.leaf("StartDate", d.startDate);
        w.leaf("MedicalInstitutionName", d.institution);
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
                                const Population& population, const Consent& consent) {
    Records r = recordsOf(scope, request, p, population);
    XmlWriter w;
    writeHeader(w, request, "1");
    w.open("MessageBody");
    w.leaf("ProcessingResultStatus", "1");
    w.leaf("ProcessingResultCode", "");
    w.leaf("ProcessingResultMessage", "");
    w.leaf("FileCategory", "2");
    std::string flag = trimmed(request.treatmentFlag);
    w.leaf("MedicalTreatmentFlag", flag.empty() ? consent.treatmentFlag : flag);
    w.leafIfSet("StartDate", r.startDate);
    w.leaf("EndDate", r.endDate);
    std::string prefix = consentPrefix(scope);
    w.leaf(prefix + "ConsFlg", "1");
    w.leaf(prefix + "ConsTime", consent.consentTime);
    w.leaf(prefix + "AvailableTime", consent.availableTime);
    w.open("PatientInfo");
    w.leaf("Name", p.name);
    w.leaf("KanaName", p.nameKana);
    w.leaf("Birth", p.birthDate);
    w.leaf("AdmGendCode", p.sex);
    w.close();
    switch (scope) {
        case Scope::Medication: writeMedication(w, r); break;
        case Scope::Checkup: writeCheckups(w, r); break;
        case Scope::Clinical: writeDiagnoses(w, r); break;
    }
    return w.finish();
}

std::string medicalInfoPdf(Scope scope, const MedicalInfoRequest& request, const Person& p,
                           const Population& population, const Consent& consent) {
    Records r = recordsOf(scope, request, p, population);
    std::string title, counted;
    switch (scope) {
        case Scope::Medication: {
            std::size_t lines = 0;
            for (const Dispensing& d : r.dispensings) lines += d.drugs.size();
            title = "Medication information (yakuzai jouhou)";
            counted = std::to_string(r.dispensings.size()) + " dispensings, " + std::to_string(lines) + " drug lines";
            break;
        }
        case Scope::Checkup:
            title = "Specific health checkup information (tokutei kenshin)";
            counted = std::to_string(r.checkups.size()) + " checkups";
            break;
        case Scope::Clinical:
            title = "Clinical information (shinryou jouhou)";
            counted = std::to_string(r.diagnoses.size()) + " diagnoses";
            break;
    }
    return onePagePdf({"Kakehashi central-sim - synthetic data, not a medical record", title,
                       "Institution: " + trimmed(request.institutionCode),
                       "Period: " + (r.startDate.empty() ? std::string("(open)") : r.startDate) + " - " + r.endDate,
                       "Records: " + counted, "Consent available until: " + consent.availableTime + " JST",
                       "Created: " + jstTimestampNow() + " JST"});
}

std::string medicalInfoRefusalDocument(const MedicalInfoRequest& request, const std::string& code,
                                       const std::string& message) {
    XmlWriter w;
    writeHeader(w, request, "9", code, message);
    w.open("MessageBody");
    w.leaf("ProcessingResultStatus", "2");
    w.leaf("ProcessingResultCode", code);
    w.leaf("ProcessingResultMessage", message);
    return w.finish();
}

}  // namespace ksim

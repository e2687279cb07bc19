// The word lists the synthetic population is made from: family and given names (kanji and half-width
// kana), places, and the names of insurers. No place or insurer name contains a family name, so a test
// can grep logs for a person's name without false hits.
#pragma once
#include <cstddef>

namespace ksim::tables {

struct Name {
    const char* kanji;
    const char* kana;  // half-width katakana, as NameKana carries it
};

struct Prefecture {
    const char* code;       // 2 digits
    const char* name;       // 東京都
    const char* shortName;  // 東京 (for 全国健康保険協会 支部 names)
    const char* cities[2];
};

extern const Name kFamilyNames[];
extern const std::size_t kFamilyNameCount;
// Family names whose first or second character is 外字, carried as 〓 (髙橋, 山﨑, 渡邉).
extern const Name kGaijiFamilyNames[];
extern const std::size_t kGaijiFamilyNameCount;
extern const Name kMaleGivenNames[];
extern const std::size_t kMaleGivenNameCount;
extern const Name kFemaleGivenNames[];
extern const std::size_t kFemaleGivenNameCount;

extern const Prefecture kPrefectures[];
extern const std::size_t kPrefectureCount;
extern const char* const kTowns[];
extern const std::size_t kTownCount;

extern const char* const kHealthInsuranceSocieties[];  // 健康保険組合 (法別 06)
extern const std::size_t kHealthInsuranceSocietyCount;
extern const char* const kMutualAidAssociations[];     // 共済組合 (法別 31)
extern const std::size_t kMutualAidAssociationCount;

}  // namespace ksim::tables

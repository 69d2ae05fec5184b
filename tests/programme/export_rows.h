// Rows shared by the export tests (export_csv_test.cc, export_xlsx_test.cc): a child with the
// awkward fields (commas, quotes and a newline in the address, a formula, long digit runs) and
// the unit names of its town and village.
#ifndef FULEI_TESTS_PROGRAMME_EXPORT_ROWS_H_
#define FULEI_TESTS_PROGRAMME_EXPORT_ROWS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "programme/export_table.h"
#include "programme/redact.h"

namespace fulei::programme::testing {

inline ChildExportRow Row(std::string id, std::string name, std::string idno) {
  ChildExportRow r;
  r.scope = "jinjiang/cizao/v012";
  r.id = std::move(id);
  r.child = Fields{{"name", {std::move(name)}},
                   {"gender", {"female"}},
                   {"birth_date", {"2015-03-12"}},
                   {"id_number", {std::move(idno)}},
                   {"category", {"left_behind"}},
                   {"ethnicity", {"汉族"}},
                   {"address", {"磁灶镇大埔村, 12号 \"东\"厝\n二楼"}},
                   {"living_support", {"education_aid", "medical_assistance"}},
                   {"school_level", {"primary"}},
                   {"father_status", {"working_away"}},
                   {"father_work_place", {"=HYPERLINK(\"x\")"}}};
  r.guardian =
      Fields{{"name", {"王阿嬷"}}, {"relation", {"grandparent"}}, {"phone", {"13805951234"}}};
  return r;
}

// The index of column `name` of the children table (NationalChildColumns); the column count when
// there is no such column (so a cell read with it fails the test with at()).
inline size_t Col(std::string_view name) {
  const auto cols = NationalChildColumns();
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i] == name) return i;
  }
  return cols.size();
}

inline const UnitNames kUnits{{"jinjiang/cizao", "磁灶镇"}, {"jinjiang/cizao/v012", "大埔村"}};

// The city bureau: sees every field of the rows above.
inline const Viewer kBureau{Role::kCityBureau, "jinjiang", "u-city-1"};

}  // namespace fulei::programme::testing

#endif  // FULEI_TESTS_PROGRAMME_EXPORT_ROWS_H_

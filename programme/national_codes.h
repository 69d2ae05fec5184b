// National codes: maps the child record's values (schema.cc codes) to the codes of the national
// child-welfare system and the standards it follows (GB/T 2261.1 性别, GB 3304 民族, GB/T 2261.3
// 健康状况, and the system's own lists 儿童类别, 户口分类, 监护类型, 家庭经济来源, 救助帮扶,
// 退出原因), for the national-system export (export_table.h). Which codes the sources state (S) and
// which this project infers (I): docs/export.md and ../shared/data/national-fields.md.
//
// Each function returns the national code and its label, or an empty CodedValue when the value is
// empty or has no national code. Pure functions over constant tables; thread-safe.
#ifndef FULEI_PROGRAMME_NATIONAL_CODES_H_
#define FULEI_PROGRAMME_NATIONAL_CODES_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fulei::programme {

struct CodedValue {
  std::string code;   // the national code ("01"), empty when there is none
  std::string label;  // the national label ("汉族")
  bool operator==(const CodedValue&) const = default;
};

// 性别 (GB/T 2261.1): male -> 1 男, female -> 2 女.
CodedValue NationalGender(std::string_view gender);
// 民族 (GB 3304-91): the `ethnic_group` code when set, else the free-text `ethnicity` read as a
// group name with or without 族 ("汉族", "汉", "畲" -> 01, 01, 22); unknown text: no code, the
// text as label.
CodedValue NationalEthnicGroup(std::string_view ethnic_group, std::string_view ethnicity);
// 儿童类别 of the national system (1-9).
CodedValue NationalChildCategory(std::string_view category);
// 户口分类 of the national system (1-4).
CodedValue NationalHukouClass(std::string_view hukou_class);
// 健康状况 (GB/T 2261.3 and the national system's 22/80/89).
CodedValue NationalHealth(std::string_view health);
// 残疾类别 (GB/T 2261.3 61-67, 69).
CodedValue NationalDisability(std::string_view disability_type);
// 监护类型 (2016 登记表, 1-5): `guardianship_type` when set, else inferred from the older
// `guardianship` field (absent -> 1 无人监护) where that is unambiguous.
CodedValue NationalGuardianshipType(std::string_view guardianship_type,
                                    std::string_view guardianship);
// 家庭经济来源 (2016 登记表, 1-5), in the list's order, each once.
std::vector<CodedValue> NationalIncomeSources(std::span<const std::string> income_sources);
// 救助帮扶 (2016 登记表, 1-5), in the list's order, each once: `aid_received`, plus what the
// older `living_support` field implies (subsistence_allowance -> 1 享受低保, medical_assistance
// -> 3 医疗救助).
std::vector<CodedValue> NationalAid(std::span<const std::string> aid_received,
                                    std::span<const std::string> living_support);
// 退出原因 (减员原因, 01-09, 99): `exit_reason` when set, else inferred from `programme_status`
// (aged_out -> 09 超龄); any other status has none.
CodedValue NationalExitReason(std::string_view exit_reason, std::string_view programme_status);

// Codes joined with "、" (labels likewise), for a multi-select cell.
std::string JoinCodes(std::span<const CodedValue> values);
std::string JoinLabels(std::span<const CodedValue> values);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_NATIONAL_CODES_H_

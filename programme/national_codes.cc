#include "programme/national_codes.h"

#include <algorithm>

#include "programme/schema.h"

namespace fulei::programme {
namespace {

struct Mapping {
  std::string_view value;  // schema.cc code
  std::string_view code;   // national code
  std::string_view label;  // national label
};

CodedValue Find(std::span<const Mapping> table, std::string_view value) {
  for (const Mapping& m : table) {
    if (m.value == value) return {std::string(m.code), std::string(m.label)};
  }
  return {};
}

constexpr Mapping kGenderMap[] = {{"male", "1", "男"}, {"female", "2", "女"}};

// S: 5 事实无人抚养, 8 留守, 9 困境. I: a village's orphans and abandoned infants live outside
// institutions (3 社会散居).
constexpr Mapping kCategoryMap[] = {
    {"orphan", "3", "社会散居"},
    {"abandoned", "3", "社会散居"},
    {"de_facto_unsupported", "5", "事实无人抚养"},
    {"left_behind", "8", "留守"},
    {"in_difficulty", "9", "困境"},
};

constexpr Mapping kHukouMap[] = {{"welfare_collective", "1", "福利院集体户"},
                                 {"local", "2", "本辖区"},
                                 {"other_province", "3", "外省市"},
                                 {"none", "4", "无户口"}};

// S: 10 健康, 20 一般, 30 慢性病, 60 残疾 (GB/T 2261.3); 22 重病, 80 其他 (national system).
// I: 患病 is 重特大疾病 in the 2016 form's notes, so 22 重病.
constexpr Mapping kHealthMap[] = {
    {"healthy", "10", "健康"},         {"fair", "20", "一般"},
    {"chronic", "30", "慢性病"},       {"ill", "22", "重病"},
    {"serious_illness", "22", "重病"}, {"disabled", "60", "残疾"},
    {"other", "80", "其他"},
};

constexpr Mapping kDisabilityMap[] = {
    {"visual", "61", "视力残疾"},       {"hearing", "62", "听力残疾"},
    {"speech", "63", "言语残疾"},       {"physical", "64", "肢体残疾"},
    {"intellectual", "65", "智力残疾"}, {"mental", "66", "精神残疾"},
    {"multiple", "67", "多重残疾"},     {"other", "69", "其他残疾"},
};

// I: the codes are the order of the 2016 form's list (the national dictionary is not public).
constexpr Mapping kGuardianshipTypeMap[] = {
    {"unguarded", "1", "无人监护"},
    {"parent_incapable", "2", "父或母无监护能力"},
    {"entrusted_insufficient", "3", "受委托监护人监护能力不足"},
    {"fair", "4", "监护情况一般"},
    {"good", "5", "监护情况较好"},
};

constexpr Mapping kIncomeMap[] = {{"wages", "1", "打工收入"},
                                  {"farming", "2", "种养殖业"},
                                  {"government_aid", "3", "政府救助"},
                                  {"relatives", "4", "亲朋接济"},
                                  {"other", "5", "其他"}};

constexpr Mapping kAidMap[] = {{"dibao", "1", "享受低保"},
                               {"temporary", "2", "临时救助"},
                               {"medical", "3", "医疗救助"},
                               {"housing", "4", "住房救助"},
                               {"other", "5", "其他救助"}};

constexpr Mapping kExitMap[] = {
    {"adopted_in_province", "01", "省内收养"},
    {"adopted_other_province", "02", "跨省收养"},
    {"adopted_abroad", "03", "涉外送养"},
    {"parents_found", "04", "找回生父母"},
    {"independent", "05", "独立生活"},
    {"deceased", "06", "死亡"},
    {"hukou_moved_out", "07", "户籍迁出"},
    {"entry_error", "08", "录入错误"},
    {"over_age", "09", "超龄"},
    {"other", "99", "其它"},
};

// Values of a multi-select mapped and put in the table's order, each once.
std::vector<CodedValue> Ordered(std::span<const Mapping> table,
                                std::span<const std::string> values) {
  std::vector<CodedValue> out;
  for (const Mapping& m : table) {
    if (std::find(values.begin(), values.end(), m.value) == values.end()) continue;
    CodedValue v{std::string(m.code), std::string(m.label)};
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return out;
}

std::span<const EnumValue> EthnicGroups() {
  const RecordTypeSpec* t = FindRecordType(kChild);
  const FieldSpec* f = t ? t->Find("ethnic_group") : nullptr;
  return f ? f->enum_values : std::span<const EnumValue>{};
}

}  // namespace

CodedValue NationalGender(std::string_view gender) { return Find(kGenderMap, gender); }

CodedValue NationalEthnicGroup(std::string_view ethnic_group, std::string_view ethnicity) {
  const std::span<const EnumValue> groups = EthnicGroups();
  if (!ethnic_group.empty()) {
    if (const EnumValue* v = FindEnum(groups, ethnic_group)) {
      return {std::string(v->code), std::string(v->zh)};
    }
    return {};
  }
  if (ethnicity.empty()) return {};
  for (const EnumValue& v : groups) {
    std::string_view label = v.zh;
    if (ethnicity == label) return {std::string(v.code), std::string(v.zh)};
    if (label.ends_with("族")) label.remove_suffix(std::string_view("族").size());
    if (ethnicity == label) return {std::string(v.code), std::string(v.zh)};
  }
  return {"", std::string(ethnicity)};
}

CodedValue NationalChildCategory(std::string_view category) { return Find(kCategoryMap, category); }
CodedValue NationalHukouClass(std::string_view hukou_class) { return Find(kHukouMap, hukou_class); }
CodedValue NationalHealth(std::string_view health) { return Find(kHealthMap, health); }
CodedValue NationalDisability(std::string_view disability_type) {
  return Find(kDisabilityMap, disability_type);
}

CodedValue NationalGuardianshipType(std::string_view guardianship_type,
                                    std::string_view guardianship) {
  if (!guardianship_type.empty()) return Find(kGuardianshipTypeMap, guardianship_type);
  if (guardianship == "absent") return Find(kGuardianshipTypeMap, "unguarded");
  return {};
}

std::vector<CodedValue> NationalIncomeSources(std::span<const std::string> income_sources) {
  return Ordered(kIncomeMap, income_sources);
}

std::vector<CodedValue> NationalAid(std::span<const std::string> aid_received,
                                    std::span<const std::string> living_support) {
  std::vector<std::string> all(aid_received.begin(), aid_received.end());
  for (const std::string& s : living_support) {
    if (s == "subsistence_allowance") all.push_back("dibao");
    if (s == "medical_assistance") all.push_back("medical");
  }
  return Ordered(kAidMap, all);
}

CodedValue NationalExitReason(std::string_view exit_reason, std::string_view programme_status) {
  if (!exit_reason.empty()) return Find(kExitMap, exit_reason);
  if (programme_status == "aged_out") return Find(kExitMap, "over_age");
  return {};
}

std::string JoinCodes(std::span<const CodedValue> values) {
  std::string out;
  for (const CodedValue& v : values) {
    if (!out.empty()) out += "、";
    out += v.code;
  }
  return out;
}

std::string JoinLabels(std::span<const CodedValue> values) {
  std::string out;
  for (const CodedValue& v : values) {
    if (!out.empty()) out += "、";
    out += v.label;
  }
  return out;
}

}  // namespace fulei::programme

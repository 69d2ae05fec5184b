#include "programme/export_table.h"

#include "programme/schema.h"

namespace fulei::programme {
namespace {

std::string UnitName(const UnitNames& units, std::string_view path) {
  auto it = units.find(path);
  return it == units.end() ? std::string(path) : it->second;
}

// Town and village display names of a scope "jinjiang/<town>/<village>".
std::pair<std::string, std::string> TownVillage(const UnitNames& units, std::string_view scope) {
  const std::string town = UnitPrefix(scope, 2);
  const std::string village = UnitPrefix(scope, 3);
  return {town.find('/') == std::string::npos ? "" : UnitName(units, town),
          village == town ? "" : UnitName(units, village)};
}

// The Chinese label of a field's enum value, or the value itself.
std::string Label(std::string_view type, std::string_view field, std::string_view code) {
  if (code.empty()) return "";
  const RecordTypeSpec* t = FindRecordType(type);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  if (f && f->type == ValueType::kEnum) {
    if (const EnumValue* v = FindEnum(f->enum_values, code)) return std::string(v->zh);
  }
  return std::string(code);
}

std::string ChildLabel(const Fields& f, std::string_view field) {
  return Label("child", field, OneOr(f, field));
}

std::string Joined(const Fields& f, std::string_view field) {
  std::string out;
  for (const std::string& v : All(f, field)) {
    if (!out.empty()) out += "、";
    out += Label("child", field, v);
  }
  return out;
}

}  // namespace

Table ChildrenTable(std::span<const ChildExportRow> rows, const UnitNames& units) {
  Table t;
  t.sheet = "儿童信息";
  t.header = {"序号",           "姓名",           "性别",       "民族",           "出生日期",
              "公民身份号码",   "儿童类别",       "户口性质",   "户籍地址",       "居住地址",
              "所属镇（街道）", "所属村（社区）", "就学情况",   "就读学校",       "年级",
              "身体状况",       "残疾等级",       "父亲情况",   "父亲务工地点",   "母亲情况",
              "母亲务工地点",   "监护人姓名",     "与儿童关系", "监护人联系电话", "生活保障",
              "家庭监护情况",   "在册状态",       "系统编号"};
  int n = 0;
  for (const ChildExportRow& r : rows) {
    const Fields& f = r.child;
    auto [town, village] = TownVillage(units, r.scope);
    std::string g_name, g_rel, g_phone;
    if (r.guardian) {
      g_name = OneOr(*r.guardian, "name");
      g_rel = Label("guardian", "relation", OneOr(*r.guardian, "relation"));
      g_phone = OneOr(*r.guardian, "phone");
    }
    std::string status = ChildLabel(f, "programme_status");
    if (status.empty()) status = "在册";
    t.rows.push_back({std::to_string(++n),
                      std::string(OneOr(f, "name")),
                      ChildLabel(f, "gender"),
                      std::string(OneOr(f, "ethnicity")),
                      std::string(OneOr(f, "birth_date")),
                      std::string(OneOr(f, "id_number")),
                      ChildLabel(f, "category"),
                      ChildLabel(f, "household"),
                      std::string(OneOr(f, "hukou_address")),
                      std::string(OneOr(f, "address")),
                      town,
                      village,
                      ChildLabel(f, "school_level"),
                      std::string(OneOr(f, "school")),
                      std::string(OneOr(f, "grade")),
                      ChildLabel(f, "health"),
                      std::string(OneOr(f, "disability_grade")),
                      ChildLabel(f, "father_status"),
                      std::string(OneOr(f, "father_work_place")),
                      ChildLabel(f, "mother_status"),
                      std::string(OneOr(f, "mother_work_place")),
                      g_name,
                      g_rel,
                      g_phone,
                      Joined(f, "living_support"),
                      ChildLabel(f, "guardianship"),
                      status,
                      r.id});
  }
  return t;
}

Table StudyAidTable(std::span<const StudyAidCandidate> candidates, const UnitNames& units) {
  Table t;
  t.sheet = "福彩助学摸底";
  t.header = {"序号",
              "所属镇（街道）",
              "所属村（社区）",
              "姓名",
              "性别",
              "出生日期",
              "年龄",
              "公民身份号码",
              "儿童类别",
              "就学情况",
              "参加养老护理专业学习意愿",
              "系统编号"};
  int n = 0;
  for (const StudyAidCandidate& c : candidates) {
    auto [town, village] = TownVillage(units, c.child.scope);
    std::string wish = Label("child", "study_aid_wish", c.child.study_aid_wish);
    if (wish.empty()) wish = "未征询";
    t.rows.push_back({std::to_string(++n), town, village, c.child.name,
                      c.child.gender == Gender::kMale ? "男" : "女", c.child.birth.ToString(),
                      std::to_string(c.age), c.child.id_number,
                      Label("child", "category", c.child.category),
                      Label("child", "school_level", c.child.school_level), wish, c.child.id});
  }
  return t;
}

Table OverdueTable(std::span<const OverdueItem> items, const UnitNames& units,
                   const std::map<std::string, std::string, std::less<>>& helper_names,
                   const std::map<std::string, std::string, std::less<>>& child_names) {
  Table t;
  t.sheet = "亲情关爱逾期";
  t.header = {"所属镇（街道）", "所属村（社区）",   "爱心家长", "儿童",    "逾期事项",
              "首个未完成周期", "连续未完成周期数", "最近一次", "逾期天数"};
  auto name = [](const auto& m, const std::string& id) {
    auto it = m.find(id);
    return it == m.end() ? id : it->second;
  };
  for (const OverdueItem& i : items) {
    auto [town, village] = TownVillage(units, i.scope);
    t.rows.push_back({town, village, name(helper_names, i.helper), name(child_names, i.child),
                      i.duty == CareDuty::kMonthlyTalk ? "每月谈心交流" : "每季度入户看望",
                      i.first_missed, std::to_string(i.missed_periods),
                      i.last_contact ? i.last_contact->ToString() : "无",
                      std::to_string(i.days_overdue)});
  }
  return t;
}

}  // namespace fulei::programme

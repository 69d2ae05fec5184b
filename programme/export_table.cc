#include "programme/export_table.h"

#include "programme/schema.h"
#include "programme/scope.h"

namespace fulei::programme {

class TableBuilder {
 public:
  static RedactedTable Make(const Viewer& viewer, Table table) {
    return RedactedTable(viewer, std::move(table));
  }
};

namespace {

std::string UnitName(const UnitNames& units, std::string_view path) {
  auto it = units.find(path);
  return it == units.end() ? std::string(path) : it->second;
}

// Town and village display names of a scope "jinjiang/<town>/<village>" (of its owner unit for
// an office scope: a town's own records have no village).
std::pair<std::string, std::string> TownVillage(const UnitNames& units, std::string_view scope) {
  const std::string_view owner = OwnerUnit(scope);
  const std::string town = UnitPrefix(owner, 2);
  const std::string village = UnitPrefix(owner, 3);
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

// A redacted record's cells: the value (through `label`) or kHiddenCell for a field removed.
class Cells {
 public:
  Cells(std::string_view type, const Redacted& r) : type_(type), r_(r) {}

  bool Hidden(std::string_view field) const {
    for (const std::string& h : r_.hidden) {
      if (h == field) return true;
    }
    return false;
  }
  std::string Text(std::string_view field) const {
    return Hidden(field) ? std::string(kHiddenCell) : std::string(OneOr(r_.fields, field));
  }
  std::string Label(std::string_view field) const {
    return Hidden(field) ? std::string(kHiddenCell)
                         : programme::Label(type_, field, OneOr(r_.fields, field));
  }
  std::string Joined(std::string_view field) const {
    if (Hidden(field)) return std::string(kHiddenCell);
    std::string out;
    for (const std::string& v : All(r_.fields, field)) {
      if (!out.empty()) out += "、";
      out += programme::Label(type_, field, v);
    }
    return out;
  }

 private:
  std::string_view type_;
  const Redacted& r_;
};

// Whether the viewer sees field `field` of a `type` record at `scope` (the record visible).
bool Sees(std::string_view type, std::string_view field, std::string_view scope,
          const Viewer& viewer) {
  const RecordTypeSpec* t = FindRecordType(type);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  return f != nullptr && MaySeeField(*f, scope, viewer);
}

// The name of record `id` as the viewer may see it, else the id.
std::string NameOrId(const NamesById& names, std::string_view type, const std::string& id,
                     const Viewer& viewer) {
  auto it = names.find(id);
  if (it == names.end()) return id;
  auto r = RedactRecord(type, it->second.scope, Fields{{"name", {it->second.name}}}, viewer);
  if (!r.ok()) return id;
  const std::string_view name = OneOr(r->fields, "name");
  return name.empty() ? id : std::string(name);
}

}  // namespace

Result<RedactedTable> ChildrenTable(const Viewer& viewer, std::span<const ChildExportRow> rows,
                                    const UnitNames& units) {
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
    FULEI_ASSIGN_OR_RETURN(Redacted child, RedactRecord(kChild, r.scope, r.child, viewer));
    const Cells f(kChild, child);
    auto [town, village] = TownVillage(units, r.scope);
    std::string g_name, g_rel, g_phone;
    if (r.guardian) {
      FULEI_ASSIGN_OR_RETURN(Redacted guardian,
                             RedactRecord(kGuardian, r.scope, *r.guardian, viewer));
      const Cells g(kGuardian, guardian);
      g_name = g.Text("name");
      g_rel = g.Label("relation");
      g_phone = g.Text("phone");
    }
    std::string status = f.Label("programme_status");
    if (status.empty()) status = "在册";
    t.rows.push_back({std::to_string(++n),
                      f.Text("name"),
                      f.Label("gender"),
                      f.Text("ethnicity"),
                      f.Text("birth_date"),
                      f.Text("id_number"),
                      f.Label("category"),
                      f.Label("household"),
                      f.Text("hukou_address"),
                      f.Text("address"),
                      town,
                      village,
                      f.Label("school_level"),
                      f.Text("school"),
                      f.Text("grade"),
                      f.Label("health"),
                      f.Text("disability_grade"),
                      f.Label("father_status"),
                      f.Text("father_work_place"),
                      f.Label("mother_status"),
                      f.Text("mother_work_place"),
                      g_name,
                      g_rel,
                      g_phone,
                      f.Joined("living_support"),
                      f.Label("guardianship"),
                      status,
                      r.id});
  }
  return TableBuilder::Make(viewer, std::move(t));
}

Result<RedactedTable> StudyAidTable(const Viewer& viewer,
                                    std::span<const StudyAidCandidate> candidates,
                                    const UnitNames& units) {
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
    const std::string& scope = c.child.scope;
    FULEI_RETURN_IF_ERROR(MaySeeRecord(kChild, scope, viewer));
    auto cell = [&](std::string_view field, std::string value) {
      if (value.empty() || Sees(kChild, field, scope, viewer)) return value;
      return std::string(kHiddenCell);
    };
    auto [town, village] = TownVillage(units, scope);
    std::string wish = Label("child", "study_aid_wish", c.child.study_aid_wish);
    if (wish.empty()) wish = "未征询";
    t.rows.push_back({std::to_string(++n), town, village, cell("name", c.child.name),
                      cell("gender", c.child.gender == Gender::kMale ? "男" : "女"),
                      cell("birth_date", c.child.birth.ToString()), std::to_string(c.age),
                      cell("id_number", c.child.id_number),
                      cell("category", Label("child", "category", c.child.category)),
                      cell("school_level", Label("child", "school_level", c.child.school_level)),
                      cell("study_aid_wish", wish), c.child.id});
  }
  return TableBuilder::Make(viewer, std::move(t));
}

Result<RedactedTable> OverdueTable(const Viewer& viewer, std::span<const OverdueItem> items,
                                   const UnitNames& units, const NamesById& helpers,
                                   const NamesById& children) {
  Table t;
  t.sheet = "亲情关爱逾期";
  t.header = {"所属镇（街道）", "所属村（社区）",   "爱心家长", "儿童",    "逾期事项",
              "首个未完成周期", "连续未完成周期数", "最近一次", "逾期天数"};
  for (const OverdueItem& i : items) {
    FULEI_RETURN_IF_ERROR(MaySeeRecord(kPairing, i.scope, viewer));
    auto [town, village] = TownVillage(units, i.scope);
    t.rows.push_back({town, village, NameOrId(helpers, kHelper, i.helper, viewer),
                      NameOrId(children, kChild, i.child, viewer),
                      i.duty == CareDuty::kMonthlyTalk ? "每月谈心交流" : "每季度入户看望",
                      i.first_missed, std::to_string(i.missed_periods),
                      i.last_contact ? i.last_contact->ToString() : "无",
                      std::to_string(i.days_overdue)});
  }
  return TableBuilder::Make(viewer, std::move(t));
}

}  // namespace fulei::programme

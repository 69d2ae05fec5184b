#include "programme/export_table.h"

#include "programme/national_codes.h"
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

std::span<const std::string_view> NationalChildColumns() {
  static constexpr std::string_view kColumns[] = {"序号",
                                                  "儿童编号",
                                                  "姓名",
                                                  "性别代码",
                                                  "性别",
                                                  "民族代码",
                                                  "民族",
                                                  "出生日期",
                                                  "公民身份号码",
                                                  "儿童类别代码",
                                                  "儿童类别",
                                                  "户口分类代码",
                                                  "户口分类",
                                                  "户口性质",
                                                  "户籍地址",
                                                  "现住址",
                                                  "所属镇（街道）",
                                                  "所属村（社区）",
                                                  "健康状况代码",
                                                  "健康状况",
                                                  "残疾类别代码",
                                                  "残疾类别",
                                                  "残疾等级",
                                                  "是否学校寄宿",
                                                  "就学情况",
                                                  "就读学校",
                                                  "年级",
                                                  "父亲现状况",
                                                  "父亲务工地点",
                                                  "母亲现状况",
                                                  "母亲务工地点",
                                                  "监护人姓名",
                                                  "与儿童关系",
                                                  "监护人联系电话",
                                                  "监护类型代码",
                                                  "监护类型",
                                                  "家庭经济来源代码",
                                                  "家庭经济来源",
                                                  "救助帮扶代码",
                                                  "救助帮扶",
                                                  "在册状态",
                                                  "退出原因代码",
                                                  "退出原因"};
  return kColumns;
}

Result<RedactedTable> ChildrenTable(const Viewer& viewer, std::span<const ChildExportRow> rows,
                                    const UnitNames& units) {
  Table t;
  t.sheet = "儿童信息";
  for (std::string_view c : NationalChildColumns()) t.header.emplace_back(c);
  int n = 0;
  for (const ChildExportRow& r : rows) {
    FULEI_ASSIGN_OR_RETURN(Redacted child, RedactRecord(kChild, r.scope, r.child, viewer));
    const Cells f(kChild, child);
    const Fields& v = child.fields;
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
    std::vector<std::string> row;
    row.reserve(NationalChildColumns().size());
    // A code and its label, both hidden when any field they come from is hidden.
    auto coded = [&](std::initializer_list<std::string_view> from, const CodedValue& c) {
      for (std::string_view field : from) {
        if (f.Hidden(field)) {
          row.emplace_back(kHiddenCell);
          row.emplace_back(kHiddenCell);
          return;
        }
      }
      row.push_back(c.code);
      row.push_back(c.label);
    };
    auto multi = [&](std::initializer_list<std::string_view> from,
                     const std::vector<CodedValue>& c) {
      for (std::string_view field : from) {
        if (f.Hidden(field)) {
          row.emplace_back(kHiddenCell);
          row.emplace_back(kHiddenCell);
          return;
        }
      }
      row.push_back(JoinCodes(c));
      row.push_back(JoinLabels(c));
    };
    row.push_back(std::to_string(++n));
    row.push_back(r.id);
    row.push_back(f.Text("name"));
    coded({"gender"}, NationalGender(OneOr(v, "gender")));
    coded({"ethnic_group", "ethnicity"},
          NationalEthnicGroup(OneOr(v, "ethnic_group"), OneOr(v, "ethnicity")));
    row.push_back(f.Text("birth_date"));
    row.push_back(f.Text("id_number"));
    coded({"category"}, NationalChildCategory(OneOr(v, "category")));
    coded({"hukou_class"}, NationalHukouClass(OneOr(v, "hukou_class")));
    row.push_back(f.Label("household"));
    row.push_back(f.Text("hukou_address"));
    row.push_back(f.Text("address"));
    row.push_back(town);
    row.push_back(village);
    coded({"health"}, NationalHealth(OneOr(v, "health")));
    coded({"disability_type"}, NationalDisability(OneOr(v, "disability_type")));
    row.push_back(f.Text("disability_grade"));
    const std::string boarding = f.Text("boarding");
    row.push_back(boarding == "true" ? "是" : boarding == "false" ? "否" : boarding);
    row.push_back(f.Label("school_level"));
    row.push_back(f.Text("school"));
    row.push_back(f.Text("grade"));
    row.push_back(f.Label("father_status"));
    row.push_back(f.Text("father_work_place"));
    row.push_back(f.Label("mother_status"));
    row.push_back(f.Text("mother_work_place"));
    row.push_back(g_name);
    row.push_back(g_rel);
    row.push_back(g_phone);
    coded({"guardianship_type", "guardianship"},
          NationalGuardianshipType(OneOr(v, "guardianship_type"), OneOr(v, "guardianship")));
    multi({"income_sources"}, NationalIncomeSources(All(v, "income_sources")));
    multi({"aid_received", "living_support"},
          NationalAid(All(v, "aid_received"), All(v, "living_support")));
    std::string status = f.Label("programme_status");
    if (status.empty()) status = "在册";
    row.push_back(status);
    coded({"exit_reason", "programme_status"},
          NationalExitReason(OneOr(v, "exit_reason"), OneOr(v, "programme_status")));
    t.rows.push_back(std::move(row));
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

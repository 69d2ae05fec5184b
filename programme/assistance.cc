#include "programme/assistance.h"

#include <algorithm>

#include "programme/scope.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

constexpr EnumValue kKinds[] = {
    {"money", "资金", "money"},
    {"goods", "物资", "goods"},
    {"study", "助学", "study support"},
    {"medical", "医疗", "medical"},
    {"job", "就业帮扶", "job support for parents"},
    {"service", "关爱服务", "care service"},
    {"other", "其他", "other"},
};

// Splits "a/b/c/d" into segments.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < s.size(); ++i) {
    if (i > 0) out += '/';
    out += s[i];
  }
  return out;
}

void Add(AssistanceTotals& t, const AssistanceEntry& e) {
  ++t.entries;
  ++t.entries_by_kind[e.kind];
  if (!e.known_kind) ++t.unknown_kind;
  if (e.fen) {
    t.fen += *e.fen;
    t.fen_by_kind[e.kind] += *e.fen;
  }
}

AssistanceTotals& At(std::map<std::string, AssistanceTotals>& m, const std::string& unit) {
  AssistanceTotals& t = m[unit];
  t.unit = unit;
  return t;
}

std::vector<AssistanceTotals> Values(std::map<std::string, AssistanceTotals>& m) {
  std::vector<AssistanceTotals> out;
  out.reserve(m.size());
  for (auto& [unit, t] : m) out.push_back(std::move(t));
  return out;
}

}  // namespace

std::span<const EnumValue> AssistanceKindValues() { return kKinds; }

std::string_view AssistanceKindCode(std::string_view kind) {
  for (const EnumValue& v : kKinds) {
    if (v.code == kind || v.zh == kind) return v.code;
  }
  return "";
}

Result<AssistanceEntry> ParseAssistance(std::string_view entry) {
  std::string_view parts[4];
  std::string_view rest = entry;
  for (int i = 0; i < 3; ++i) {
    const size_t tab = rest.find('\t');
    if (tab == std::string_view::npos) {
      return InvalidArgument(
          "帮扶记录应为 日期⇥类型⇥金额⇥说明 / entry must be date<TAB>kind<TAB>amount<TAB>note");
    }
    parts[i] = rest.substr(0, tab);
    rest = rest.substr(tab + 1);
  }
  parts[3] = rest;
  AssistanceEntry out;
  FULEI_ASSIGN_OR_RETURN(out.date, ParseDate(parts[0]));
  const std::string_view code = AssistanceKindCode(parts[1]);
  out.known_kind = !code.empty();
  out.kind = out.known_kind ? std::string(code) : std::string("other");
  if (!parts[2].empty()) {
    FULEI_ASSIGN_OR_RETURN(int64_t fen, ParseMoneyFen(parts[2]));
    out.fen = fen;
  }
  out.note = std::string(parts[3]);
  return out;
}

AssistanceSums SumAssistance(std::span<const PairingAssistance> pairings, std::optional<Date> from,
                             std::optional<Date> to) {
  std::map<std::string, AssistanceTotals> villages;
  std::map<std::string, AssistanceTotals> towns;
  AssistanceSums out;
  for (const PairingAssistance& p : pairings) {
    const std::vector<std::string_view> seg = Segments(OwnerUnit(p.scope));
    if (seg.empty()) continue;
    if (out.city.unit.empty()) out.city.unit = std::string(seg[0]);
    for (const std::string& text : p.entries) {
      Result<AssistanceEntry> e = ParseAssistance(text);
      if (!e.ok()) {
        ++out.city.unreadable;
        continue;
      }
      if ((from && e->date < *from) || (to && e->date > *to)) continue;
      Add(out.city, *e);
      if (seg.size() == 1) ++out.city.unit_records;
      if (seg.size() >= 2) {
        AssistanceTotals& town = At(towns, Join(seg, 2));
        Add(town, *e);
        if (seg.size() == 2) ++town.unit_records;
      }
      if (seg.size() >= 3) Add(At(villages, Join(seg, 3)), *e);
    }
  }
  out.villages = Values(villages);
  out.towns = Values(towns);
  return out;
}

std::string ContactCard::ToText() const {
  std::string out = "困难帮扶联系卡\n";
  auto line = [&out](std::string_view label, const std::string& value) {
    out += label;
    out += "：";
    out += value;
    out += '\n';
  };
  line("编号", card_no);
  line("儿童", child_name);
  line("帮扶人", helper_name);
  line("联系电话", helper_phone);
  line("结对类型", pairing_kind);
  line("结对日期", start_date);
  line("帮扶需求", needs);
  line("帮扶措施", plan);
  for (const std::string& d : due) line("应做事项", d);
  return out;
}

ContactCard MakeContactCard(const Fields& pairing, const Fields& child, const Fields& helper) {
  ContactCard c;
  c.card_no = std::string(OneOr(pairing, "card_no"));
  c.child_name = std::string(OneOr(child, "name"));
  c.helper_name = std::string(OneOr(helper, "name"));
  c.helper_phone = std::string(OneOr(helper, "phone"));
  const std::string_view kind = OneOr(pairing, "kind");
  const RecordTypeSpec* spec = FindRecordType(kPairing);
  const FieldSpec* kind_spec = spec != nullptr ? spec->Find("kind") : nullptr;
  const EnumValue* v = kind_spec != nullptr ? FindEnum(kind_spec->enum_values, kind) : nullptr;
  c.pairing_kind = v != nullptr ? std::string(v->zh) : std::string(kind);
  c.start_date = std::string(OneOr(pairing, "start_date"));
  c.needs = std::string(OneOr(pairing, "card_needs"));
  c.plan = std::string(OneOr(pairing, "card_plan"));
  if (kind == "family_care") {
    // The plan's family-care duty (rules_family_care.h).
    c.due.push_back("每月至少谈心交流一次");
    c.due.push_back("每季度至少入户看望一次");
  } else {
    c.due.push_back("按帮扶措施提供帮扶，并记录帮扶情况");
  }
  if (!c.plan.empty() && kind == "family_care") c.due.push_back(c.plan);
  return c;
}

}  // namespace fulei::programme

#include "programme/import.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "crdt/org_unit.h"
#include "programme/export_table.h"
#include "programme/fields.h"
#include "programme/id_number.h"
#include "programme/records.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

Status Bad(std::string_view zh, std::string_view en) {
  return InvalidArgument(std::string(zh) + " / " + std::string(en));
}

// ---- SipHash-2-4: the keyed hash of the record ids ----------------------------------------------

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t SipHash(const std::array<uint8_t, 16>& key, std::string_view data) {
  auto load = [](const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  };
  const uint64_t k0 = load(key.data()), k1 = load(key.data() + 8);
  uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  auto round = [&] {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  };
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t m = load(p + i);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  uint64_t b = static_cast<uint64_t>(n) << 56;
  for (size_t j = 0; i + j < n; ++j) b |= static_cast<uint64_t>(p[i + j]) << (8 * j);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

// "<prefix>-" and 32 hex digits of two SipHashes of the parts (joined with a unit separator).
std::string DerivedId(std::string_view prefix, const std::array<uint8_t, 16>& key,
                      std::initializer_list<std::string_view> parts) {
  std::string data;
  for (std::string_view p : parts) {
    data += p;
    data += '\x1f';
  }
  std::array<uint8_t, 16> key2 = key;
  key2[0] ^= 0x5a;
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx",
                static_cast<unsigned long long>(SipHash(key, data)),
                static_cast<unsigned long long>(SipHash(key2, data)));
  return std::string(prefix) + "-" + hex;
}

// ---- cells --------------------------------------------------------------------------------------

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string Trim(std::string s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// A header as compared: normalised, without spaces, '*' (required marks) or ':', lower case.
std::string HeaderKey(std::string_view text) {
  std::string n = NormaliseCell(text);
  std::string out;
  for (char c : n) {
    if (IsSpace(c) || c == '*' || c == ':') continue;
    out.push_back(c);
  }
  return Lower(out);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- the columns of each kind -------------------------------------------------------------------

// Where a column goes: a field of the record, the row's village, or nowhere.
constexpr std::string_view kVillageColumn = "$village";
constexpr std::string_view kIgnoreColumn = "$ignore";

struct Alias {
  std::string_view header;
  std::string_view field;
};

constexpr Alias kVillageAliases[] = {
    {"所属村（社区）", kVillageColumn},
    {"所属村", kVillageColumn},
    {"村（社区）", kVillageColumn},
    {"村(居)", kVillageColumn},
    {"村居", kVillageColumn},
    {"所在村", kVillageColumn},
    {"村名", kVillageColumn},
    {"村", kVillageColumn},
    {"社区", kVillageColumn},
    {"village", kVillageColumn},
    {"unit", kVillageColumn},
    {"序号", kIgnoreColumn},
    {"编号", kIgnoreColumn},
    {"备注", kIgnoreColumn},
    {"所属镇（街道）", kIgnoreColumn},
};

// Children: the national form's columns (export_table.h NationalChildColumns; the code columns
// are ignored, their label columns read) and the names people give them.
constexpr Alias kChildAliases[] = {
    {"儿童姓名", "name"},
    {"公民身份号码", "id_number"},
    {"公民身份证号码", "id_number"},
    {"身份证号码", "id_number"},
    {"身份证", "id_number"},
    {"出生年月日", "birth_date"},
    {"出生年月", "birth_date"},
    {"儿童类型", "category"},
    {"类别", "category"},
    {"户口性质", "household"},
    {"户口类型", "household"},
    {"户籍所在地", "hukou_address"},
    {"现居住地", "address"},
    {"家庭住址", "address"},
    {"身体情况", "health"},
    {"就读学校名称", "school"},
    {"学校", "school"},
    {"父亲现状况", "father_status"},
    {"父亲当前务工地点", "father_work_place"},
    {"父亲务工地点", "father_work_place"},
    {"母亲现状况", "mother_status"},
    {"母亲当前务工地点", "mother_work_place"},
    {"母亲务工地点", "mother_work_place"},
    {"救助帮扶", "aid_received"},
    {"在册状态", "programme_status"},
    {"儿童编号", kIgnoreColumn},
};

constexpr Alias kHelperAliases[] = {
    {"帮扶人姓名", "name"}, {"帮扶人", "name"},
    {"类型", "kind"},       {"身份", "kind"},
    {"手机", "phone"},      {"手机号", "phone"},
    {"电话", "phone"},      {"单位", "work_unit"},
    {"是否在岗", "active"}, {"是否爱心家长", "loving_parent"},
};

constexpr Alias kPairingAliases[] = {
    {"帮扶人姓名", "helper"},   {"帮扶人编号", "helper"},   {"爱心家长", "helper"},
    {"儿童姓名", "child"},      {"儿童身份证号", "child"},  {"儿童身份证号码", "child"},
    {"结对儿童", "child"},      {"儿童编号", "child"},      {"类型", "kind"},
    {"结对时间", "start_date"}, {"开始日期", "start_date"}, {"结束时间", "end_date"},
};

constexpr Alias kContactAliases[] = {
    {"方式", "kind"},          {"类型", "kind"},      {"儿童姓名", "child"},
    {"儿童身份证号", "child"}, {"儿童编号", "child"}, {"帮扶人姓名", "helper"},
    {"爱心家长", "helper"},    {"联系日期", "date"},  {"时间", "date"},
    {"时长", "minutes"},       {"分钟", "minutes"},   {"内容", "notes"},
};

std::span<const Alias> KindAliases(ImportKind kind) {
  switch (kind) {
    case ImportKind::kChildren:
      return kChildAliases;
    case ImportKind::kHelpers:
      return kHelperAliases;
    case ImportKind::kPairings:
      return kPairingAliases;
    case ImportKind::kContacts:
      return kContactAliases;
  }
  return {};
}

// Normalised header -> field (or kVillageColumn / kIgnoreColumn) for a kind.
std::map<std::string, std::string, std::less<>> HeaderMap(ImportKind kind) {
  std::map<std::string, std::string, std::less<>> m;
  const RecordTypeSpec* spec = FindRecordType(ImportRecordType(kind));
  for (const Alias& a : kVillageAliases) m.emplace(HeaderKey(a.header), a.field);
  for (const Alias& a : KindAliases(kind)) m.emplace(HeaderKey(a.header), a.field);
  for (const FieldSpec& f : spec->fields) {
    if (f.shape == FieldShape::kLog) continue;  // logs are not imported
    m.emplace(HeaderKey(f.name), f.name);
    m.emplace(HeaderKey(f.zh), f.name);
  }
  if (kind == ImportKind::kChildren) {
    for (std::string_view c : NationalChildColumns()) {
      const std::string key = HeaderKey(c);
      if (c.ends_with("代码")) {
        m.emplace(key, kIgnoreColumn);
      } else if (!m.contains(key)) {
        m.emplace(key, kIgnoreColumn);  // 监护人姓名 and the like: another record's
      }
    }
  }
  return m;
}

// ---- values -------------------------------------------------------------------------------------

struct EnumAlias {
  std::string_view field;
  std::string_view text;
  std::string_view code;
};

// The labels people and the national forms use besides the schema's codes and labels.
constexpr EnumAlias kEnumAliases[] = {
    {"gender", "1", "male"},
    {"gender", "2", "female"},
    {"gender", "男性", "male"},
    {"gender", "女性", "female"},
    {"gender", "m", "male"},
    {"gender", "f", "female"},
    {"category", "孤儿", "orphan"},
    {"category", "散居孤儿", "orphan"},
    {"category", "事实无人抚养", "de_facto_unsupported"},
    {"category", "留守", "left_behind"},
    {"category", "留守儿童", "left_behind"},
    {"category", "困境", "in_difficulty"},
    {"household", "农业", "rural"},
    {"household", "农村", "rural"},
    {"household", "非农业", "urban"},
    {"household", "城镇", "urban"},
    {"study_aid_wish", "是", "yes"},
    {"study_aid_wish", "否", "no"},
    {"study_aid_wish", "有", "yes"},
    {"study_aid_wish", "无", "no"},
    {"school_level", "未入园", "preschool"},
    {"school_level", "不在学", "not_in_school"},
    {"health", "患病", "ill"},
    {"kind", "结对帮扶", "assistance"},
    {"kind", "帮扶", "assistance"},
    {"kind", "亲情关爱", "family_care"},
    {"kind", "谈心", "talk"},
    {"kind", "谈心谈话", "talk"},
    {"kind", "入户", "home_visit"},
    {"kind", "走访", "home_visit"},
    {"kind", "家访", "home_visit"},
    {"kind", "视频", "video_call"},
    {"kind", "视频通话", "video_call"},
    {"programme_status", "正常", "active"},
};

Result<std::string> EnumCode(const FieldSpec& spec, std::string_view text) {
  const std::string key = Lower(std::string(text));
  for (const EnumValue& v : spec.enum_values) {
    if (key == v.code || text == v.zh || key == Lower(std::string(v.en)))
      return std::string(v.code);
  }
  for (const EnumAlias& a : kEnumAliases) {
    if (a.field == spec.name && a.text == key && FindEnum(spec.enum_values, a.code)) {
      return std::string(a.code);
    }
  }
  std::string zh, en;
  for (const EnumValue& v : spec.enum_values) {
    if (!zh.empty()) zh += "、";
    if (!en.empty()) en += ", ";
    zh += v.zh;
    en += v.code;
  }
  return Bad("不是可选值之一（" + zh + "）", "not one of the values (" + en + ")");
}

Result<std::string> BoolValue(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"是", "有", "true", "yes", "y", "1", "√"};
  static constexpr std::string_view kFalse[] = {"否", "无", "false", "no", "n", "0", "×"};
  const std::string key = Lower(std::string(text));
  for (std::string_view t : kTrue) {
    if (key == t) return std::string("true");
  }
  for (std::string_view f : kFalse) {
    if (key == f) return std::string("false");
  }
  return Bad("应填“是”或“否”", "must be 是 (yes) or 否 (no)");
}

// "一级" / "1级" / "1" -> "1".
std::string IntValue(std::string_view text) {
  std::string s(text);
  if (s.ends_with("级")) s.resize(s.size() - std::strlen("级"));
  static constexpr std::pair<std::string_view, std::string_view> kNumerals[] = {
      {"一", "1"}, {"二", "2"}, {"三", "3"}, {"四", "4"}};
  for (const auto& [zh, d] : kNumerals) {
    if (s == zh) return std::string(d);
  }
  return s;
}

std::vector<std::string> SplitMulti(std::string_view text) {
  static constexpr std::string_view kSeparators[] = {"、", "，", "；", ",", ";", " ", "/"};
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < text.size();) {
    bool sep = false;
    for (std::string_view s : kSeparators) {
      if (text.substr(i).starts_with(s)) {
        sep = true;
        i += s.size();
        break;
      }
    }
    if (sep) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(text[i++]);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// One cell's value for a field: the stored text, or the reason it cannot be.
Result<std::string> FieldValue(const FieldSpec& spec, std::string_view text) {
  switch (spec.type) {
    case ValueType::kDate:
      return NormaliseDate(text);
    case ValueType::kEnum:
      return EnumCode(spec, text);
    case ValueType::kBool:
      return BoolValue(text);
    case ValueType::kInt:
      return IntValue(text);
    case ValueType::kIdNumber: {
      std::string s(text);
      for (char& c : s) {
        if (c == 'x') c = 'X';
      }
      return s;
    }
    case ValueType::kPhone: {
      std::string s;
      for (char c : text) {
        if (!IsSpace(c)) s.push_back(c);
      }
      return s;
    }
    default:
      return std::string(text);
  }
}

// A refusal as "中文 / English" and the field it names: ValidateRecord writes
// "child.id_number: ... | 身份证号：...", the write policy "身份证号：... / child.id_number: ...".
std::pair<std::string, std::string> Reason(std::string_view type, const Status& s) {
  const std::string& m = s.message();
  std::string en, zh;
  if (const size_t bar = m.find(" | "); bar != std::string::npos) {
    en = m.substr(0, bar);
    zh = m.substr(bar + 3);
  } else if (const size_t slash = m.find(" / "); slash != std::string::npos) {
    zh = m.substr(0, slash);
    en = m.substr(slash + 3);
  } else {
    return {"", m};
  }
  std::string field;
  const std::string prefix = std::string(type) + ".";
  if (en.starts_with(prefix)) {
    const size_t colon = en.find(':');
    if (colon != std::string::npos) field = en.substr(prefix.size(), colon - prefix.size());
  }
  return {field, zh + " / " + en};
}

// The Chinese reason a value that FieldValue produced fails ValidateValue (its English message
// says exactly why).
std::string CellReason(const FieldSpec& spec, std::string_view value) {
  switch (spec.type) {
    case ValueType::kText:
    case ValueType::kLongText:
      return "过长，或含无效字符（最多 " + std::to_string(spec.max > 0 ? spec.max : 200) +
             " 字节）";
    case ValueType::kDate:
      return ParseDate(value).ok() ? "晚于今天" : "不是有效日期";
    case ValueType::kInt:
      return "应为 " + std::to_string(spec.min) + " 至 " + std::to_string(spec.max) + " 的整数";
    case ValueType::kMoney:
      return "不是有效金额（元，最多两位小数）";
    case ValueType::kRef:
      return "不是有效的记录编号";
    case ValueType::kIdNumber:
      return "身份证号格式或校验码不正确";
    case ValueType::kPhone:
      return "不是有效的电话号码";
    case ValueType::kUnitPath:
      return "不是有效的单位路径";
    default:
      return "格式不正确";
  }
}

// Whether a row is a signature, date or total line below the data: a cell that begins with one
// of the marks ("填表人：林老师", "合计"). Only the beginning counts, so a helper's work unit
// "村委负责人" is data.
bool IsFooterRow(const std::vector<std::string>& cells) {
  static constexpr std::string_view kMarks[] = {
      "填表人", "填报人", "审核人", "复核人", "负责人", "单位负责人", "填报单位", "制表",
      "签字",   "签名",   "盖章",   "合计",   "总计",   "填报日期",   "填表日期"};
  for (const std::string& c : cells) {
    for (std::string_view m : kMarks) {
      if (c.starts_with(m)) return true;
    }
  }
  return false;
}

bool IsBlank(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); });
}

std::string ZhLabel(std::string_view type, std::string_view field) {
  const RecordTypeSpec* t = FindRecordType(type);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  return f ? std::string(f->zh) : std::string(field);
}

// ---- records held, for references and duplicates ------------------------------------------------

struct Held {
  crdt::RecordKey key;
  std::string name;       // normalised, no spaces
  std::string id_number;  // children
};

std::string NameKey(std::string_view name) {
  std::string out;
  for (char c : NormaliseCell(name)) {
    if (!IsSpace(c)) out.push_back(c);
  }
  return out;
}

class Index {
 public:
  void Add(const crdt::RecordKey& key, const Fields& f) {
    Held h{key, NameKey(OneOr(f, "name")), std::string(OneOr(f, "id_number"))};
    const size_t i = held_.size();
    held_.push_back(std::move(h));
    by_id_[key.id].push_back(i);
    if (!held_[i].name.empty()) by_name_[held_[i].name].push_back(i);
    if (!held_[i].id_number.empty()) by_id_number_[held_[i].id_number].push_back(i);
  }

  // The record a cell names (see the header comment), preferring one in `scope` when a name is
  // shared. Error: the row's reason.
  Result<const Held*> Resolve(std::string_view cell, std::string_view scope, bool child) const {
    if (auto it = by_id_.find(cell); it != by_id_.end()) return &held_[it->second.front()];
    if (child) {
      if (Result<IdNumberInfo> id = ParseIdNumber(cell); id.ok()) {
        auto it = by_id_number_.find(id->normalised);
        if (it == by_id_number_.end()) {
          return Bad("没有身份证号为此号码的儿童记录，请先导入儿童",
                     "no child with this ID number is held; import the children first");
        }
        return &held_[it->second.front()];
      }
    }
    auto it = by_name_.find(NameKey(cell));
    const std::string_view who_zh = child ? "儿童" : "帮扶人";
    const std::string_view who_en = child ? "child" : "helper";
    if (it == by_name_.end()) {
      return Bad("找不到这个" + std::string(who_zh) + "（姓名、身份证号或编号）",
                 "no such " + std::string(who_en) + " (name, ID number or record id) is held");
    }
    if (it->second.size() == 1) return &held_[it->second.front()];
    const Held* in_scope = nullptr;
    int n = 0;
    for (size_t i : it->second) {
      if (held_[i].key.scope == scope) {
        in_scope = &held_[i];
        ++n;
      }
    }
    if (n == 1) return in_scope;
    return Bad("有多个同名的" + std::string(who_zh) + "，请改填身份证号或编号",
               "several " + std::string(who_en) +
                   "s have this name; give the ID number or record id instead");
  }

 private:
  std::vector<Held> held_;
  std::map<std::string, std::vector<size_t>, std::less<>> by_id_, by_name_, by_id_number_;
};

Status LoadIndex(ImportRecords& existing, std::string_view type, std::string_view unit,
                 bool ancestors, Index* index) {
  auto add = [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
    if (std::optional<Fields> f = ReadFields(state)) index->Add(key, *f);
    return true;
  };
  FULEI_RETURN_IF_ERROR(existing.ForEach(type, unit, add));
  if (ancestors) {
    for (std::string_view up = crdt::ParentUnit(unit); !up.empty(); up = crdt::ParentUnit(up)) {
      FULEI_RETURN_IF_ERROR(existing.ForEach(
          type, up, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
            return key.scope == up ? add(key, state) : true;
          }));
    }
  }
  return Status::Ok();
}

// ---- the header row -----------------------------------------------------------------------------

struct Columns {
  uint32_t header_row = 0;
  size_t header_index = 0;           // index into table.rows
  std::vector<std::string> headers;  // as the file writes them (normalised)
  std::vector<std::string> targets;  // field, kVillageColumn, kIgnoreColumn or "" (unknown)
};

Result<Columns> FindHeader(const ImportTable& table, ImportKind kind) {
  const auto map = HeaderMap(kind);
  size_t seen = 0;
  for (size_t i = 0; i < table.rows.size() && seen < 30; ++i) {
    const TableRow& row = table.rows[i];
    if (IsBlank(row.cells)) continue;
    ++seen;
    Columns c;
    int known = 0;
    for (const std::string& cell : row.cells) {
      c.headers.push_back(Trim(cell));  // as the person wrote it, for the report
      auto it = map.find(HeaderKey(cell));
      c.targets.push_back(it == map.end() ? "" : it->second);
      if (it != map.end() && it->second != kIgnoreColumn) ++known;
    }
    if (known >= 2) {
      c.header_row = row.number;
      c.header_index = i;
      return c;
    }
  }
  const RecordTypeSpec* spec = FindRecordType(ImportRecordType(kind));
  std::string expected;
  for (const FieldSpec& f : spec->fields) {
    if (!f.required) continue;
    if (!expected.empty()) expected += "、";
    expected += f.zh;
  }
  return Bad("找不到表头行：前 30 行中没有一行含有至少两个可识别的列名（如 " + expected + "）",
             "no header row: none of the first 30 rows names two known columns (such as " +
                 expected + ")");
}

// ---- one row ------------------------------------------------------------------------------------

struct RowRecord {
  uint32_t row = 0;
  crdt::RecordKey key;
  Fields fields;                            // imported values
  std::map<std::string, size_t> column_of;  // field -> column index
};

}  // namespace

// ---- public -------------------------------------------------------------------------------------

Result<ImportKind> ParseImportKind(std::string_view what) {
  if (what == "children") return ImportKind::kChildren;
  if (what == "helpers") return ImportKind::kHelpers;
  if (what == "pairings") return ImportKind::kPairings;
  if (what == "contacts") return ImportKind::kContacts;
  return Bad("不能导入 " + std::string(what) + "：只能导入 children、helpers、pairings、contacts",
             "cannot import " + std::string(what) +
                 ": the kinds are children, helpers, pairings, contacts");
}

std::string_view ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kChildren:
      return "children";
    case ImportKind::kHelpers:
      return "helpers";
    case ImportKind::kPairings:
      return "pairings";
    case ImportKind::kContacts:
      return "contacts";
  }
  return "";
}

std::string_view ImportRecordType(ImportKind kind) {
  switch (kind) {
    case ImportKind::kChildren:
      return kChild;
    case ImportKind::kHelpers:
      return kHelper;
    case ImportKind::kPairings:
      return kPairing;
    case ImportKind::kContacts:
      return kContact;
  }
  return "";
}

Result<std::optional<crdt::RecordState>> StoreImportRecords::Get(const crdt::RecordKey& key) {
  return store_.Get(key);
}

Status StoreImportRecords::ForEach(
    std::string_view type, std::string_view scope_prefix,
    const std::function<bool(const crdt::RecordKey&, const crdt::RecordState&)>& fn) {
  return store_.ForEach(type, scope_prefix, fn);
}

std::string NormaliseCell(std::string_view cell) {
  std::string out;
  out.reserve(cell.size());
  const auto* p = reinterpret_cast<const unsigned char*>(cell.data());
  const size_t n = cell.size();
  for (size_t i = 0; i < n;) {
    // Full-width forms U+FF01..U+FF5E are EF BC 81..EF BD 9E; U+3000 is E3 80 80; U+00A0 C2 A0.
    if (i + 2 < n && p[i] == 0xEF && (p[i + 1] == 0xBC || p[i + 1] == 0xBD)) {
      const char32_t cp = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFEE0));
        i += 3;
        continue;
      }
    }
    if (i + 2 < n && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80) {
      out.push_back(' ');
      i += 3;
      continue;
    }
    if (i + 1 < n && p[i] == 0xC2 && p[i + 1] == 0xA0) {
      out.push_back(' ');
      i += 2;
      continue;
    }
    out.push_back(static_cast<char>(p[i]));
    ++i;
  }
  return Trim(std::move(out));
}

Result<std::string> NormaliseDate(std::string_view cell) {
  const std::string text = NormaliseCell(cell);
  auto bad = [&] {
    return Bad("不是有效日期（如 2015-03-04、2015.3.4、2015/3/4、2015年3月4日）",
               "not a date (such as 2015-03-04, 2015.3.4, 2015/3/4, 2015年3月4日)");
  };
  if (AllDigits(text)) {
    if (text.size() == 8) {  // 20150304
      const Date d{std::stoi(text.substr(0, 4)), std::stoi(text.substr(4, 2)),
                   std::stoi(text.substr(6, 2))};
      if (!IsValidDate(d.year, d.month, d.day) || d.year < 1900 || d.year > 2199) return bad();
      return d.ToString();
    }
    if (text.size() == 5) {  // an Excel serial (1927..2173) typed or exported as a number
      Result<std::string> iso = ExcelSerialDate(std::stod(text));
      if (!iso.ok()) return bad();
      return iso;
    }
    return bad();
  }
  // YYYY <sep> M <sep> D [日] [time], sep one of - / . 年 月.
  size_t i = 0;
  auto number = [&](size_t max_digits) -> std::optional<int> {
    size_t start = i;
    while (i < text.size() && i - start < max_digits && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start) return std::nullopt;
    return std::stoi(text.substr(start, i - start));
  };
  auto separator = [&](std::string_view cjk) {
    if (i < text.size() && (text[i] == '-' || text[i] == '/' || text[i] == '.')) {
      ++i;
      return true;
    }
    if (text.compare(i, cjk.size(), cjk) == 0) {
      i += cjk.size();
      return true;
    }
    return false;
  };
  const size_t year_start = i;
  const std::optional<int> y = number(4);
  if (!y || i - year_start != 4 || !separator("年")) return bad();
  const std::optional<int> m = number(2);
  if (!m || !separator("月")) return bad();
  const std::optional<int> d = number(2);
  if (!d) return bad();
  if (text.compare(i, std::strlen("日"), "日") == 0) i += std::strlen("日");
  if (text.compare(i, std::strlen("号"), "号") == 0) i += std::strlen("号");
  if (i < text.size() && text[i] != ' ' && text[i] != 'T') return bad();
  if (!IsValidDate(*y, *m, *d) || *y < 1900 || *y > 2199) return bad();
  return Date{*y, *m, *d}.ToString();
}

Result<ImportPlan> PlanImport(const ImportTable& table, const ImportOptions& options,
                              ImportRecords& existing) {
  if (options.unit.empty()) {
    return Bad("没有指定导入到哪个单位", "no unit to import into");
  }
  const std::string_view type = ImportRecordType(options.kind);
  const RecordTypeSpec* spec = FindRecordType(type);
  FULEI_ASSIGN_OR_RETURN(Columns cols, FindHeader(table, options.kind));

  ImportPlan plan;
  plan.format = table.format;
  plan.header_row = cols.header_row;
  std::set<std::string> have;
  bool has_village = false;
  for (size_t c = 0; c < cols.targets.size(); ++c) {
    if (cols.targets[c].empty()) {
      if (!cols.headers[c].empty()) plan.ignored_columns.push_back(cols.headers[c]);
    } else if (cols.targets[c] == kVillageColumn) {
      has_village = true;
    } else {
      have.insert(cols.targets[c]);
    }
  }
  // Required columns, before any row: a missing one would refuse every row.
  std::string missing_zh, missing_en;
  for (const FieldSpec& f : spec->fields) {
    if (!f.required || have.contains(std::string(f.name))) continue;
    if (options.kind == ImportKind::kChildren && have.contains("id_number") &&
        (f.name == "gender" || f.name == "birth_date")) {
      continue;  // read from the ID number
    }
    if (!missing_zh.empty()) {
      missing_zh += "、";
      missing_en += ", ";
    }
    missing_zh += f.zh;
    missing_en += f.name;
  }
  if (!missing_zh.empty()) {
    return Bad("第 " + std::to_string(cols.header_row) + " 行的表头缺少必填列：" + missing_zh,
               "the header in row " + std::to_string(cols.header_row) +
                   " lacks required columns: " + missing_en);
  }

  // Records held that rows may name.
  const bool refs = options.kind == ImportKind::kPairings || options.kind == ImportKind::kContacts;
  Index children, helpers;
  if (refs) {
    FULEI_RETURN_IF_ERROR(LoadIndex(existing, kChild, options.unit, false, &children));
    FULEI_RETURN_IF_ERROR(LoadIndex(existing, kHelper, options.unit, true, &helpers));
  }
  auto level_of = [&](std::string_view unit) {
    return options.context.level ? options.context.level(unit) : LevelByDepth(unit);
  };
  auto resolve_unit = [&](std::string_view cell) -> Result<std::string> {
    if (options.resolve_unit) return options.resolve_unit(cell);
    if (crdt::IsAtOrBelow(cell, options.unit)) return std::string(cell);
    const bool code = std::all_of(cell.begin(), cell.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    });
    if (code) return options.unit + "/" + std::string(cell);
    return Bad("不认识这个村（社区）", "unknown village or community");
  };

  std::map<crdt::RecordKey, uint32_t> key_rows;  // rows planned so far, by record
  std::vector<Child> new_children;               // accepted children rows, for duplicates
  std::vector<uint32_t> new_children_rows;
  auto reject = [&](uint32_t row, size_t col, std::string value, std::string reason) {
    ImportProblem p;
    p.row = row;
    p.column = col < cols.headers.size() ? cols.headers[col] : "";
    p.value = std::move(value);
    p.reason = std::move(reason);
    plan.rejected.push_back(std::move(p));
  };

  for (size_t r = cols.header_index + 1; r < table.rows.size(); ++r) {
    const TableRow& trow = table.rows[r];
    std::vector<std::string> cells;
    cells.reserve(trow.cells.size());
    for (const std::string& c : trow.cells) cells.push_back(NormaliseCell(c));
    if (IsBlank(cells)) continue;
    if (IsFooterRow(cells)) break;
    ++plan.rows;
    const size_t problems_before = plan.rejected.size();
    RowRecord rec;
    rec.row = trow.number;
    std::string village;
    size_t village_col = 0;
    std::map<std::string, std::vector<std::pair<size_t, std::string>>> refs_of;  // field -> cells
    for (size_t c = 0; c < cells.size() && c < cols.targets.size(); ++c) {
      const std::string& target = cols.targets[c];
      const std::string& cell = cells[c];
      if (cell.empty() || target.empty() || target == kIgnoreColumn) continue;
      if (target == kVillageColumn) {
        if (village.empty()) {
          village = cell;
          village_col = c;
        }
        continue;
      }
      const FieldSpec* f = spec->Find(target);
      if (f->type == ValueType::kRef && refs) {
        refs_of[target].emplace_back(c, cell);
        continue;
      }
      if (rec.fields.contains(target)) continue;  // two columns of one field: the first wins
      std::vector<std::string> parts;
      if (f->shape == FieldShape::kSet) {
        parts = SplitMulti(cell);
      } else {
        parts.push_back(cell);
      }
      std::vector<std::string> values;
      for (const std::string& part : parts) {
        Result<std::string> v = FieldValue(*f, part);
        if (!v.ok()) {
          reject(rec.row, c, cell, v.status().message());
          break;
        }
        if (f->type == ValueType::kIdNumber &&
            (v->find("E+") != std::string::npos || v->find("e+") != std::string::npos)) {
          reject(rec.row, c, cell,
                 "Excel 把身份证号存成了数字，后几位已丢失：请把该列设为“文本”后重新填写 / Excel "
                 "stored the ID number as a number and lost its last digits: format the column "
                 "as text and enter it again");
          break;
        }
        if (Status s = ValidateValue(*f, *v, options.today, options.context.validate); !s.ok()) {
          reject(rec.row, c, cell, CellReason(*f, *v) + " / " + s.message());
          break;
        }
        if (std::find(values.begin(), values.end(), *v) == values.end()) values.push_back(*v);
      }
      rec.fields[target] = std::move(values);
      rec.column_of[target] = c;
    }
    // A child's gender and birth date from the ID number when the sheet leaves them out.
    if (options.kind == ImportKind::kChildren) {
      if (Result<IdNumberInfo> id = ParseIdNumber(OneOr(rec.fields, "id_number")); id.ok()) {
        rec.fields["id_number"] = {id->normalised};
        if (!rec.fields.contains("birth_date")) rec.fields["birth_date"] = {id->birth.ToString()};
        if (!rec.fields.contains("gender")) {
          rec.fields["gender"] = {id->gender == Gender::kMale ? "male" : "female"};
        }
      }
    }
    // The unit.
    std::string unit = options.unit;
    bool named_unit = false;
    if (has_village && !village.empty()) {
      Result<std::string> u = resolve_unit(village);
      if (!u.ok()) {
        reject(rec.row, village_col, village, u.status().message());
      } else if (!crdt::IsAtOrBelow(*u, options.unit)) {
        reject(rec.row, village_col, village,
               "这个村（社区）不在本单位之下 / this village is not under " + options.unit);
      } else {
        unit = *u;
        named_unit = true;
      }
    }
    std::string scope = RecordScope(type, unit, level_of(unit));
    // References (pairings, contacts).
    for (std::string_view field : {std::string_view("child"), std::string_view("helper")}) {
      if (!refs) break;
      auto it = refs_of.find(std::string(field));
      if (it == refs_of.end()) continue;
      const bool child = field == "child";
      Status first;
      for (const auto& [c, cell] : it->second) {
        Result<const Held*> h = (child ? children : helpers).Resolve(cell, scope, child);
        if (h.ok()) {
          rec.fields[std::string(field)] = {(*h)->key.id};
          rec.column_of[std::string(field)] = c;
          // A pairing or contact lives with its child unless the row names its unit.
          if (child && !named_unit) scope = (*h)->key.scope;
          first = Status::Ok();
          break;
        }
        if (first.ok()) {
          first = h.status();
          rec.column_of[std::string(field)] = c;
        }
      }
      if (!first.ok()) {
        const size_t c = rec.column_of[std::string(field)];
        reject(rec.row, c, cells[c], first.message());
      }
    }
    if (plan.rejected.size() != problems_before) continue;

    // The record id.
    const std::array<uint8_t, 16>& k = options.id_key;
    std::string id;
    switch (options.kind) {
      case ImportKind::kChildren: {
        const std::string_view idn = OneOr(rec.fields, "id_number");
        id = idn.empty() ? DerivedId("c", k,
                                     {"child", unit, NameKey(OneOr(rec.fields, "name")),
                                      OneOr(rec.fields, "birth_date")})
                         : DerivedId("c", k, {"child-id", idn});
        break;
      }
      case ImportKind::kHelpers:
        id = DerivedId(
            "h", k,
            {"helper", unit, NameKey(OneOr(rec.fields, "name")), OneOr(rec.fields, "phone")});
        break;
      case ImportKind::kPairings:
        id = DerivedId("p", k,
                       {"pairing", scope, OneOr(rec.fields, "helper"), OneOr(rec.fields, "child"),
                        OneOr(rec.fields, "kind"), OneOr(rec.fields, "start_date")});
        break;
      case ImportKind::kContacts:
        id = DerivedId("t", k,
                       {"contact", scope, OneOr(rec.fields, "child"), OneOr(rec.fields, "helper"),
                        OneOr(rec.fields, "kind"), OneOr(rec.fields, "date")});
        break;
    }
    rec.key = crdt::RecordKey{scope, std::string(type), id};
    if (auto it = key_rows.find(rec.key); it != key_rows.end()) {
      reject(rec.row, cols.headers.size(), "",
             "与第 " + std::to_string(it->second) +
                 " 行是同一条记录，已跳过 / the same record as row " + std::to_string(it->second) +
                 "; skipped");
      continue;
    }

    // Merge with the record held.
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> current, existing.Get(rec.key));
    std::optional<Fields> held;
    if (current) {
      held = ReadFields(*current);
      if (!held) {
        reject(rec.row, cols.headers.size(), "",
               "这条记录已被删除，请先恢复 / the record was deleted; restore it first");
        continue;
      }
    }
    std::vector<crdt::FieldWrite> writes;
    for (const auto& [field, values] : rec.fields) {
      const FieldSpec* f = spec->Find(field);
      if (f->shape == FieldShape::kSet) {
        for (const std::string& v : values) {
          const std::vector<std::string>& now = held ? All(*held, field) : All(Fields{}, field);
          if (std::find(now.begin(), now.end(), v) == now.end()) {
            writes.push_back(crdt::AddWrite(field, v));
          }
        }
      } else if (!values.empty()) {
        if (held && OneOr(*held, field) == values.front()) continue;
        if (current) {
          writes.push_back(crdt::SetWrite(*current, field, values.front()));
        } else {
          crdt::FieldWrite w;
          w.field = field;
          w.kind = crdt::WriteKind::kSet;
          w.value = values.front();
          writes.push_back(std::move(w));
        }
      }
    }
    if (writes.empty()) {
      ++plan.unchanged;
      key_rows.emplace(rec.key, rec.row);
      continue;
    }
    Result<crdt::RecordState> checked =
        CheckChange(options.writer, rec.key, current, writes, options.today, options.context);
    if (!checked.ok()) {
      auto [field, reason] = Reason(type, checked.status());
      size_t c = cols.headers.size();
      std::string value;
      if (auto it = rec.column_of.find(field); it != rec.column_of.end()) {
        c = it->second;
      } else if (auto col = std::find(cols.targets.begin(), cols.targets.end(), field);
                 !field.empty() && col != cols.targets.end()) {
        c = static_cast<size_t>(col - cols.targets.begin());  // the column, left empty
      }
      if (c < cells.size()) value = cells[c];
      ImportProblem p;
      p.row = rec.row;
      p.column = c < cols.headers.size() ? cols.headers[c]
                 : field.empty()         ? ""
                                         : ZhLabel(type, field);
      p.value = std::move(value);
      p.reason = std::move(reason);
      plan.rejected.push_back(std::move(p));
      continue;
    }
    key_rows.emplace(rec.key, rec.row);
    if (current) {
      ++plan.updated;
    } else {
      ++plan.created;
    }
    if (options.kind == ImportKind::kChildren) {
      if (std::optional<Fields> f = ReadFields(*checked)) {
        if (Result<Child> ch = ReadChild(rec.key.scope, rec.key.id, *f); ch.ok()) {
          new_children.push_back(std::move(*ch));
          new_children_rows.push_back(rec.row);
        }
      }
    }
    plan.changes.push_back(store::LocalChange{rec.key, std::move(writes), options.author, 0});
    plan.change_rows.push_back(rec.row);
  }

  // Likely duplicates among the children: held ones first, then this file's.
  if (options.kind == ImportKind::kChildren && !new_children.empty()) {
    std::vector<Child> all;
    FULEI_RETURN_IF_ERROR(existing.ForEach(
        kChild, options.unit, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
          if (key_rows.contains(key)) return true;  // this file's own record, as imported
          if (std::optional<Fields> f = ReadFields(state)) {
            if (Result<Child> ch = ReadChild(key.scope, key.id, *f); ch.ok()) {
              all.push_back(std::move(*ch));
            }
          }
          return true;
        }));
    const size_t held_count = all.size();
    all.insert(all.end(), new_children.begin(), new_children.end());
    for (const DuplicateCandidate& d : FindDuplicates(all)) {
      if (d.b < held_count) continue;  // both held: not this import's business
      ImportDuplicate dup;
      dup.row = new_children_rows[d.b - held_count];
      dup.reason = d.reason;
      if (d.a < held_count) {
        dup.existing = crdt::RecordKey{all[d.a].scope, std::string(kChild), all[d.a].id};
      } else {
        dup.other_row = new_children_rows[d.a - held_count];
      }
      plan.duplicates.push_back(std::move(dup));
    }
    std::stable_sort(
        plan.duplicates.begin(), plan.duplicates.end(),
        [](const ImportDuplicate& a, const ImportDuplicate& b) { return a.row < b.row; });
  }
  std::stable_sort(plan.rejected.begin(), plan.rejected.end(),
                   [](const ImportProblem& a, const ImportProblem& b) { return a.row < b.row; });
  return plan;
}

std::string FormatImportReport(const ImportPlan& plan) {
  std::string out;
  out += "文件格式 / format: " + std::string(TableFormatName(plan.format)) + "\n";
  out += "表头在第 " + std::to_string(plan.header_row) + " 行 / header in row " +
         std::to_string(plan.header_row) + "\n";
  out += "数据行 / data rows: " + std::to_string(plan.rows) + "\n";
  out += "新建 / new: " + std::to_string(plan.created) +
         "，更新 / updated: " + std::to_string(plan.updated) +
         "，无变化 / unchanged: " + std::to_string(plan.unchanged) + "，拒绝 / rejected rows: ";
  std::set<uint32_t> bad_rows;
  for (const ImportProblem& p : plan.rejected) bad_rows.insert(p.row);
  out += std::to_string(bad_rows.size()) + "\n";
  if (!plan.ignored_columns.empty()) {
    out += "未导入的列 / columns not imported:";
    for (const std::string& c : plan.ignored_columns) out += " 「" + c + "」";
    out += "\n";
  }
  for (const ImportProblem& p : plan.rejected) {
    out += "第 " + std::to_string(p.row) + " 行 / row " + std::to_string(p.row);
    if (!p.column.empty()) out += "，「" + p.column + "」";
    if (!p.value.empty()) out += " = " + p.value;
    out += "：" + p.reason + "\n";
  }
  for (const ImportDuplicate& d : plan.duplicates) {
    out += "第 " + std::to_string(d.row) + " 行 / row " + std::to_string(d.row) +
           "：可能重复 / likely duplicate of ";
    if (d.other_row != 0) {
      out += "第 " + std::to_string(d.other_row) + " 行 / row " + std::to_string(d.other_row);
    } else {
      out += d.existing.scope + "|" + d.existing.id;
    }
    out += " (" + std::string(DuplicateReasonName(d.reason)) + ")\n";
  }
  return out;
}

}  // namespace fulei::programme

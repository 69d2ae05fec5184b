#include "programme/validate.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "programme/assistance.h"
#include "programme/id_number.h"
#include "programme/utf8.h"

namespace fulei::programme {
namespace {

// Valid UTF-8 (utf8.h), no control characters except '\n' (and '\t' when allowed), no NUL.
bool CleanUtf8(std::string_view s, bool allow_newline, bool allow_tab) {
  std::vector<char32_t> cps;
  if (!DecodeUtf8(s, &cps)) return false;
  for (char32_t cp : cps) {
    if (cp == U'\n' && allow_newline) continue;
    if (cp == U'\t' && allow_tab) continue;
    if (cp < 0x20 || cp == 0x7f) return false;
  }
  return true;
}

std::string EnumList(std::span<const EnumValue> values) {
  std::string out;
  for (const EnumValue& v : values) {
    if (!out.empty()) out += ", ";
    out += v.code;
  }
  return out;
}

// The field's Chinese label, or the field name when the type has no such field.
std::string ZhLabel(std::string_view type, std::string_view field) {
  const RecordTypeSpec* t = FindRecordType(type);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  return std::string(f ? f->zh : field);
}

// "<type>.<field>: <en> | <字段>：<zh>".
Status Error(std::string_view type, std::string_view field, std::string_view what,
             std::string_view zh) {
  return InvalidArgument(std::string(type) + "." + std::string(field) + ": " + std::string(what) +
                         " | " + ZhLabel(type, field) + "：" + std::string(zh));
}

std::string ZhEnumList(std::span<const EnumValue> values) {
  std::string out;
  for (const EnumValue& v : values) {
    if (!out.empty()) out += "、";
    out += std::string(v.zh) + "(" + std::string(v.code) + ")";
  }
  return out;
}

// Splits `value` at its first `n - 1` tabs into n parts; false when there are fewer tabs.
bool SplitTabs(std::string_view value, size_t n, std::string_view* parts) {
  for (size_t i = 0; i + 1 < n; ++i) {
    const size_t tab = value.find('\t');
    if (tab == std::string_view::npos) return false;
    parts[i] = value.substr(0, tab);
    value = value.substr(tab + 1);
  }
  parts[n - 1] = value;
  return true;
}

// Chinese reason for a value that ValidateValue refused (the English message says exactly why).
std::string ZhReason(const FieldSpec& spec, std::string_view value) {
  switch (spec.type) {
    case ValueType::kText:
    case ValueType::kLongText:
      if (value.empty()) return "不能为空";
      return "过长，或含无效字符（最多 " + std::to_string(spec.max > 0 ? spec.max : 200) +
             " 字节）";
    case ValueType::kDate:
      return ParseDate(value).ok() ? "晚于今天" : "不是有效日期（YYYY-MM-DD）";
    case ValueType::kTime:
      return ParseTime(value).ok() ? "晚于当前时间"
                                   : "不是有效时间（YYYY-MM-DDTHH:MM:SSZ，协调世界时）";
    case ValueType::kEnum:
      return "不在可选范围内（可选：" + ZhEnumList(spec.enum_values) + "）";
    case ValueType::kInt:
      return "应为 " + std::to_string(spec.min) + " 至 " + std::to_string(spec.max) + " 的整数";
    case ValueType::kMoney:
      return "不是有效金额（元，最多两位小数）";
    case ValueType::kBool:
      return "应为 true 或 false";
    case ValueType::kRef:
      return "不是有效的记录编号";
    case ValueType::kIdNumber:
      return "身份证号格式或校验码不正确";
    case ValueType::kPhone:
      return "不是有效的电话号码";
    case ValueType::kUnitPath:
      return "不是有效的单位路径";
    case ValueType::kAssistance: {
      const std::string kinds = "（可选：" + ZhEnumList(AssistanceKindValues()) + "）";
      std::string_view parts[4];
      if (SplitTabs(value, 4, parts) && AssistanceKindCode(parts[1]).empty() && !parts[1].empty()) {
        return "帮扶类型“" + std::string(parts[1].substr(0, 64)) + "”不在帮扶类型清单中" + kinds;
      }
      return "帮扶记录应为 日期⇥类型⇥金额⇥说明，日期不晚于今天，类型为清单中的一项" + kinds;
    }
    case ValueType::kStep:
      return "处置记录应为 时间⇥处置人⇥处置类型⇥说明，时间不晚于当前时间，处置类型可选：" +
             ZhEnumList(spec.enum_values);
    case ValueType::kAck:
      return "接收确认应为 时间⇥用户编号⇥单位路径，时间不晚于当前时间";
  }
  return "格式不正确";
}

bool ValidRef(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == ':' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool ValidUnitPath(std::string_view s) {
  if (s.empty() || s.size() > 200 || s.front() == '/' || s.back() == '/') return false;
  char prev = '/';
  for (char c : s) {
    if (c == '/' && prev == '/') return false;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/')) {
      return false;
    }
    prev = c;
  }
  return true;
}

}  // namespace

Result<int64_t> ParseInt(std::string_view text) {
  if (text.empty() || text.size() > 18)
    return InvalidArgument("'" + std::string(text.substr(0, 20)) + "' is not a decimal integer");
  size_t i = 0;
  bool neg = false;
  if (text[0] == '-') {
    neg = true;
    i = 1;
    if (text.size() == 1) return InvalidArgument("'-' is not a decimal integer");
  }
  int64_t v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return InvalidArgument("'" + std::string(text) + "' is not a decimal integer");
    }
    v = v * 10 + (text[i] - '0');
  }
  if (text.size() > 1 + (neg ? 1u : 0u) && text[neg ? 1 : 0] == '0') {
    return InvalidArgument("'" + std::string(text) + "' has a leading zero");
  }
  return neg ? -v : v;
}

Result<int64_t> ParseMoneyFen(std::string_view text) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const std::string bad = "'" + std::string(text.substr(0, 20)) + "' is not an amount in yuan";
  if (whole.empty() || whole.size() > 12 || (dot != std::string_view::npos && frac.empty()) ||
      frac.size() > 2 || (whole.size() > 1 && whole[0] == '0')) {
    return InvalidArgument(bad);
  }
  int64_t fen = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return InvalidArgument(bad);
    fen = fen * 10 + (c - '0');
  }
  fen *= 100;
  int64_t scale = 10;
  for (char c : frac) {
    if (c < '0' || c > '9') return InvalidArgument(bad);
    fen += (c - '0') * scale;
    scale /= 10;
  }
  return fen;
}

namespace {

// A not_future time: at most options.future_tolerance_s after options.now_s, or without a now,
// not after the end of the UTC day following `today` (allowing for UTC+8).
Status CheckNotFutureTime(int64_t t, std::string_view text, const Date& today,
                          const ValidateOptions& options) {
  if (options.now_s) {
    if (t > *options.now_s + options.future_tolerance_s) {
      return InvalidArgument(std::string(text) + " is after the current time " +
                             FormatTime(*options.now_s) + " (tolerance " +
                             std::to_string(options.future_tolerance_s) + " s)");
    }
    return Status::Ok();
  }
  if (t > (DaysFromCivil(today) + 1) * 86400) {
    return InvalidArgument(std::string(text) + " is after today (" + today.ToString() + ")");
  }
  return Status::Ok();
}

// One assistance entry "YYYY-MM-DD\tkind\tamount\tnote": kind and note are text, amount is yuan
// or empty. With `closed_kinds`, the kind must be one of assistance.h's list (code or Chinese
// label); without, any short text (an entry stored before the list was closed).
Status ValidateAssistance(std::string_view value, const Date& today, bool closed_kinds) {
  std::string_view parts[4];
  if (!SplitTabs(value, 4, parts)) {
    return InvalidArgument("assistance entry must be date<TAB>kind<TAB>amount<TAB>note");
  }
  FULEI_ASSIGN_OR_RETURN(Date d, ParseDate(parts[0]));
  if (d > today) return InvalidArgument(d.ToString() + " is after today");
  if (parts[1].empty() || parts[1].size() > 64 || !CleanUtf8(parts[1], false, false)) {
    return InvalidArgument("assistance kind must be 1..64 bytes of text");
  }
  if (closed_kinds && AssistanceKindCode(parts[1]).empty()) {
    return InvalidArgument("assistance kind '" + std::string(parts[1]) + "' is not one of " +
                           EnumList(AssistanceKindValues()) + " (or their Chinese labels)");
  }
  if (!parts[2].empty()) FULEI_RETURN_IF_ERROR(ParseMoneyFen(parts[2]).status());
  if (parts[3].size() > 2000 || !CleanUtf8(parts[3], true, false)) {
    return InvalidArgument("assistance note must be at most 2000 bytes of text");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateValue(const FieldSpec& spec, std::string_view value, const Date& today,
                     const ValidateOptions& options) {
  switch (spec.type) {
    case ValueType::kText:
    case ValueType::kLongText: {
      const bool long_text = spec.type == ValueType::kLongText;
      const int64_t max = spec.max > 0 ? spec.max : (long_text ? 8000 : 200);
      if (value.empty()) return InvalidArgument("is empty");
      if (static_cast<int64_t>(value.size()) > max) {
        return InvalidArgument("is " + std::to_string(value.size()) + " bytes, at most " +
                               std::to_string(max) + " allowed");
      }
      if (!CleanUtf8(value, long_text, false)) {
        return InvalidArgument("is not clean UTF-8 text (bad bytes or control characters)");
      }
      return Status::Ok();
    }
    case ValueType::kDate: {
      FULEI_ASSIGN_OR_RETURN(Date d, ParseDate(value));
      if (spec.not_future && d > today) {
        return InvalidArgument(d.ToString() + " is after today (" + today.ToString() + ")");
      }
      return Status::Ok();
    }
    case ValueType::kTime: {
      FULEI_ASSIGN_OR_RETURN(int64_t t, ParseTime(value));
      if (spec.not_future) return CheckNotFutureTime(t, value, today, options);
      return Status::Ok();
    }
    case ValueType::kEnum:
      if (FindEnum(spec.enum_values, value) == nullptr) {
        return InvalidArgument("unknown value '" + std::string(value.substr(0, 40)) +
                               "' (expected one of " + EnumList(spec.enum_values) + ")");
      }
      return Status::Ok();
    case ValueType::kInt: {
      FULEI_ASSIGN_OR_RETURN(int64_t v, ParseInt(value));
      if (v < spec.min || v > spec.max) {
        return InvalidArgument(std::to_string(v) + " is outside " + std::to_string(spec.min) +
                               ".." + std::to_string(spec.max));
      }
      return Status::Ok();
    }
    case ValueType::kMoney:
      return ParseMoneyFen(value).status();
    case ValueType::kBool:
      if (value != "true" && value != "false") {
        return InvalidArgument("'" + std::string(value.substr(0, 20)) + "' is not true or false");
      }
      return Status::Ok();
    case ValueType::kRef:
      if (!ValidRef(value)) {
        return InvalidArgument("'" + std::string(value.substr(0, 70)) +
                               "' is not a record id (1..64 of A-Z a-z 0-9 . _ : -)");
      }
      return Status::Ok();
    case ValueType::kIdNumber:
      return ParseIdNumber(value).status();
    case ValueType::kPhone: {
      bool ok = value.size() >= 5 && value.size() <= 20;
      for (char c : value) ok = ok && ((c >= '0' && c <= '9') || c == '+' || c == '-');
      if (!ok) return InvalidArgument("is not a phone number (5..20 of 0-9 + -)");
      return Status::Ok();
    }
    case ValueType::kUnitPath:
      if (!ValidUnitPath(value)) {
        return InvalidArgument("'" + std::string(value.substr(0, 70)) +
                               "' is not an org unit path like jinjiang/cizao/v012");
      }
      return Status::Ok();
    case ValueType::kAssistance:
      return ValidateAssistance(value, today, /*closed_kinds=*/true);
    case ValueType::kStep: {
      // "time<TAB>who<TAB>action<TAB>note": who is text, action one of the field's codes.
      std::string_view parts[4];
      if (!SplitTabs(value, 4, parts)) {
        return InvalidArgument("step entry must be time<TAB>who<TAB>action<TAB>note");
      }
      FULEI_ASSIGN_OR_RETURN(int64_t t, ParseTime(parts[0]));
      FULEI_RETURN_IF_ERROR(CheckNotFutureTime(t, parts[0], today, options));
      if (parts[1].empty() || parts[1].size() > 64 || !CleanUtf8(parts[1], false, false)) {
        return InvalidArgument("step entry: who must be 1..64 bytes of text");
      }
      if (FindEnum(spec.enum_values, parts[2]) == nullptr) {
        return InvalidArgument("step entry: unknown action '" +
                               std::string(parts[2].substr(0, 40)) + "' (expected one of " +
                               EnumList(spec.enum_values) + ")");
      }
      if (parts[3].size() > 2000 || !CleanUtf8(parts[3], true, false)) {
        return InvalidArgument("step entry: note must be at most 2000 bytes of text");
      }
      return Status::Ok();
    }
    case ValueType::kAck: {
      // "time<TAB>user id<TAB>unit path".
      std::string_view parts[3];
      if (!SplitTabs(value, 3, parts)) {
        return InvalidArgument("acknowledgement must be time<TAB>user id<TAB>unit path");
      }
      FULEI_ASSIGN_OR_RETURN(int64_t t, ParseTime(parts[0]));
      FULEI_RETURN_IF_ERROR(CheckNotFutureTime(t, parts[0], today, options));
      if (!ValidRef(parts[1]))
        return InvalidArgument("acknowledgement: user id is not a record id");
      if (!ValidUnitPath(parts[2])) {
        return InvalidArgument("acknowledgement: '" + std::string(parts[2].substr(0, 70)) +
                               "' is not an org unit path");
      }
      return Status::Ok();
    }
  }
  return Internal("unhandled value type");
}

namespace {

// Cross-field rules. Only called once every field is individually valid.
Status CrossChecks(const RecordTypeSpec& spec, const Fields& f, const Date& today) {
  const std::string_view type = spec.name;
  auto date_of = [&](std::string_view name) -> std::optional<Date> {
    auto v = One(f, name);
    if (!v) return std::nullopt;
    auto d = ParseDate(*v);
    return d.ok() ? std::optional<Date>(*d) : std::nullopt;
  };
  auto not_before = [&](std::string_view later, std::string_view earlier) -> Status {
    auto a = date_of(later), b = date_of(earlier);
    if (a && b && *a < *b) {
      return Error(type, later,
                   a->ToString() + " is before " + std::string(earlier) + " " + b->ToString(),
                   "不能早于" + ZhLabel(type, earlier) + "（" + b->ToString() + "）");
    }
    return Status::Ok();
  };
  // Times share one fixed-width format, so text order is time order.
  auto time_not_before = [&](std::string_view later, std::string_view later_value,
                             std::string_view earlier) -> Status {
    auto e = One(f, earlier);
    if (e && later_value < *e) {
      return Error(
          type, later,
          std::string(later_value) + " is before " + std::string(earlier) + " " + std::string(*e),
          "不能早于" + ZhLabel(type, earlier) + "（" + std::string(*e) + "）");
    }
    return Status::Ok();
  };
  FULEI_RETURN_IF_ERROR(not_before("end_date", "start_date"));

  if (type == kChild || type == kGuardian) {
    if (auto id = One(f, "id_number")) {
      auto info = ParseIdNumber(*id);  // already valid
      if (auto birth = date_of("birth_date"); birth && info.ok() && info->birth != *birth) {
        return Error(type, "id_number",
                     "embedded birth date " + info->birth.ToString() +
                         " does not match birth_date " + birth->ToString(),
                     "其中的出生日期 " + info->birth.ToString() + " 与出生日期 " +
                         birth->ToString() + " 不一致");
      }
      if (auto g = One(f, "gender"); g && info.ok()) {
        const std::string_view expected = info->gender == Gender::kMale ? "male" : "female";
        if (*g != expected) {
          return Error(
              type, "id_number",
              "sequence digit says " + std::string(expected) + ", gender is " + std::string(*g),
              std::string("顺序码表示") + (info->gender == Gender::kMale ? "男" : "女") +
                  "，与性别不一致");
        }
      }
    }
  }
  if (type == kChild) {
    auto birth = date_of("birth_date");
    if (birth && AgeOn(*birth, today) < 14 && !One(f, "consent_on")) {
      return Error(type, "consent_on",
                   "required for a child under 14 (guardian's consent to keep this record)",
                   "未满14周岁儿童必填（监护人同意建档）");
    }
    FULEI_RETURN_IF_ERROR(not_before("father_status_until", "father_status_since"));
    FULEI_RETURN_IF_ERROR(not_before("mother_status_until", "mother_status_since"));
    if (auto c = One(f, "consent_on"); c && birth) {
      FULEI_RETURN_IF_ERROR(not_before("consent_on", "birth_date"));
    }
  }
  if (type == kCounselling) FULEI_RETURN_IF_ERROR(not_before("guardian_informed_on", "date"));
  if (type == kReport || type == kHelpRequest) {
    if (!One(f, "child") && !One(f, "child_name")) {
      return Error(type, "child",
                   "name the child: a child record id (child) or a name (child_name)",
                   "请填写儿童编号或儿童姓名");
    }
    for (std::string_view later : {"acknowledged_at", "closed_at"}) {
      if (auto v = One(f, later)) FULEI_RETURN_IF_ERROR(time_not_before(later, *v, "reported_at"));
    }
    if (auto r = One(f, "reported_at")) {
      FULEI_RETURN_IF_ERROR(time_not_before("reported_at", *r, "discovered_at"));
    }
    if (auto p = One(f, "police_reported_at")) {
      FULEI_RETURN_IF_ERROR(time_not_before("police_reported_at", *p, "discovered_at"));
    }
    for (const std::string& ack : All(f, "acks")) {
      FULEI_RETURN_IF_ERROR(time_not_before("acks", ack.substr(0, ack.find('\t')), "reported_at"));
    }
    // The police report: its details exactly when it was made. The system records it; it never
    // stands in for it.
    if (OneOr(f, "police_informed") == "yes") {
      if (!One(f, "police_reported_at")) {
        return Error(type, "police_reported_at", "required when police_informed is yes",
                     "已报案时必填");
      }
    } else {
      for (std::string_view detail :
           {"police_reported_at", "police_reported_by", "police_unit", "police_receipt_no"}) {
        if (One(f, detail)) {
          return Error(type, detail, "is set while police_informed is not yes",
                       "未记录已报案时不应填写");
        }
      }
    }
  }
  if (type == kUser) {
    const std::string_view login = OneOr(f, "login");
    bool ok = login.size() >= 3 && login.size() <= 32;
    for (char c : login) {
      ok = ok &&
           ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    }
    if (!ok) {
      return Error(type, "login", "must be 3..32 of a-z 0-9 . _ -",
                   "应为 3 至 32 个小写字母、数字或 . _ -");
    }
    // libsodium's crypto_pwhash_str string of argon2id (users.h HashPassword), nothing else.
    if (!OneOr(f, "password_hash").starts_with("$argon2id$")) {
      return Error(type, "password_hash", "is not an argon2id hash string ($argon2id$...)",
                   "不是 argon2id 密码摘要");
    }
    // A caring parent's pairings are found by their helper record id (redact.h).
    if (OneOr(f, "role") == "caring_parent" && !One(f, "helper")) {
      return Error(type, "helper", "required for a caring_parent (their helper record id)",
                   "爱心家长必填（其帮扶人记录编号）");
    }
  }
  if (type == kTransfer && One(f, "from_scope") == One(f, "to_scope")) {
    return Error(type, "to_scope", "is the same unit as from_scope", "与迁出单位相同");
  }
  return Status::Ok();
}

// Whether `value` is one of the stored record's values of `field` (ValidateOptions::stored).
bool Stored(const ValidateOptions& options, std::string_view field, std::string_view value) {
  if (options.stored == nullptr) return false;
  auto it = options.stored->find(field);
  if (it == options.stored->end()) return false;
  return std::find(it->second.begin(), it->second.end(), value) != it->second.end();
}

}  // namespace

std::string_view EnglishPart(std::string_view message) {
  const size_t bar = message.find(" | ");
  return bar == std::string_view::npos ? message : message.substr(0, bar);
}

Status ValidateRecord(std::string_view type, const Fields& fields, const Date& today,
                      const ValidateOptions& options) {
  const RecordTypeSpec* spec = FindRecordType(type);
  if (spec == nullptr) {
    return InvalidArgument("unknown record type '" + std::string(type.substr(0, 40)) +
                           "' | 未知的记录类型");
  }
  for (const auto& [name, values] : fields) {
    const FieldSpec* fs = spec->Find(name);
    if (fs == nullptr) return Error(type, name.substr(0, 64), "unknown field", "未知字段");
    if (fs->shape == FieldShape::kRegister && values.size() > 1) {
      return Error(type, name, "holds " + std::to_string(values.size()) + " values, expected one",
                   "只能有一个值");
    }
    if (fs->shape == FieldShape::kSet) {
      std::set<std::string_view> seen;
      for (const std::string& v : values) {
        if (!seen.insert(v).second) {
          return Error(type, name, "element '" + v + "' appears twice", "重复的选项");
        }
      }
    }
    for (const std::string& v : values) {
      // An assistance entry already stored was valid when it was written (before the list of
      // kinds was closed, perhaps): it is held to that, not to today's list.
      Status s = fs->type == ValueType::kAssistance && Stored(options, name, v)
                     ? ValidateAssistance(v, today, /*closed_kinds=*/false)
                     : ValidateValue(*fs, v, today, options);
      if (!s.ok()) return Error(type, name, s.message(), ZhReason(*fs, v));
    }
  }
  for (const FieldSpec& fs : spec->fields) {
    if (fs.required && !One(fields, fs.name)) return Error(type, fs.name, "is required", "必填");
  }
  return CrossChecks(*spec, fields, today);
}

}  // namespace fulei::programme

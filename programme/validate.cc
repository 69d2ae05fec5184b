#include "programme/validate.h"

#include <set>
#include <string>
#include <vector>

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

Status Prefixed(std::string_view type, std::string_view field, const Status& s) {
  return InvalidArgument(std::string(type) + "." + std::string(field) + ": " + s.message());
}

Status Error(std::string_view type, std::string_view field, std::string_view what) {
  return InvalidArgument(std::string(type) + "." + std::string(field) + ": " + std::string(what));
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

Status ValidateValue(const FieldSpec& spec, std::string_view value, const Date& today) {
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
      // Times are UTC; allow the rest of today in China (UTC+8) before calling one "future".
      if (spec.not_future && t > (DaysFromCivil(today) + 1) * 86400) {
        return InvalidArgument(std::string(value) + " is after today (" + today.ToString() + ")");
      }
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
    case ValueType::kAssistance: {
      // "YYYY-MM-DD\tkind\tamount\tnote": kind and note are text, amount is yuan or empty.
      std::string_view rest = value;
      std::string_view parts[4];
      for (int i = 0; i < 3; ++i) {
        const size_t tab = rest.find('\t');
        if (tab == std::string_view::npos) {
          return InvalidArgument("assistance entry must be date<TAB>kind<TAB>amount<TAB>note");
        }
        parts[i] = rest.substr(0, tab);
        rest = rest.substr(tab + 1);
      }
      parts[3] = rest;
      FULEI_ASSIGN_OR_RETURN(Date d, ParseDate(parts[0]));
      if (d > today) return InvalidArgument(d.ToString() + " is after today");
      if (parts[1].empty() || parts[1].size() > 64 || !CleanUtf8(parts[1], false, false)) {
        return InvalidArgument("assistance kind must be 1..64 bytes of text");
      }
      if (!parts[2].empty()) FULEI_RETURN_IF_ERROR(ParseMoneyFen(parts[2]).status());
      if (parts[3].size() > 2000 || !CleanUtf8(parts[3], true, false)) {
        return InvalidArgument("assistance note must be at most 2000 bytes of text");
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
                   a->ToString() + " is before " + std::string(earlier) + " " + b->ToString());
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
                         " does not match birth_date " + birth->ToString());
      }
      if (auto g = One(f, "gender"); g && info.ok()) {
        const std::string_view expected = info->gender == Gender::kMale ? "male" : "female";
        if (*g != expected) {
          return Error(
              type, "id_number",
              "sequence digit says " + std::string(expected) + ", gender is " + std::string(*g));
        }
      }
    }
  }
  if (type == kChild) {
    auto birth = date_of("birth_date");
    if (birth && AgeOn(*birth, today) < 14 && !One(f, "consent_on")) {
      return Error(type, "consent_on",
                   "required for a child under 14 (guardian's consent to keep this record)");
    }
    FULEI_RETURN_IF_ERROR(not_before("father_status_until", "father_status_since"));
    FULEI_RETURN_IF_ERROR(not_before("mother_status_until", "mother_status_since"));
    if (auto c = One(f, "consent_on"); c && birth) {
      FULEI_RETURN_IF_ERROR(not_before("consent_on", "birth_date"));
    }
  }
  if (type == kCounselling) FULEI_RETURN_IF_ERROR(not_before("guardian_informed_on", "date"));
  if (type == kReport || type == kHelpRequest) {
    auto reported = One(f, "reported_at");
    for (std::string_view later : {"acknowledged_at", "closed_at"}) {
      auto v = One(f, later);
      if (v && reported && *v < *reported) {  // same fixed-width format: text order is time order
        return Error(type, later,
                     std::string(*v) + " is before reported_at " + std::string(*reported));
      }
    }
  }
  if (type == kTransfer && One(f, "from_scope") == One(f, "to_scope")) {
    return Error(type, "to_scope", "is the same unit as from_scope");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRecord(std::string_view type, const Fields& fields, const Date& today) {
  const RecordTypeSpec* spec = FindRecordType(type);
  if (spec == nullptr) {
    return InvalidArgument("unknown record type '" + std::string(type.substr(0, 40)) + "'");
  }
  for (const auto& [name, values] : fields) {
    const FieldSpec* fs = spec->Find(name);
    if (fs == nullptr) return Error(type, name.substr(0, 64), "unknown field");
    if (fs->shape == FieldShape::kRegister && values.size() > 1) {
      return Error(type, name, "holds " + std::to_string(values.size()) + " values, expected one");
    }
    if (fs->shape == FieldShape::kSet) {
      std::set<std::string_view> seen;
      for (const std::string& v : values) {
        if (!seen.insert(v).second) return Error(type, name, "element '" + v + "' appears twice");
      }
    }
    for (const std::string& v : values) {
      Status s = ValidateValue(*fs, v, today);
      if (!s.ok()) return Prefixed(type, name, s);
    }
  }
  for (const FieldSpec& fs : spec->fields) {
    if (fs.required && !One(fields, fs.name)) return Error(type, fs.name, "is required");
  }
  return CrossChecks(*spec, fields, today);
}

}  // namespace fulei::programme

#include "programme/audit.h"

#include <sodium.h>

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "programme/date.h"
#include "programme/schema.h"
#include "programme/utf8.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

constexpr size_t kActionBytes = 32;
constexpr size_t kTextBytes = 200;    // schema.h: a text field's default limit
constexpr size_t kUserBytes = 64;     // the audit record's `user`
constexpr size_t kEntryBytes = 8000;  // a long text

// `s` as clean UTF-8 of at most `max` bytes: a byte that does not start a well-formed character
// becomes U+FFFD, a control character a space (a tab a newline when `lines`), and the text is cut
// at a character boundary.
std::string Clean(std::string_view s, size_t max, bool lines) {
  std::string out;
  std::vector<char32_t> cp;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    std::string_view piece = "\xEF\xBF\xBD";
    cp.clear();
    if (n != 0 && i + n <= s.size() && DecodeUtf8(s.substr(i, n), &cp)) {
      piece = s.substr(i, n);
      if (cp[0] < 0x20 || cp[0] == 0x7f)
        piece = lines && (cp[0] == '\t' || cp[0] == '\n') ? "\n" : " ";
      i += n;
    } else {
      i += 1;
    }
    if (out.size() + piece.size() > max) break;
    out += piece;
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t end = text.find_first_of("\t\n");
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

std::string Join(const std::vector<std::string_view>& parts, size_t first, size_t last) {
  std::string out;
  for (size_t k = first; k < parts.size() && k < last; ++k) {
    if (parts[k].empty()) continue;
    if (!out.empty()) out += ' ';
    out += parts[k];
  }
  return out;
}

crdt::FieldWrite Set(std::string field, std::string value) {
  return crdt::FieldWrite{std::move(field), crdt::WriteKind::kSet, std::move(value), {}};
}

}  // namespace

AuditEntry ParseAuditEntry(std::string_view raw) {
  const std::string text = Clean(raw, kEntryBytes, /*lines=*/true);
  const std::vector<std::string_view> p = Split(text);
  AuditEntry e;
  if (p.size() < 2 || !ParseTime(p[1]).ok()) {
    // Free text: "revoke node=... version=...", "backup ...".
    const size_t space = p[0].find(' ');
    e.action = Clean(p[0].substr(0, space), kActionBytes, false);
    if (space != std::string_view::npos) e.what = std::string(p[0].substr(space + 1));
    const std::string rest = Join(p, 1, p.size());
    if (!rest.empty()) e.what += (e.what.empty() ? "" : " ") + rest;
    return e;
  }
  e.action = Clean(p[0], kActionBytes, false);
  e.at = std::string(p[1]);
  auto part = [&](size_t k) { return k < p.size() ? std::string(p[k]) : std::string(); };
  e.user = Clean(part(2), kUserBytes, false);
  e.role = part(3);
  static const FieldSpec* const unit_spec = FindRecordType(kAudit)->Find("unit");
  if (ValidateValue(*unit_spec, part(4), Date{}).ok()) e.unit = part(4);
  if (e.action == "read") {
    e.what = part(5);
    e.from = part(6);
  } else if (e.action == "login") {
    e.from = part(5);
    e.what = part(6);
  } else if (e.action == "user.add" || e.action == "user.change") {
    e.what = Join(p, 5, 7);
    e.from = part(7);
  } else {
    e.what = Join(p, 5, p.size());
  }
  e.what = Clean(e.what, kTextBytes, false);
  e.from = Clean(e.from, kTextBytes, false);
  return e;
}

std::string AuditRecordId(uint64_t seq, std::string_view text) {
  uint8_t hash[8];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                     nullptr, 0);
  uint64_t h = 0;
  for (uint8_t b : hash) h = h << 8 | b;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "-%" PRIu64, h, seq);
  return buf;
}

store::LocalChange AuditRecord(std::string_view scope, crdt::NodeId node, uint64_t seq,
                               std::string_view text, int64_t now_s) {
  const AuditEntry e = ParseAuditEntry(text);
  store::LocalChange c;
  c.key = crdt::RecordKey{std::string(scope), std::string(kAudit), AuditRecordId(seq, text)};
  c.author = "node";
  c.writes.push_back(Set("at", e.at.empty() ? FormatTime(now_s) : e.at));
  c.writes.push_back(Set("action", e.action.empty() ? "?" : e.action));
  if (!e.user.empty()) c.writes.push_back(Set("user", e.user));
  if (!e.unit.empty()) c.writes.push_back(Set("unit", e.unit));
  std::string entry = Clean(text, kEntryBytes, /*lines=*/true);
  c.writes.push_back(Set("entry", entry.empty() ? "?" : std::move(entry)));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, static_cast<uint64_t>(node));
  c.writes.push_back(Set("node", hex));
  c.writes.push_back(Set("seq", std::to_string(seq)));
  return c;
}

AuditRecordView ReadAuditRecord(const Fields& fields) {
  AuditRecordView v;
  v.text = std::string(OneOr(fields, "entry"));
  v.entry = ParseAuditEntry(v.text);
  // What the record says wins over the text (which an older writer may have shaped otherwise).
  if (auto at = OneOr(fields, "at"); !at.empty()) v.entry.at = std::string(at);
  if (auto action = OneOr(fields, "action"); !action.empty()) v.entry.action = std::string(action);
  v.node = std::string(OneOr(fields, "node"));
  const std::string_view seq = OneOr(fields, "seq");
  for (char ch : seq) {
    const int digit = ch - '0';
    if (digit < 0 || digit > 9 || v.seq > (INT64_MAX - digit) / 10) break;
    v.seq = v.seq * 10 + digit;
  }
  return v;
}

}  // namespace fulei::programme

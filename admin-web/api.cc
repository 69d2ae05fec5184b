#include "admin-web/api.h"

#include <sodium.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "admin-web/openapi.h"
#include "admin-web/record_json.h"
#include "admin-web/unit_names.h"
#include "crdt/org_unit.h"
#include "programme/aggregate.h"
#include "programme/aggregate_store.h"
#include "programme/audit.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/memory_index.h"
#include "programme/reader.h"
#include "programme/records.h"
#include "programme/rules_family_care.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/scorecard_store.h"
#include "programme/transfer.h"
#include "programme/urgent_actions.h"
#include "programme/users.h"
#include "programme/utf8.h"
#include "programme/write_policy.h"
#include "sync/receipts.h"

namespace fulei::web {
namespace json = boost::json;
using programme::Role;
using programme::Viewer;

namespace {

constexpr std::string_view kCookie = "fulei_session";
constexpr size_t kMaxPage = 200;

// Headers every answer carries: no caching of personal data, no framing, no sniffing.
constexpr char kApiCsp[] = "default-src 'none'; frame-ancestors 'none'";
constexpr char kUiCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

Response JsonAnswer(int status, const json::value& v) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = json::serialize(v);
  return r;
}

// `s` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD: an answer
// may quote what the client sent (a type, a unit), and JSON must stay valid UTF-8.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size() && (n != 1 || c != 0);
    std::vector<char32_t> decoded;
    if (ok && n > 1) ok = programme::DecodeUtf8(s.substr(i, n), &decoded);
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

Response ErrorAnswer(int status, std::string_view code, std::string_view message,
                     std::string_view field = {}) {
  json::object e{{"code", code}, {"message", ValidUtf8(message)}};
  if (!field.empty()) e["field"] = ValidUtf8(field);
  return JsonAnswer(status, json::object{{"error", std::move(e)}});
}

// The HTTP answer of a refusal from below (programme, store): its code decides the status.
Response StatusAnswer(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return ErrorAnswer(400, "invalid", s.message());
    case StatusCode::kPermissionDenied:
      return ErrorAnswer(403, "forbidden", s.message());
    case StatusCode::kNotFound:
      return ErrorAnswer(404, "not_found", s.message());
    case StatusCode::kAlreadyExists:
      return ErrorAnswer(409, "exists", s.message());
    case StatusCode::kFailedPrecondition:
      return ErrorAnswer(409, "precondition", s.message());
    case StatusCode::kResourceExhausted:
      return ErrorAnswer(503, "busy", s.message());
    default:
      return ErrorAnswer(500, "internal", "服务器内部错误 / internal error: " + s.message());
  }
}

Response NotLoggedIn() { return ErrorAnswer(401, "unauthenticated", "请先登录 / please log in"); }

Response NotFoundAnswer() { return ErrorAnswer(404, "not_found", "没有该资源 / no such resource"); }

std::string TimeText(uint64_t ms) { return programme::FormatTime(static_cast<int64_t>(ms / 1000)); }

bool IsRelated(std::string_view unit, const Viewer& viewer) {
  return unit.empty() || crdt::IsAtOrBelow(unit, viewer.unit) ||
         crdt::IsAtOrBelow(viewer.unit, unit);
}

std::string_view LevelName(std::string_view unit) {
  switch (programme::LevelByDepth(unit)) {
    case programme::UnitLevel::kVillage:
      return "village";
    case programme::UnitLevel::kTown:
      return "town";
    case programme::UnitLevel::kCity:
      return "city";
  }
  return "village";
}

std::string ParentOf(std::string_view unit) {
  const size_t slash = unit.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(unit.substr(0, slash));
}

std::string_view TypeName(programme::ValueType t) {
  using programme::ValueType;
  switch (t) {
    case ValueType::kText:
      return "text";
    case ValueType::kLongText:
      return "long_text";
    case ValueType::kDate:
      return "date";
    case ValueType::kTime:
      return "time";
    case ValueType::kEnum:
      return "enum";
    case ValueType::kInt:
      return "int";
    case ValueType::kMoney:
      return "money";
    case ValueType::kBool:
      return "bool";
    case ValueType::kRef:
      return "ref";
    case ValueType::kIdNumber:
      return "id_number";
    case ValueType::kPhone:
      return "phone";
    case ValueType::kUnitPath:
      return "unit";
    case ValueType::kAssistance:
      return "assistance";
    case ValueType::kStep:
      return "step";
    case ValueType::kAck:
      return "ack";
  }
  return "text";
}

std::string_view ShapeName(programme::FieldShape s) {
  switch (s) {
    case programme::FieldShape::kRegister:
      return "register";
    case programme::FieldShape::kSet:
      return "set";
    case programme::FieldShape::kLog:
      return "log";
  }
  return "register";
}

// An opaque text that changes whenever the record does: a hash of every entry's op id and value
// and the tombstones of its fields.
std::string VersionOf(const crdt::RecordState& state) {
  crypto_generichash_state h;
  crypto_generichash_init(&h, nullptr, 0, 16);
  auto add = [&](std::string_view s) {
    const uint64_t n = s.size();
    crypto_generichash_update(&h, reinterpret_cast<const unsigned char*>(&n), sizeof n);
    crypto_generichash_update(&h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  for (const auto& [name, field] : state.fields()) {
    add(name);
    for (const crdt::Entry& e : field.entries()) {
      add(e.id.ToString());
      add(e.value);
    }
  }
  add(state.deleted() ? "deleted" : "live");
  unsigned char out[16];
  crypto_generichash_final(&h, out, sizeof out);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : out) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

Result<json::object> ParseBody(const Request& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    return InvalidArgument("请求内容不是 JSON 对象 / the body is not a JSON object");
  }
  return std::move(v.as_object());
}

std::string StrOr(const json::object& o, std::string_view key, std::string_view fallback = "") {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::string(fallback);
  return std::string(it->value().as_string());
}

// A required string member: nullopt and an answer naming the field when absent or not text.
std::optional<std::string> RequireStr(const json::object& o, std::string_view key,
                                      Response* refusal) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string() || it->value().as_string().empty()) {
    *refusal = ErrorAnswer(
        400, "invalid",
        "缺少或无效：" + std::string(key) + " / missing or not text: " + std::string(key), key);
    return std::nullopt;
  }
  return std::string(it->value().as_string());
}

// The field a refusal names ("... name ..." where name is a field of `type`), for the UI to
// mark: the first field of the type whose name appears in the message as a word.
std::string FieldNamed(std::string_view type, std::string_view message) {
  const programme::RecordTypeSpec* spec = programme::FindRecordType(type);
  if (spec == nullptr) return {};
  std::string best;
  for (const programme::FieldSpec& f : spec->fields) {
    size_t at = message.find(f.name);
    while (at != std::string_view::npos) {
      const bool left = at == 0 || !(std::isalnum(static_cast<unsigned char>(message[at - 1])) ||
                                     message[at - 1] == '_');
      const size_t end = at + f.name.size();
      const bool right =
          end >= message.size() ||
          !(std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '_');
      if (left && right) {
        if (f.name.size() > best.size()) best = std::string(f.name);
        break;
      }
      at = message.find(f.name, at + 1);
    }
  }
  return best;
}

Response WriteRefusal(const Status& s, std::string_view type) {
  Response r = StatusAnswer(s);
  if (s.code() == StatusCode::kInvalidArgument) {
    const std::string field = FieldNamed(type, s.message());
    if (!field.empty()) {
      r = ErrorAnswer(400, "invalid", s.message(), field);
    }
  }
  return r;
}

json::object DashboardJson(const programme::Dashboard& d) {
  auto counts = [](const std::map<std::string, int64_t>& m) {
    json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  auto urgent = [](const programme::UrgentStats& u) {
    json::object o{{"total", u.total},   {"open", u.open},       {"acknowledged", u.acknowledged},
                   {"closed", u.closed}, {"overdue", u.overdue}, {"escalated", u.escalated}};
    if (u.median_ack_minutes) {
      o["median_ack_minutes"] = *u.median_ack_minutes;
    } else {
      o["median_ack_minutes"] = nullptr;
    }
    return o;
  };
  json::object activities;
  for (const auto& [k, a] : d.activities_this_year) {
    activities[k] = json::object{{"held", a.held}, {"days", a.days}, {"attendance", a.attendance}};
  }
  json::object funds;
  for (const auto& [k, f] : d.funds_by_work) {
    funds[k] = json::object{{"allocated_fen", f.allocated_fen}, {"spent_fen", f.spent_fen}};
  }
  json::object assistance;
  for (const auto& [k, a] : d.assistance_this_year) {
    assistance[k] = json::object{{"entries", a.entries}, {"fen", a.fen}};
  }
  return json::object{
      {"unit", d.unit},
      {"children", d.children},
      {"by_category", counts(d.by_category)},
      {"by_gender", counts(d.by_gender)},
      {"by_age_band", counts(d.by_age_band)},
      {"family_care_children", d.family_care_children},
      {"talked_this_month", d.talked_this_month},
      {"visited_this_quarter", d.visited_this_quarter},
      {"talk_rate", d.talk_rate},
      {"visit_rate", d.visit_rate},
      {"contacts_this_month", counts(d.contacts_this_month)},
      {"activities_this_year", std::move(activities)},
      {"pairings", counts(d.pairings)},
      {"reports", urgent(d.reports)},
      {"help_requests", urgent(d.help_requests)},
      {"study_aid_candidates", d.study_aid_candidates},
      {"study_aid_willing", d.study_aid_willing},
      {"helpers", d.helpers},
      {"loving_parents", d.loving_parents},
      {"organisations", d.organisations},
      {"facilities", counts(d.facilities)},
      {"posts_filled", counts(d.posts_filled)},
      {"inspections_this_year", d.inspections_this_year},
      {"corrections_open", d.corrections_open},
      {"corrections_overdue", d.corrections_overdue},
      {"funds_by_work", std::move(funds)},
      {"funds",
       json::object{{"allocated_fen", d.funds.allocated_fen}, {"spent_fen", d.funds.spent_fen}}},
      {"assistance_this_year", std::move(assistance)},
  };
}

}  // namespace

// One request being answered: the request, its path and query, and the session if any.
struct Api::Call {
  const Request& request;
  std::vector<std::string> path;  // decoded segments after /api/v1
  std::map<std::string, std::string, std::less<>> query;
  std::string token;
  Session* session = nullptr;
  uint64_t now_ms = 0;

  std::string Query(std::string_view key, std::string_view fallback = "") const {
    auto it = query.find(key);
    return it == query.end() ? std::string(fallback) : it->second;
  }
};

Result<std::unique_ptr<Api>> Api::Create(ApiConfig config) {
  if (config.store == nullptr || !config.write_as) {
    return InvalidArgument("web::Api needs a store and write_as");
  }
  if (sodium_init() < 0) return Internal("libsodium did not initialise");
  std::unique_ptr<Api> api(new Api(std::move(config)));
  FULEI_ASSIGN_OR_RETURN(api->dummy_hash_, programme::HashPassword("fulei-no-such-user"));
  return api;
}

Api::Api(ApiConfig config) : config_(std::move(config)) {
  if (!config_.random) {
    config_.random = [](uint8_t* p, size_t n) { randombytes_buf(p, n); };
  }
  if (!config_.now_ms) config_.now_ms = [] { return uint64_t{0}; };
}

std::string Api::RandomHex(size_t bytes) {
  std::vector<uint8_t> b(bytes);
  config_.random(b.data(), b.size());
  std::string hex(bytes * 2, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, b.data(), b.size());
  return hex;
}

std::pair<std::string, std::string> Api::OpenSession(const Viewer& viewer, std::string login,
                                                     std::string name) {
  const uint64_t now = config_.now_ms();
  // Expired sessions go now and then (here: at each new one).
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now > it->second.last_ms + config_.session_idle_ms ||
        now > it->second.created_ms + config_.session_max_ms) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  Session s;
  s.login = std::move(login);
  s.name = std::move(name);
  s.viewer = viewer;
  s.csrf = RandomHex(32);
  s.created_ms = s.last_ms = now;
  std::string token = RandomHex(32);
  std::string csrf = s.csrf;
  sessions_.emplace(token, std::move(s));
  return {std::move(token), std::move(csrf)};
}

std::vector<std::string> Api::Routes() {
  return {
      "POST /api/v1/session",
      "DELETE /api/v1/session",
      "GET /api/v1/me",
      "GET /api/v1/units",
      "GET /api/v1/status",
      "GET /api/v1/types",
      "GET /api/v1/records/{type}",
      "POST /api/v1/records/{type}",
      "GET /api/v1/records/{type}/{id}",
      "PUT /api/v1/records/{type}/{id}",
      "POST /api/v1/records/{type}/{id}/resolve",
      "POST /api/v1/records/child/{id}/transfer",
      "GET /api/v1/reports",
      "POST /api/v1/reports",
      "GET /api/v1/reports/{id}",
      "POST /api/v1/reports/{id}/ack",
      "GET /api/v1/stats",
      "GET /api/v1/overdue",
      "GET /api/v1/scorecard",
      "GET /api/v1/exports/{file}",
      "GET /api/v1/audit",
      "GET /api/v1/users",
      "POST /api/v1/users",
      "PUT /api/v1/users/{login}",
      "GET /api/v1/events",
      "GET /api/v1/openapi.json",
      "GET /healthz",
      "GET /metrics",
  };
}

namespace {

void AddHeader(Response& r, std::string_view name, std::string value) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return;
    }
  }
  r.headers.emplace_back(std::string(name), std::move(value));
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

Response Api::Handle(const Request& request) {
  Response out;
  const uint64_t now = config_.now_ms();
  std::string_view target = request.target;
  const bool api = target.starts_with("/api/");
  if (target == "/healthz" && (request.method == "GET" || request.method == "HEAD")) {
    auto stats = config_.store->Stats();
    out.status = stats.ok() ? 200 : 503;
    out.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    out.body = stats.ok() ? "ok\n" : "store: " + stats.status().message() + "\n";
  } else if (target == "/metrics" && request.method == "GET") {
    out.status = 200;
    out.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    NodeFigures f = config_.figures ? config_.figures() : NodeFigures{};
    std::ostringstream m;
    m << "# HELP fulei_ops_applied_total Ops this node applied from its peers.\n"
      << "# TYPE fulei_ops_applied_total counter\n"
      << "fulei_ops_applied_total " << f.ops_applied << "\n"
      << "# HELP fulei_sync_bytes_total Sync bytes sent and received, by traffic class.\n"
      << "# TYPE fulei_sync_bytes_total counter\n";
    for (const auto& [cls, bytes] : f.sync_bytes) {
      m << "fulei_sync_bytes_total{class=\"" << cls << "\"} " << bytes << "\n";
    }
    m << "# HELP fulei_peers_up Peers connected now.\n# TYPE fulei_peers_up gauge\n"
      << "fulei_peers_up " << f.peers_up << "\n"
      << "# HELP fulei_store_bytes Bytes of the store's data file in use.\n"
      << "# TYPE fulei_store_bytes gauge\nfulei_store_bytes " << f.store_bytes << "\n";
    // Urgent latency: from a case's filing to its first receipt upstream, over the cases held.
    static constexpr double kBounds[] = {1, 5, 15, 60, 300, 1800, 3600, 86400};
    std::vector<uint64_t> buckets(std::size(kBounds), 0);
    uint64_t count = 0;
    double sum = 0;
    for (std::string_view type : {programme::kReport, programme::kHelpRequest}) {
      (void)config_.store->ForEach(
          type, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
            auto receipts = sync::ReceiptsFor(*config_.store, key.scope, key.type, key.id);
            if (!receipts.ok() || receipts->empty()) return true;
            uint64_t first = UINT64_MAX;
            for (const sync::Receipt& r : *receipts) first = std::min(first, r.received_ms);
            const uint64_t filed = state.created().stamp.ms;
            const double s = first > filed ? static_cast<double>(first - filed) / 1000.0 : 0.0;
            ++count;
            sum += s;
            for (size_t i = 0; i < std::size(kBounds); ++i) {
              if (s <= kBounds[i]) ++buckets[i];
            }
            return true;
          });
    }
    m << "# HELP fulei_urgent_latency_seconds From an urgent case's filing to its first receipt.\n"
      << "# TYPE fulei_urgent_latency_seconds histogram\n";
    for (size_t i = 0; i < std::size(kBounds); ++i) {
      m << "fulei_urgent_latency_seconds_bucket{le=\"" << kBounds[i] << "\"} " << buckets[i]
        << "\n";
    }
    m << "fulei_urgent_latency_seconds_bucket{le=\"+Inf\"} " << count << "\n"
      << "fulei_urgent_latency_seconds_sum " << sum << "\n"
      << "fulei_urgent_latency_seconds_count " << count << "\n"
      << "# HELP fulei_http_requests_total Admin web requests answered, by status.\n"
      << "# TYPE fulei_http_requests_total counter\n";
    for (const auto& [status, n] : requests_by_status_) {
      m << "fulei_http_requests_total{status=\"" << status << "\"} " << n << "\n";
    }
    m << "# HELP fulei_web_sessions Admin web sessions open.\n# TYPE fulei_web_sessions gauge\n"
      << "fulei_web_sessions " << sessions_.size() << "\n";
    out.body = m.str();
  } else if (!api) {
    if (request.method != "GET" && request.method != "HEAD") {
      out = ErrorAnswer(405, "method", "不支持的请求方法 / method not allowed");
    } else if (config_.static_files) {
      out = config_.static_files(request);
    } else {
      out = NotFoundAnswer();
    }
    AddHeader(out, "Content-Security-Policy", kUiCsp);
  } else {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) {
      out = ErrorAnswer(400, "bad_request", "请求地址无效 / malformed request target");
    } else {
      Call call{request, {}, {}, {}, nullptr, now};
      bool ok = true;
      for (auto seg : url->segments()) call.path.push_back(seg);
      if (call.path.size() < 2 || call.path[0] != "api" || call.path[1] != "v1") ok = false;
      if (ok) call.path.erase(call.path.begin(), call.path.begin() + 2);
      for (auto p : url->params()) {
        if (!call.query.emplace(p.key, p.value).second) {
          ok = false;  // a parameter given twice
        }
      }
      if (!ok) {
        out = ErrorAnswer(400, "bad_request", "请求地址无效 / malformed request target");
      } else {
        // The session, if any; expired ones end here.
        call.token = CookieValue(request.Header("cookie"), kCookie);
        if (!call.token.empty()) {
          auto it = sessions_.find(call.token);
          if (it != sessions_.end()) {
            Session& s = it->second;
            if (now > s.last_ms + config_.session_idle_ms ||
                now > s.created_ms + config_.session_max_ms) {
              sessions_.erase(it);
            } else {
              call.session = &s;
            }
          }
        }
        const bool write = request.method != "GET" && request.method != "HEAD";
        const bool login =
            call.path.size() == 1 && call.path[0] == "session" && request.method == "POST";
        if (write && !login && call.session != nullptr) {
          const std::string_view sent = request.Header("x-csrf-token");
          if (sent.size() != call.session->csrf.size() ||
              sodium_memcmp(sent.data(), call.session->csrf.data(), sent.size()) != 0) {
            out = ErrorAnswer(403, "csrf",
                              "缺少或错误的 CSRF 令牌，请刷新页面 / missing or wrong CSRF token: "
                              "reload the page");
            ok = false;
          }
        }
        if (ok) {
          if (call.session != nullptr) call.session->last_ms = now;
          out = Route(call);
        }
      }
    }
    AddHeader(out, "Cache-Control", "no-store");
    AddHeader(out, "Content-Security-Policy", kApiCsp);
  }
  AddHeader(out, "X-Frame-Options", "DENY");
  ++requests_by_status_[out.status];
  return out;
}

namespace {

// The unit a person's request concerns: `asked` when given (it must be at or below their unit,
// or an ancestor for registries: the Reader decides), else their own.
std::string UnitOf(const Api::Call& call, const Viewer& v) {
  std::string u = call.Query("unit");
  return u.empty() ? v.unit : u;
}

json::object UserJson(const Api::Session& s) {
  return json::object{{"login", s.login},
                      {"id", s.viewer.user},
                      {"name", s.name},
                      {"role", programme::RoleCode(s.viewer.role)},
                      {"unit", s.viewer.unit}};
}

// Figures of a unit: every role but the caring parent, for units at or below their own (and
// the auditor's and counsellor's of their units).
bool MaySeeFigures(const Viewer& v, std::string_view unit) {
  return v.role != Role::kCaringParent && crdt::IsAtOrBelow(unit, v.unit);
}

}  // namespace

namespace {

// ---- records ----

// The scope a record the person writes lives in: `unit` (theirs by default) with the type's
// scope rule (an office scope for a town's or the city's own case records).
std::string WriteScope(std::string_view type, std::string_view unit) {
  return programme::RecordScope(type, unit, programme::LevelByDepth(unit));
}

Result<programme::ViewedRecord> ReadAudited(const ApiConfig& c, const Api::Call& call,
                                            const Viewer& v, const crdt::RecordKey& key) {
  programme::Reader reader(*c.store);
  FULEI_ASSIGN_OR_RETURN(programme::ViewedRecord r, reader.Get(v, key));
  // Every read of a record about a person is audited (who, when, what, from where).
  if (key.type != programme::kActivity && key.type != programme::kTraining &&
      key.type != programme::kOrganisation && key.type != programme::kMeeting &&
      key.type != programme::kFacility) {
    const std::string entry = "read\t" + TimeText(call.now_ms) + "\t" + v.user + "\t" +
                              std::string(programme::RoleCode(v.role)) + "\t" + v.unit + "\t" +
                              key.ToString() + "\t" + call.request.peer;
    FULEI_RETURN_IF_ERROR(c.store->AppendAudit(std::span<const std::string>(&entry, 1)).status());
  }
  return r;
}

json::object FullRecordJson(const programme::ViewedRecord& r, const crdt::RecordState* state) {
  json::object o = RecordJson(r);
  json::array conflicts;
  if (state != nullptr) {
    for (const std::string& c : state->Conflicts()) {
      if (std::find(r.hidden.begin(), r.hidden.end(), c) == r.hidden.end())
        conflicts.emplace_back(c);
    }
    o["version"] = VersionOf(*state);
  } else {
    o["version"] = "";
  }
  o["conflicts"] = std::move(conflicts);
  return o;
}

// A page of a list: `offset` and `limit` from the query (limit within 1..kMaxPage), `page`
// holding the defaults; a 400 answer naming `limit` when either is not a number.
struct Page {
  size_t offset = 0;
  size_t limit = 0;
};
std::optional<Response> ReadPage(const Api::Call& call, Page& page) {
  try {
    if (!call.Query("offset").empty()) page.offset = std::stoul(call.Query("offset"));
    if (!call.Query("limit").empty()) page.limit = std::stoul(call.Query("limit"));
  } catch (...) {
    return ErrorAnswer(400, "invalid", "offset/limit 应为数字 / must be numbers", "limit");
  }
  page.limit = std::clamp<size_t>(page.limit, 1, kMaxPage);
  return std::nullopt;
}

Response ListRecords(const ApiConfig& c, const Api::Call& call, const Viewer& v,
                     const std::string& type) {
  if (programme::FindRecordType(type) == nullptr) {
    return ErrorAnswer(404, "not_found", "未知记录类型 / unknown record type: " + type);
  }
  Page page{0, 50};
  if (std::optional<Response> bad = ReadPage(call, page)) return *bad;
  const auto [offset, limit] = page;
  const std::string q = call.Query("q");
  programme::ListOptions options;
  if (!q.empty()) {
    options.filter = [&q](const programme::ViewedRecord& r) {
      if (r.key.id.find(q) != std::string::npos) return true;
      for (const auto& [name, values] : r.fields) {
        for (const std::string& val : values) {
          if (val.find(q) != std::string::npos) return true;
        }
      }
      return false;
    };
  }
  // A type the role may not see at all is refused (403) rather than listed empty; the records
  // of a type it may see are then chosen one by one (Reader::List). A caring parent's own
  // records are decided record by record.
  const std::string unit = UnitOf(call, v);
  if (v.role != Role::kCaringParent) {
    if (Status see = programme::MaySeeRecord(type, WriteScope(type, unit), v); !see.ok()) {
      return StatusAnswer(see);
    }
  } else if (type != programme::kChild && type != programme::kPairing &&
             type != programme::kContact && type != programme::kUser) {
    return ErrorAnswer(403, "forbidden",
                       "爱心家长只能查看自己结对的儿童 / a caring parent sees only their own "
                       "pairings");
  }
  programme::Reader reader(*c.store);
  auto listing = reader.List(v, type, unit, options);
  if (!listing.ok()) return StatusAnswer(listing.status());
  json::array records;
  const size_t total = listing->records.size();
  for (size_t i = offset; i < total && records.size() < limit; ++i) {
    const programme::ViewedRecord& r = listing->records[i];
    auto state = c.store->Get(r.key);
    records.push_back(FullRecordJson(r, state.ok() && *state ? &**state : nullptr));
  }
  return JsonAnswer(
      200, json::object{{"records", std::move(records)}, {"total", total}, {"offset", offset}});
}

// The audit log of the viewer's subtree (or of `unit` in it), newest first: the entries every
// node of the subtree recorded and copied into records (programme/audit.h), as far as they have
// synced here. Filters: `since`/`until` (dates in China Standard Time, both included; the last
// 30 days by default), `action`, `user`; paged by `offset`/`limit`.
Response AuditLog(const ApiConfig& c, const Api::Call& call, const Viewer& v) {
  if (!programme::MayReadAuditLog(v.role)) {
    return ErrorAnswer(403, "forbidden", "无权查看审计日志 / may not read the audit log");
  }
  Page page{0, 100};
  if (std::optional<Response> bad = ReadPage(call, page)) return *bad;
  const auto [offset, limit] = page;
  const programme::Date today = programme::DateAtMs(call.now_ms);
  programme::Date since = programme::AddDays(today, -29), until = today;
  for (auto [name, date] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
    if (call.Query(name).empty()) continue;
    auto d = programme::ParseDate(call.Query(name));
    if (!d.ok()) {
      return ErrorAnswer(400, "invalid", "日期应为 YYYY-MM-DD / a date is YYYY-MM-DD", name);
    }
    *date = *d;
  }
  const std::string action = call.Query("action"), user = call.Query("user");
  const std::string unit = UnitOf(call, v);
  if (!crdt::IsAtOrBelow(unit, v.unit)) {
    return ErrorAnswer(403, "forbidden",
                       "无权查看其他单位的审计日志 / may not read the audit log of " + unit);
  }
  struct Row {
    programme::AuditRecordView view;
    std::string recorded_at;  // the unit whose node recorded it
  };
  std::vector<Row> rows;
  programme::ListOptions options;
  options.filter = [&](const programme::ViewedRecord& r) {
    programme::AuditRecordView view = programme::ReadAuditRecord(r.fields);
    auto at = programme::ParseTime(view.entry.at);
    if (!at.ok()) return false;
    const programme::Date day = programme::DateAt(*at);
    if (day < since || until < day) return false;
    if (!action.empty() && view.entry.action != action) return false;
    if (!user.empty() && view.entry.user != user) return false;
    rows.push_back(Row{std::move(view), std::string(programme::OwnerUnit(r.key.scope))});
    return false;  // kept in `rows`, not in the listing
  };
  programme::Reader reader(*c.store);
  if (auto listing = reader.List(v, programme::kAudit, unit, options); !listing.ok()) {
    return StatusAnswer(listing.status());
  }
  // Entries name a person by user id ("u-..."): their login, where this node holds the account.
  std::map<std::string, std::string, std::less<>> logins;
  (void)c.store->ForEach(programme::kUser, "",
                         [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
                           if (auto f = programme::ReadFields(state)) {
                             logins.emplace(key.id, programme::OneOr(*f, "login"));
                           }
                           return true;
                         });
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(b.view.entry.at, b.view.node, b.view.seq) <
           std::tie(a.view.entry.at, a.view.node, a.view.seq);
  });
  json::array out;
  for (size_t i = offset; i < rows.size() && out.size() < limit; ++i) {
    const programme::AuditRecordView& r = rows[i].view;
    json::object record;
    if (r.entry.action == "read") {
      // "scope|type|id", as crdt::RecordKey::ToString writes it.
      const size_t a = r.entry.what.find('|'), b = r.entry.what.rfind('|');
      if (a != std::string::npos && b > a) {
        record = json::object{{"scope", r.entry.what.substr(0, a)},
                              {"type", r.entry.what.substr(a + 1, b - a - 1)},
                              {"id", r.entry.what.substr(b + 1)}};
      }
    }
    const auto login = logins.find(r.entry.user);
    out.push_back(json::object{{"at", r.entry.at},
                               {"login", login != logins.end() ? login->second : r.entry.user},
                               {"record", std::move(record)},
                               {"action", r.entry.action},
                               {"user", r.entry.user},
                               {"role", r.entry.role},
                               {"unit", r.entry.unit},
                               {"what", r.entry.what},
                               {"from", r.entry.from},
                               {"recorded_at", rows[i].recorded_at},
                               {"node", r.node},
                               {"seq", r.seq},
                               {"text", r.text}});
  }
  json::object answer{{"entries", std::move(out)},
                      {"total", rows.size()},
                      {"offset", offset},
                      {"since", since.ToString()},
                      {"until", until.ToString()}};
  if (offset + limit < rows.size()) answer["next_offset"] = offset + limit;
  return JsonAnswer(200, std::move(answer));
}

Response GetRecord(const ApiConfig& c, const Api::Call& call, const Viewer& v,
                   const crdt::RecordKey& key) {
  auto r = ReadAudited(c, call, v, key);
  if (!r.ok()) return StatusAnswer(r.status());
  auto state = c.store->Get(key);
  if (!state.ok()) return StatusAnswer(state.status());
  if (!*state) return NotFoundAnswer();
  std::set<std::string, std::less<>> hidden(r->hidden.begin(), r->hidden.end());
  json::array history;
  json::array conflicts;
  for (const auto& [name, field] : (*state)->fields()) {
    if (name.empty() || name.front() == '$') continue;
    for (const crdt::Entry& e : field.entries()) {
      json::object entry{{"field", name}, {"at", TimeText(e.id.stamp.ms)}, {"op", e.id.ToString()}};
      if (hidden.count(name) == 0) entry["value"] = e.value;
      history.push_back(std::move(entry));
    }
    if (field.conflict() && hidden.count(name) == 0) {
      json::array values;
      for (const crdt::Entry* e : field.values()) values.emplace_back(e->value);
      conflicts.push_back(json::object{{"field", name}, {"values", std::move(values)}});
    }
  }
  std::stable_sort(history.begin(), history.end(), [](const json::value& a, const json::value& b) {
    return a.as_object().at("at").as_string() > b.as_object().at("at").as_string();
  });
  return JsonAnswer(200, json::object{{"record", FullRecordJson(*r, &**state)},
                                      {"history", std::move(history)},
                                      {"conflicts", std::move(conflicts)}});
}

void PublishChange(const ApiConfig& c, const crdt::RecordKey& key) {
  if (!c.publish) return;
  const bool urgent = key.type == programme::kReport || key.type == programme::kHelpRequest;
  json::object data{{"type", key.type}, {"id", key.id}, {"unit", key.scope}};
  c.publish(Event{urgent ? "report" : "record", std::string(programme::OwnerUnit(key.scope)),
                  json::serialize(data)});
}

Response WriteRecord(const ApiConfig& c, const Viewer& v, const crdt::RecordKey& key,
                     const json::object& fields, bool urgent, const std::string& seen_version,
                     bool must_exist) {
  auto current = c.store->Get(key);
  if (!current.ok()) return StatusAnswer(current.status());
  if (must_exist) {
    // Decided before anything about the record is said: a record the person may not see is
    // not found, whether or not it exists.
    if (Status see = programme::MaySeeRecord(key.type, key.scope, v); !see.ok()) {
      return StatusAnswer(see);
    }
    if (!*current || (*current)->deleted()) return NotFoundAnswer();
    if (seen_version != VersionOf(**current)) {
      programme::Reader reader(*c.store);
      auto now = reader.Get(v, key);
      Response r = ErrorAnswer(409, "stale",
                               "该记录已被他人修改，请查看最新内容后再保存 / the record changed "
                               "since you opened it: review it and save again");
      if (now.ok()) {
        json::value body = json::parse(r.body);
        body.as_object()["error"].as_object()["current"] = FullRecordJson(*now, &**current);
        r.body = json::serialize(body);
      }
      return r;
    }
  } else if (*current) {
    return ErrorAnswer(409, "exists", "记录已存在 / the record exists");
  }
  auto writes = WritesFor(key.type, *current, fields);
  if (!writes.ok()) return WriteRefusal(writes.status(), key.type);
  if (!writes->empty()) {
    store::LocalChange change;
    change.key = key;
    change.writes = std::move(*writes);
    if (urgent) change.flags = crdt::kOpFlagUrgent;
    auto ops = c.write_as(v, {change}, urgent);
    if (!ops.ok()) return WriteRefusal(ops.status(), key.type);
    PublishChange(c, key);
  }
  programme::Reader reader(*c.store);
  auto r = reader.Get(v, key);
  if (!r.ok()) return StatusAnswer(r.status());
  auto state = c.store->Get(key);
  return JsonAnswer(
      must_exist ? 200 : 201,
      json::object{{"record", FullRecordJson(*r, state.ok() && *state ? &**state : nullptr)}});
}

// ---- urgent reports ----

json::object ReportJson(store::Store& store, const programme::ViewedRecord& r) {
  json::object o = RecordJson(r);
  // A case someone acknowledged is "acknowledged" unless a later status says more.
  std::string status(programme::OneOr(r.fields, "status", "open"));
  if (status == "open" && r.fields.count("acks") && !r.fields.at("acks").empty()) {
    status = "acknowledged";
  }
  o["status"] = status;
  o["reported_at"] = std::string(programme::OneOr(r.fields, "reported_at", ""));
  o["overdue_since"] = std::string(programme::OneOr(r.fields, "escalated_at", ""));
  o["escalated_to"] = std::string(programme::OneOr(r.fields, "escalated_to", ""));
  json::array acks;
  if (auto it = r.fields.find("acks"); it != r.fields.end()) {
    for (const std::string& a : it->second) {
      const size_t t1 = a.find('\t');
      const size_t t2 = t1 == std::string::npos ? t1 : a.find('\t', t1 + 1);
      if (t2 == std::string::npos) continue;
      const std::string user = a.substr(t1 + 1, t2 - t1 - 1), unit = a.substr(t2 + 1);
      // Who acknowledged, by login and name: staff of the case's town or the city, whose
      // accounts this node holds (they replicate down).
      std::string login, name;
      if (auto held = store.Get(crdt::RecordKey{unit, std::string(programme::kUser), user});
          held.ok() && *held) {
        if (auto fields = programme::ReadFields(**held)) {
          login = std::string(programme::OneOr(*fields, "login"));
          name = std::string(programme::OneOr(*fields, "display_name"));
        }
      }
      acks.push_back(json::object{{"at", a.substr(0, t1)},
                                  {"user", user},
                                  {"login", login},
                                  {"name", name},
                                  {"unit", unit}});
    }
  }
  o["acks"] = std::move(acks);
  json::array receipts;
  // Receipts of every urgent op of the case (the filing, acknowledgements): the first arrival
  // at each unit above the one that holds it.
  auto rs = sync::ReceiptsFor(store, r.key.scope, r.key.type, r.key.id);
  if (rs.ok()) {
    std::map<std::string, const sync::Receipt*> first;
    const std::string_view owner = programme::OwnerUnit(r.key.scope);
    for (const sync::Receipt& rc : *rs) {
      if (rc.unit == owner || crdt::IsAtOrBelow(rc.unit, owner)) continue;
      auto& slot = first[rc.unit];
      if (slot == nullptr || rc.received_ms < slot->received_ms) slot = &rc;
    }
    std::vector<const sync::Receipt*> ordered;
    for (const auto& [unit, rc] : first) ordered.push_back(rc);
    std::sort(ordered.begin(), ordered.end(), [](const sync::Receipt* a, const sync::Receipt* b) {
      return a->received_ms < b->received_ms;
    });
    for (const sync::Receipt* rc : ordered) {
      receipts.push_back(json::object{{"unit", rc->unit},
                                      {"node", sync::NodeHex(rc->node)},
                                      {"received", TimeText(rc->received_ms)}});
    }
  }
  o["receipts"] = std::move(receipts);
  return o;
}

crdt::RecordKey ReportKey(const Api::Call& call, const Viewer& v, const std::string& id) {
  const std::string type = id.rfind("h-", 0) == 0 ? std::string(programme::kHelpRequest)
                                                  : std::string(programme::kReport);
  std::string unit = call.Query("unit");
  // `unit` is the scope the list gave (record.unit); a bare unit gets its type's scope.
  if (unit.empty()) unit = WriteScope(type, v.unit);
  return crdt::RecordKey{unit, type, id};
}

// ---- units ----

Response Units(const ApiConfig& c, const Viewer& v) {
  std::set<std::string> units;
  auto add_with_ancestors = [&](std::string u) {
    while (!u.empty()) {
      units.insert(u);
      u = ParentOf(u);
    }
  };
  add_with_ancestors(c.unit);
  if (auto scopes = c.store->Scopes(); scopes.ok()) {
    for (const std::string& s : *scopes) {
      const std::string_view owner = programme::OwnerUnit(s);
      if (crdt::IsAtOrBelow(owner, c.unit)) add_with_ancestors(std::string(owner));
    }
  }
  std::vector<PeerInfo> peers = c.peers ? c.peers() : std::vector<PeerInfo>{};
  for (const PeerInfo& peer : peers) add_with_ancestors(peer.unit);
  json::array out;
  for (const std::string& u : units) {
    if (!IsRelated(u, v)) continue;
    json::value sync = nullptr;
    for (const PeerInfo& peer : peers) {
      if (peer.unit == u) {
        sync = json::object{
            {"connected", peer.connected},
            {"last_synced", peer.last_synced_ms ? TimeText(peer.last_synced_ms) : std::string()},
            {"protocol", peer.protocol}};
      }
    }
    out.push_back(json::object{{"unit", u},
                               {"name", UnitName(u)},
                               {"level", LevelName(u)},
                               {"parent", ParentOf(u)},
                               {"self", u == c.unit},
                               {"sync", std::move(sync)}});
  }
  return JsonAnswer(200, json::object{{"units", std::move(out)}});
}

json::object NodeJson(const ApiConfig& c) {
  bool connected = false;
  uint64_t last = 0;
  if (c.peers) {
    for (const PeerInfo& p : c.peers()) {
      if (!p.upstream) continue;
      connected = connected || p.connected;
      last = std::max(last, p.last_synced_ms);
    }
  }
  return json::object{{"unit", c.unit},
                      {"level", LevelName(c.unit)},
                      {"node_id", c.node_id},
                      {"upstream", json::object{{"configured", c.upstream_configured},
                                                {"connected", connected},
                                                {"last_synced", last ? TimeText(last) : ""}}}};
}

// Units one level below `unit` that the store holds records of.
std::vector<std::string> ChildUnits(store::Store& store, std::string_view unit) {
  std::set<std::string> out;
  if (auto scopes = store.Scopes(); scopes.ok()) {
    for (const std::string& s : *scopes) {
      std::string_view owner = programme::OwnerUnit(s);
      if (owner.size() <= unit.size() + 1 || !crdt::IsAtOrBelow(owner, unit) || owner == unit) {
        continue;
      }
      const size_t next = owner.find('/', unit.size() + 1);
      out.insert(std::string(owner.substr(0, next)));
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> VillagesBelow(store::Store& store, std::string_view unit) {
  std::set<std::string> out;
  if (auto scopes = store.Scopes(); scopes.ok()) {
    for (const std::string& s : *scopes) {
      std::string_view owner = programme::OwnerUnit(s);
      if (crdt::IsAtOrBelow(owner, unit) &&
          programme::LevelByDepth(owner) == programme::UnitLevel::kVillage) {
        out.insert(std::string(owner));
      }
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace

Response Api::Route(Call& call) {
  const Request& rq = call.request;
  const std::vector<std::string>& p = call.path;
  const std::string& m = rq.method;
  auto is = [&](std::string_view method, std::initializer_list<std::string_view> path) {
    if (m != method || p.size() != path.size()) return false;
    size_t i = 0;
    for (std::string_view seg : path) {
      if (seg != "*" && seg != p[i]) return false;
      ++i;
    }
    return true;
  };
  store::Store& store = *config_.store;
  const uint64_t now = call.now_ms;

  if (is("GET", {"openapi.json"})) {
    Response r;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.body = std::string(OpenApiDocument());
    return r;
  }

  // ---- log in ----
  if (is("POST", {"session"})) {
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    Response refusal;
    auto login = RequireStr(*body, "login", &refusal);
    if (!login) return refusal;
    auto password = RequireStr(*body, "password", &refusal);
    if (!password) return refusal;
    if (login->size() > 64 || password->size() > programme::kMaxPasswordBytes) {
      return ErrorAnswer(400, "invalid", "登录名或密码过长 / login or password too long", "login");
    }
    const std::string by_login = "login:" + *login;
    const std::string by_addr = "addr:" + rq.peer;
    for (const std::string* k : {&by_login, &by_addr}) {
      auto t = throttles_.find(*k);
      if (t != throttles_.end() && now < t->second.until_ms) {
        Response r =
            ErrorAnswer(429, "throttled",
                        "登录尝试过多，请稍后再试 / too many login attempts: try again later");
        r.headers.emplace_back("Retry-After",
                               std::to_string((t->second.until_ms - now + 999) / 1000));
        return r;
      }
    }
    auto found = programme::FindUser(store, *login);
    std::optional<programme::UserAccount> account;
    if (found.ok() && *found) account = std::move(**found);
    // An unknown login costs a hash like a known one, so timing says nothing of who exists.
    const bool verified =
        programme::VerifyPassword(account ? account->password_hash : dummy_hash_, *password);
    const bool ok = account && verified && !account->disabled;
    const std::string who = account ? account->key.id : std::string();
    const std::string entry = std::string("login\t") + TimeText(now) + "\t" + *login + "\t" +
                              (account ? std::string(programme::RoleCode(account->role)) : "") +
                              "\t" + (account ? account->unit : "") + "\t" + rq.peer + "\t" +
                              (ok ? "ok" : (account && account->disabled ? "disabled" : "refused"));
    auto audited = store.AppendAudit(std::span<const std::string>(&entry, 1));
    if (!audited.ok()) return StatusAnswer(audited.status());
    if (!ok) {
      for (const std::string* k : {&by_login, &by_addr}) {
        Throttle& t = throttles_[*k];
        ++t.failures;
        if (t.failures >= config_.free_login_failures) {
          const int extra = t.failures - config_.free_login_failures;
          uint64_t delay = config_.first_login_delay_ms << std::min(extra, 20);
          t.until_ms = now + std::min(delay, config_.max_login_delay_ms);
        }
      }
      if (!found.ok() && found.status().code() == StatusCode::kFailedPrecondition) {
        return ErrorAnswer(401, "bad_credentials", found.status().message());
      }
      return ErrorAnswer(401, "bad_credentials",
                         account && account->disabled && verified
                             ? "该账号已停用 / this account is disabled"
                             : "登录名或密码错误 / wrong login or password");
    }
    throttles_.erase(by_login);
    throttles_.erase(by_addr);
    auto [token, csrf] =
        OpenSession(programme::ViewerFor(*account), account->login, account->display_name);
    auto it = sessions_.find(token);
    Response r = JsonAnswer(200, json::object{{"user", UserJson(it->second)},
                                              {"csrf", it->second.csrf},
                                              {"node", NodeJson(config_)}});
    r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + token +
                                             "; Path=/; HttpOnly; SameSite=Strict" +
                                             (rq.secure ? "; Secure" : ""));
    return r;
  }

  if (call.session == nullptr) return NotLoggedIn();
  Session& session = *call.session;
  const Viewer& v = session.viewer;

  if (is("DELETE", {"session"})) {
    sessions_.erase(call.token);
    Response r;
    r.status = 204;
    r.headers.emplace_back("Set-Cookie", std::string(kCookie) +
                                             "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
                                             (rq.secure ? "; Secure" : ""));
    return r;
  }
  if (is("GET", {"me"})) {
    return JsonAnswer(
        200, json::object{
                 {"user", UserJson(session)}, {"csrf", session.csrf}, {"node", NodeJson(config_)}});
  }
  if (is("GET", {"units"})) return Units(config_, v);
  if (is("GET", {"status"})) {
    json::array peers;
    if (config_.peers) {
      for (const PeerInfo& peer : config_.peers()) {
        if (!IsRelated(peer.unit, v)) continue;
        peers.push_back(
            json::object{{"unit", peer.unit},
                         {"node", peer.node},
                         {"direction", peer.upstream ? "upstream" : "downstream"},
                         {"connected", peer.connected},
                         {"last_synced", peer.last_synced_ms ? TimeText(peer.last_synced_ms) : ""},
                         {"protocol", peer.protocol},
                         {"bytes_sent", peer.bytes_sent},
                         {"bytes_received", peer.bytes_received}});
      }
    }
    const NodeFigures f = config_.figures ? config_.figures() : NodeFigures{};
    json::object out = NodeJson(config_);
    out["ops_applied"] = f.ops_applied;
    out["store_bytes"] = f.store_bytes;
    out["peers"] = std::move(peers);
    return JsonAnswer(200, out);
  }
  if (is("GET", {"types"})) {
    json::array types;
    for (const programme::RecordTypeSpec& t : programme::RecordTypes()) {
      json::array fields;
      for (const programme::FieldSpec& f : t.fields) {
        if (f.secret) continue;
        json::array values;
        for (const programme::EnumValue& e : f.enum_values) {
          values.push_back(json::object{{"code", e.code}, {"zh", e.zh}, {"en", e.en}});
        }
        fields.push_back(
            json::object{{"name", f.name},
                         {"zh", f.zh},
                         {"en", f.en},
                         {"type", TypeName(f.type)},
                         {"shape", ShapeName(f.shape)},
                         {"required", f.required},
                         {"values", std::move(values)},
                         {"min", f.min},
                         {"max", f.max},
                         {"restricted", f.sensitivity == programme::Sensitivity::kRestricted}});
      }
      types.push_back(json::object{
          {"name", t.name}, {"zh", t.zh}, {"en", t.en}, {"fields", std::move(fields)}});
    }
    return JsonAnswer(200, json::object{{"types", std::move(types)}});
  }

  const programme::Date today = programme::DateAtMs(now);

  // ---- records ----
  if (is("GET", {"records", "*"})) return ListRecords(config_, call, v, p[1]);
  if (is("POST", {"records", "*"})) {
    const std::string& type = p[1];
    if (programme::FindRecordType(type) == nullptr || type == programme::kUser) {
      return ErrorAnswer(404, "not_found", "未知记录类型 / unknown record type: " + type);
    }
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    auto f = body->find("fields");
    if (f == body->end() || !f->value().is_object()) {
      return ErrorAnswer(400, "invalid", "缺少字段 / \"fields\" must be an object", "fields");
    }
    std::string unit = StrOr(*body, "unit", v.unit);
    const std::string prefix = type.substr(0, 1) + "-";
    const crdt::RecordKey key{WriteScope(type, unit), type, prefix + RandomHex(8)};
    const bool urgent = type == programme::kReport || type == programme::kHelpRequest;
    return WriteRecord(config_, v, key, f->value().as_object(), urgent, "", false);
  }
  if (is("GET", {"records", "*", "*"})) {
    return GetRecord(config_, call, v, crdt::RecordKey{UnitOf(call, v), p[1], p[2]});
  }
  if (is("POST", {"records", "child", "*", "transfer"})) {
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    Response refusal;
    auto to = RequireStr(*body, "to", &refusal);
    if (!to) return refusal;
    if (programme::LevelByDepth(*to) != programme::UnitLevel::kVillage ||
        to->find('~') != std::string::npos) {
      return ErrorAnswer(400, "invalid", "迁入单位应为村（社区） / \"to\" must be a village", "to");
    }
    const crdt::RecordKey key{UnitOf(call, v), std::string(programme::kChild), p[2]};
    if (Status see = programme::MaySeeRecord(key.type, key.scope, v); !see.ok()) {
      return StatusAnswer(see);
    }
    auto child = store.Get(key);
    if (!child.ok()) return StatusAnswer(child.status());
    if (!*child || (*child)->deleted()) return NotFoundAnswer();
    const std::string version = StrOr(*body, "version");
    if (!version.empty() && version != VersionOf(**child)) {
      return ErrorAnswer(409, "stale",
                         "该记录已被他人修改，请刷新 / the record changed: reload it");
    }
    // The child's history in the old unit: the records of types about a child that name it.
    std::vector<std::pair<crdt::RecordKey, crdt::RecordState>> held;
    for (std::string_view type :
         {programme::kGuardian, programme::kPairing, programme::kContact, programme::kCounselling,
          programme::kIntervention, programme::kReferral, programme::kPatrol}) {
      Status scanned = store.ForEach(type, key.scope,
                                     [&](const crdt::RecordKey& k, const crdt::RecordState& state) {
                                       if (k.scope != key.scope || state.deleted()) return true;
                                       if (state.Get("child") == key.id)
                                         held.emplace_back(k, state);
                                       return true;
                                     });
      if (!scanned.ok()) return StatusAnswer(scanned);
    }
    programme::TransferRequest tr;
    tr.child = programme::RecordRef{key, &**child};
    for (const auto& [k, state] : held) tr.history.push_back(programme::RecordRef{k, &state});
    tr.to_scope = WriteScope(programme::kChild, *to);
    tr.transfer_id = "t-" + RandomHex(8);
    tr.date = today;
    tr.reason = StrOr(*body, "reason");
    auto plan = programme::PlanTransfer(tr);
    if (!plan.ok()) return StatusAnswer(plan.status());
    // Who may move the child: a person who may write (and delete) every record of the plan at
    // its old and its new unit — the town office or supervisor of both villages, the city
    // bureau. The copies and the redirect are then written as the transfer planned them, by this
    // person (the author of every op).
    std::vector<store::LocalChange> changes;
    for (programme::PlannedChange& c : *plan) {
      if (Status may = programme::CheckDelete(v, c.key); !may.ok()) return StatusAnswer(may);
      store::LocalChange change;
      change.key = std::move(c.key);
      change.writes = std::move(c.writes);
      change.author = v.user;
      changes.push_back(std::move(change));
    }
    if (!config_.write_system) {
      return ErrorAnswer(503, "unavailable", "此节点不能迁移 / transfers are not set up here");
    }
    auto ops = config_.write_system(changes);
    if (!ops.ok()) return StatusAnswer(ops.status());
    PublishChange(config_, key);
    return GetRecord(config_, call, v, crdt::RecordKey{tr.to_scope, key.type, key.id});
  }
  if (is("PUT", {"records", "*", "*"}) || is("POST", {"records", "*", "*", "resolve"})) {
    const std::string& type = p[1];
    if (programme::FindRecordType(type) == nullptr || type == programme::kUser) {
      return ErrorAnswer(404, "not_found", "未知记录类型 / unknown record type: " + type);
    }
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    const crdt::RecordKey key{UnitOf(call, v), type, p[2]};
    const std::string version = StrOr(*body, "version");
    json::object fields;
    if (p.size() == 4) {
      Response refusal;
      auto field = RequireStr(*body, "field", &refusal);
      if (!field) return refusal;
      auto value = body->find("value");
      if (value == body->end() || !value->value().is_string()) {
        return ErrorAnswer(400, "invalid", "缺少 value / missing \"value\"", "value");
      }
      auto state = store.Get(key);
      if (!state.ok()) return StatusAnswer(state.status());
      const crdt::FieldState* fs = *state ? (*state)->Field(*field) : nullptr;
      if (fs == nullptr || !fs->conflict()) {
        return ErrorAnswer(409, "no_conflict", "该字段没有冲突 / the field is not in conflict",
                           *field);
      }
      // SetWrite supersedes every value in conflict: the kept one stands alone. WritesFor skips
      // a value equal to one of them, so the write is built here.
      if (Status see = programme::MaySeeRecord(key.type, key.scope, v); !see.ok()) {
        return StatusAnswer(see);
      }
      if (version != VersionOf(**state)) {
        return ErrorAnswer(409, "stale",
                           "该记录已被他人修改，请刷新 / the record changed: reload it");
      }
      store::LocalChange change;
      change.key = key;
      change.writes.push_back(
          crdt::SetWrite(**state, *field, std::string(value->value().as_string())));
      auto ops = config_.write_as(v, {change}, false);
      if (!ops.ok()) return WriteRefusal(ops.status(), type);
      PublishChange(config_, key);
      return GetRecord(config_, call, v, key);
    }
    auto f = body->find("fields");
    if (f == body->end() || !f->value().is_object()) {
      return ErrorAnswer(400, "invalid", "缺少字段 / \"fields\" must be an object", "fields");
    }
    if (version.empty()) {
      return ErrorAnswer(400, "invalid", "缺少 version / missing \"version\"", "version");
    }
    const bool urgent = type == programme::kReport || type == programme::kHelpRequest;
    return WriteRecord(config_, v, key, f->value().as_object(), urgent, version, true);
  }

  // ---- urgent reports ----
  if (is("GET", {"reports"})) {
    programme::Reader reader(store);
    json::array out;
    for (std::string_view type : {programme::kReport, programme::kHelpRequest}) {
      auto listing = reader.List(v, type, UnitOf(call, v));
      if (!listing.ok()) {
        if (listing.status().code() == StatusCode::kPermissionDenied) continue;
        return StatusAnswer(listing.status());
      }
      for (const programme::ViewedRecord& r : listing->records) out.push_back(ReportJson(store, r));
    }
    std::stable_sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
      return a.as_object().at("reported_at").as_string() >
             b.as_object().at("reported_at").as_string();
    });
    return JsonAnswer(200, json::object{{"reports", std::move(out)}});
  }
  if (is("POST", {"reports"})) {
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    const std::string type = StrOr(*body, "type", "report");
    if (type != programme::kReport && type != programme::kHelpRequest) {
      return ErrorAnswer(400, "invalid",
                         "type 只能是 report（强制报告）或 help_request（求助） / type must be "
                         "report or help_request",
                         "type");
    }
    auto f = body->find("fields");
    if (f == body->end() || !f->value().is_object()) {
      return ErrorAnswer(400, "invalid", "缺少字段 / \"fields\" must be an object", "fields");
    }
    json::object fields = f->value().as_object();
    if (!fields.contains("status")) fields["status"] = "open";
    if (!fields.contains("reported_at") && type == programme::kReport) {
      fields["reported_at"] = TimeText(now);
    }
    std::string unit = crdt::IsAtOrBelow(v.unit, config_.unit) ? v.unit : config_.unit;
    const crdt::RecordKey key{WriteScope(type, unit), type,
                              (type == programme::kReport ? "r-" : "h-") + RandomHex(8)};
    Response written = WriteRecord(config_, v, key, fields, true, "", false);
    if (written.status != 201) return written;
    programme::Reader reader(store);
    auto r = reader.Get(v, key);
    if (!r.ok()) return StatusAnswer(r.status());
    return JsonAnswer(201, json::object{{"report", ReportJson(store, *r)}});
  }
  if (is("GET", {"reports", "*"})) {
    const crdt::RecordKey key = ReportKey(call, v, p[1]);
    auto r = ReadAudited(config_, call, v, key);
    if (!r.ok()) return StatusAnswer(r.status());
    return JsonAnswer(200, json::object{{"report", ReportJson(store, *r)}});
  }
  if (is("POST", {"reports", "*", "ack"})) {
    const crdt::RecordKey key = ReportKey(call, v, p[1]);
    if (Status see = programme::MaySeeRecord(key.type, key.scope, v); !see.ok()) {
      return StatusAnswer(see);
    }
    auto state = store.Get(key);
    if (!state.ok()) return StatusAnswer(state.status());
    if (!*state) return NotFoundAnswer();
    auto change =
        programme::AcknowledgeCase(key, **state, v, v.user, static_cast<int64_t>(now / 1000));
    if (!change.ok()) return StatusAnswer(change.status());
    auto ops = config_.write_as(v, {*change}, true);
    if (!ops.ok()) return StatusAnswer(ops.status());
    PublishChange(config_, key);
    programme::Reader reader(store);
    auto r = reader.Get(v, key);
    if (!r.ok()) return StatusAnswer(r.status());
    return JsonAnswer(200, json::object{{"report", ReportJson(store, *r)}});
  }

  // ---- figures ----
  if (is("GET", {"stats"})) {
    const std::string unit = UnitOf(call, v);
    if (!MaySeeFigures(v, unit)) {
      return ErrorAnswer(403, "forbidden",
                         "无权查看该单位的统计 / may not see this unit's figures");
    }
    // Towns and the city keep the counters as records change; a village (no such index) counts
    // its own records now, a few thousand at most.
    programme::StoreCounterReader kept(store);
    programme::MemoryIndex counted;
    programme::CounterReader* source = &kept;
    if (Status probe = store.ScanIndex(programme::kAggregateIndexName, "",
                                       [](std::string_view, std::string_view) { return false; });
        probe.code() == StatusCode::kNotFound) {
      for (const programme::RecordTypeSpec& t : programme::RecordTypes()) {
        if (t.name == programme::kUser) continue;
        Status applied;
        Status scanned = store.ForEach(
            t.name, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
              const std::optional<programme::Fields> fields = programme::ReadFields(state);
              if (fields)
                applied = programme::ApplyAggregateChange(key, nullptr, &*fields, counted);
              return applied.ok();
            });
        if (!scanned.ok()) return StatusAnswer(scanned);
        if (!applied.ok()) return StatusAnswer(applied);
      }
      source = &counted;
    }
    programme::CounterReader& counters = *source;
    auto d = programme::ReadDashboard(counters, unit, today, static_cast<int64_t>(now / 1000));
    if (!d.ok()) return StatusAnswer(d.status());
    json::object out = DashboardJson(*d);
    json::array by_unit;
    for (const std::string& child : ChildUnits(store, unit)) {
      auto cd = programme::ReadDashboard(counters, child, today, static_cast<int64_t>(now / 1000));
      if (!cd.ok()) continue;
      by_unit.push_back(json::object{{"unit", child},
                                     {"children", cd->children},
                                     {"talk_rate", cd->talk_rate},
                                     {"visit_rate", cd->visit_rate}});
    }
    out["children_by_unit"] = std::move(by_unit);
    return JsonAnswer(200, out);
  }
  if (is("GET", {"overdue"})) {
    programme::Reader reader(store);
    const std::string unit = UnitOf(call, v);
    auto pairings = reader.List(v, programme::kPairing, unit);
    if (!pairings.ok()) return StatusAnswer(pairings.status());
    auto contacts = reader.List(v, programme::kContact, unit);
    if (!contacts.ok()) return StatusAnswer(contacts.status());
    std::vector<programme::Pairing> ps;
    std::vector<programme::Contact> cs;
    for (const programme::ViewedRecord& r : pairings->records) {
      auto x = programme::ReadPairing(r.key.scope, r.key.id, r.fields);
      if (x.ok()) ps.push_back(std::move(*x));
    }
    for (const programme::ViewedRecord& r : contacts->records) {
      auto x = programme::ReadContact(r.key.scope, r.key.id, r.fields);
      if (x.ok()) cs.push_back(std::move(*x));
    }
    json::array items;
    for (const programme::OverdueItem& i : programme::FamilyCareOverdue(ps, cs, today)) {
      std::string child_name;
      if (auto child =
              reader.Get(v, crdt::RecordKey{i.scope, std::string(programme::kChild), i.child});
          child.ok()) {
        child_name = std::string(programme::OneOr(child->fields, "name", ""));
      }
      items.push_back(
          json::object{{"unit", i.scope},
                       {"pairing", i.pairing},
                       {"child", i.child},
                       {"child_name", child_name},
                       {"helper", i.helper},
                       {"what", i.duty == programme::CareDuty::kMonthlyTalk ? "talk" : "visit"},
                       {"since", i.first_missed},
                       {"periods", i.missed_periods},
                       {"days_overdue", i.days_overdue},
                       {"last_contact", i.last_contact ? i.last_contact->ToString() : ""}});
    }
    return JsonAnswer(200, json::object{{"items", std::move(items)}});
  }
  if (is("GET", {"scorecard"})) {
    const std::string unit = UnitOf(call, v);
    const bool role_ok = v.role == Role::kCityBureau || v.role == Role::kTownOffice ||
                         v.role == Role::kTownSupervisor || v.role == Role::kAuditor;
    if (!role_ok || !crdt::IsAtOrBelow(unit, v.unit) ||
        programme::LevelByDepth(unit) == programme::UnitLevel::kVillage) {
      return ErrorAnswer(
          403, "forbidden",
          "督查评分仅供镇（街道）和市级查看 / scorecards are for towns and the city");
    }
    const std::vector<std::string> villages = VillagesBelow(store, unit);
    auto cards = programme::ScorecardsFromStore(store, unit, villages, today.year, today);
    if (!cards.ok()) return StatusAnswer(cards.status());
    auto card_json = [](const programme::Scorecard& card) {
      json::array items;
      for (const programme::ScoreItem& i : card.items) {
        items.push_back(
            json::object{{"what", i.what}, {"zh", i.zh}, {"points_lost", i.points_lost}});
      }
      return json::object{{"unit", card.unit}, {"score", card.score}, {"items", std::move(items)}};
    };
    json::array towns, village_cards, corrections;
    for (const programme::Scorecard& c : cards->cards.towns) towns.push_back(card_json(c));
    for (const programme::Scorecard& c : cards->cards.villages)
      village_cards.push_back(card_json(c));
    for (const programme::OpenCorrection& c : cards->corrections) {
      corrections.push_back(
          json::object{{"unit", c.unit}, {"item", c.item}, {"due", c.due.ToString()}});
    }
    // A random sample of child records to review (at most 10), as the person may see them.
    programme::Reader reader(store);
    json::array sample;
    if (auto children = reader.List(v, programme::kChild, unit); children.ok()) {
      std::vector<programme::ViewedRecord>& all = children->records;
      for (size_t i = 0; i < all.size() && sample.size() < 10; ++i) {
        uint32_t pick = 0;
        config_.random(reinterpret_cast<uint8_t*>(&pick), sizeof pick);
        std::swap(all[i], all[i + pick % (all.size() - i)]);
        sample.push_back(RecordJson(all[i]));
      }
    }
    return JsonAnswer(200, json::object{{"unit", unit},
                                        {"towns", std::move(towns)},
                                        {"villages", std::move(village_cards)},
                                        {"corrections", std::move(corrections)},
                                        {"sample", std::move(sample)},
                                        {"unreadable", cards->unreadable}});
  }
  if (is("GET", {"exports", "*"})) {
    const std::string& file = p[1];
    const size_t dot = file.rfind('.');
    const std::string what = file.substr(0, dot);
    const std::string format = dot == std::string::npos ? "" : file.substr(dot + 1);
    programme::ExportRequest er;
    const std::optional<programme::ExportKind> kind = programme::ParseExportKind(what);
    if (!kind) return NotFoundAnswer();
    er.kind = *kind;
    if (format != "csv" && format != "xlsx") return NotFoundAnswer();
    er.subtree = UnitOf(call, v);
    er.today = today;
    er.now_s = static_cast<int64_t>(now / 1000);
    er.only_willing = call.Query("only_willing") == "true";
    if (config_.scratch_dir.empty()) {
      return ErrorAnswer(503, "unavailable", "此节点不提供导出 / exports are not set up here");
    }
    const std::string path = config_.scratch_dir + "/web-export-" + RandomHex(8) + "." + format;
    programme::Reader reader(store);
    auto summary = reader.Export(
        v, er, format == "csv" ? programme::ExportFormat::kCsv : programme::ExportFormat::kXlsx,
        path);
    if (!summary.ok()) {
      std::filesystem::remove(path);
      return StatusAnswer(summary.status());
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ec;
    std::filesystem::remove(path, ec);
    Response r;
    r.headers.emplace_back(
        "Content-Type", format == "csv"
                            ? "text/csv; charset=utf-8"
                            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + what + "-" +
                                                      today.ToString() + "." + format + "\"");
    r.body = std::move(bytes);
    return r;
  }
  if (is("GET", {"audit"})) {
    return AuditLog(config_, call, v);
  }

  // ---- users ----
  if (is("GET", {"users"})) {
    programme::Reader reader(store);
    auto listing = reader.List(v, programme::kUser, UnitOf(call, v));
    if (!listing.ok()) return StatusAnswer(listing.status());
    json::array users;
    for (const programme::ViewedRecord& r : listing->records) {
      users.push_back(
          json::object{{"login", std::string(programme::OneOr(r.fields, "login"))},
                       {"name", std::string(programme::OneOr(r.fields, "display_name"))},
                       {"role", std::string(programme::OneOr(r.fields, "role"))},
                       {"unit", std::string(programme::OneOr(r.fields, "unit"))},
                       {"disabled", programme::OneOr(r.fields, "disabled") == "true"}});
    }
    return JsonAnswer(200, json::object{{"users", std::move(users)}});
  }
  if (is("POST", {"users"}) || is("PUT", {"users", "*"})) {
    auto body = ParseBody(rq);
    if (!body.ok()) return ErrorAnswer(400, "invalid", body.status().message());
    const bool create = p.size() == 1;
    Response refusal;
    std::string login;
    if (create) {
      auto l = RequireStr(*body, "login", &refusal);
      if (!l) return refusal;
      login = *l;
      if (Status s = programme::ValidateLogin(login); !s.ok()) {
        return ErrorAnswer(400, "invalid", s.message(), "login");
      }
    } else {
      login = p[1];
    }
    auto held = programme::FindUser(store, login);
    if (!held.ok()) return StatusAnswer(held.status());
    crdt::RecordKey key;
    programme::Fields values;
    if (create) {
      if (*held) return ErrorAnswer(409, "exists", "登录名已被使用 / the login is taken", "login");
      auto unit = RequireStr(*body, "unit", &refusal);
      if (!unit) return refusal;
      auto role = RequireStr(*body, "role", &refusal);
      if (!role) return refusal;
      auto k = programme::UserKey(login, *unit);
      if (!k.ok()) return ErrorAnswer(400, "invalid", k.status().message(), "unit");
      key = *k;
      values["login"] = {login};
      values["unit"] = {*unit};
      values["role"] = {*role};
      if (!body->contains("password")) {
        return ErrorAnswer(400, "invalid", "缺少密码 / missing \"password\"", "password");
      }
    } else {
      if (!*held) return NotFoundAnswer();
      key = (*held)->key;
      if (auto r = body->find("role"); r != body->end()) {
        if (!r->value().is_string()) return ErrorAnswer(400, "invalid", "role", "role");
        values["role"] = {std::string(r->value().as_string())};
      }
      if (auto d = body->find("disabled"); d != body->end()) {
        if (!d->value().is_bool()) {
          return ErrorAnswer(400, "invalid", "disabled 应为 true/false / must be a boolean",
                             "disabled");
        }
        values["disabled"] = {d->value().as_bool() ? "true" : "false"};
      }
    }
    if (auto n = body->find("name"); n != body->end()) {
      if (!n->value().is_string()) return ErrorAnswer(400, "invalid", "name", "name");
      values["display_name"] = {std::string(n->value().as_string())};
    }
    if (auto pw = body->find("password"); pw != body->end()) {
      if (!pw->value().is_string()) return ErrorAnswer(400, "invalid", "password", "password");
      const std::string password(pw->value().as_string());
      if (Status s = programme::CheckNewPassword(password); !s.ok()) {
        return ErrorAnswer(400, "invalid", s.message(), "password");
      }
      auto hash = programme::HashPassword(password);
      if (!hash.ok()) return StatusAnswer(hash.status());
      values["password_hash"] = {*hash};
      values["password_changed_at"] = {TimeText(now)};
    }
    if (values.empty()) return ErrorAnswer(400, "invalid", "没有要修改的内容 / nothing to change");
    auto current = store.Get(key);
    if (!current.ok()) return StatusAnswer(current.status());
    store::LocalChange change = programme::UserChange(key, *current, values);
    auto ops = config_.write_as(v, {change}, false);
    if (!ops.ok()) return WriteRefusal(ops.status(), programme::kUser);
    std::string what;
    for (const auto& [k, val] : values) {
      if (k == "password_hash" || k == "password_changed_at") continue;
      what += (what.empty() ? "" : ",") + k + "=" + (k == "display_name" ? "…" : val.front());
    }
    if (values.count("password_hash")) what += std::string(what.empty() ? "" : ",") + "password";
    const std::string entry = std::string(create ? "user.add" : "user.change") + "\t" +
                              TimeText(now) + "\t" + v.user + "\t" +
                              std::string(programme::RoleCode(v.role)) + "\t" + v.unit + "\t" +
                              login + "\t" + what + "\t" + rq.peer;
    auto audited = store.AppendAudit(std::span<const std::string>(&entry, 1));
    if (!audited.ok()) return StatusAnswer(audited.status());
    auto now_held = programme::FindUser(store, login);
    json::object user{{"login", login}};
    if (now_held.ok() && *now_held) {
      user["name"] = (*now_held)->display_name;
      user["role"] = programme::RoleCode((*now_held)->role);
      user["unit"] = (*now_held)->unit;
      user["disabled"] = (*now_held)->disabled;
    }
    return JsonAnswer(create ? 201 : 200, json::object{{"user", std::move(user)}});
  }

  // ---- live events ----
  if (is("GET", {"events"})) {
    Response r;
    r.headers.emplace_back("Cache-Control", "no-store");
    const Viewer viewer = v;
    r.event_filter = [viewer](std::string_view unit) { return IsRelated(unit, viewer); };
    return r;
  }

  return NotFoundAnswer();
}

}  // namespace fulei::web

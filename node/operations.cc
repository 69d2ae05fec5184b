#include "node/operations.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "admin-web/record_json.h"
#include "crdt/org_unit.h"
#include "crypto/revocation.h"
#include "crypto/secret.h"
#include "crypto/signing.h"
#include "node/core/outboxes.h"
#include "node/data_dir.h"
#include "node/enrolment.h"
#include "programme/date.h"
#include "programme/import.h"
#include "programme/import_table.h"
#include "programme/reader.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/users.h"
#include "programme/write_policy.h"
#include "sync/priority.h"
#include "sync/receipts.h"
#include "sync/revocations.h"

namespace fulei::node {
namespace json = boost::json;
using web::FieldsJson;
using web::RecordJson;
using web::WritesFor;
namespace {

json::object Error(const Status& s) {
  return json::object{{"ok", false},
                      {"code", std::string(StatusCodeName(s.code()))},
                      {"error", std::string(s.message())}};
}

Result<std::string> Str(const json::object& o, std::string_view key, bool required = true) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) return InvalidArgument("缺少参数 / missing \"" + std::string(key) + "\"");
    return std::string();
  }
  if (!it->value().is_string()) {
    return InvalidArgument("\"" + std::string(key) + "\" must be a string");
  }
  return std::string(it->value().as_string());
}

}  // namespace

std::string UtcText(uint64_t ms) {
  const int64_t s = static_cast<int64_t>(ms / 1000);
  const programme::Date d = programme::CivilFromDays(s / 86400);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.ToString().c_str(),
                static_cast<int>(s % 86400 / 3600), static_cast<int>(s % 3600 / 60),
                static_cast<int>(s % 60));
  return buf;
}

namespace {

std::string TimeText(uint64_t ms) { return UtcText(ms); }

// The scope a record of `type` kept for `unit` lives in.
std::string ScopeFor(std::string_view type, std::string_view unit) {
  return programme::RecordScope(type, unit, programme::LevelByDepth(unit));
}

Result<json::object> Status_(OperationContext& ctx) {
  NodeCore& core = *ctx.core;
  const uint64_t now = core.Now(ctx.wall_ms);
  json::object out{{"ok", true}};
  out["unit"] = core.unit();
  out["node_id"] = sync::NodeHex(core.node_id());
  out["role"] = std::string(crypto::RoleName(RoleOfUnit(core.unit())));
  out["daemon"] = ctx.daemon;
  if (ctx.daemon) out["uptime_s"] = (ctx.wall_ms - ctx.started_ms) / 1000;
  if (ctx.listen_port != 0) out["listen_port"] = ctx.listen_port;
  if (!core.chain().empty()) {
    out["certificate_expires"] = TimeText(core.chain().front().not_after_ms);
  }
  out["now"] = TimeText(now);
  out["clock_confirmed"] = core.clock_confirmed();
  out["clock_offset_ms"] = core.clock_offset_ms();
  out["revocation_version"] = core.revocation_version();
  json::array ups;
  for (size_t k = 0; k < core.upstream_count(); ++k) {
    json::object u{{"index", k},
                   {"connected", core.upstream_connected(k)},
                   {"full_sync", core.upstream_full_sync(k)}};
    if (ctx.config != nullptr && k < ctx.config->upstreams.size()) {
      const Upstream& up = ctx.config->upstreams[k];
      u["unit"] = up.unit;
      json::array eps;
      for (const Endpoint& e : up.endpoints) {
        eps.emplace_back(e.address + ":" + std::to_string(e.port));
      }
      u["endpoints"] = std::move(eps);
    }
    // The backlog waiting for this upstream: urgent ops not yet acknowledged by it.
    auto outbox = core.store().Outbox(UpstreamOutbox(k), 10000);
    u["urgent_backlog"] = outbox.ok() ? outbox->size() : 0;
    ups.push_back(std::move(u));
  }
  // Each peer: its connection now, or its last one; last sync and bytes by traffic class
  // (records: the normal and bulk classes together).
  json::array peers;
  auto by_class = [](const std::array<uint64_t, sync::kPriorityCount>& b) {
    using sync::Priority;
    return json::object{{"urgent", b[static_cast<size_t>(Priority::kUrgent)]},
                        {"control", b[static_cast<size_t>(Priority::kControl)]},
                        {"records", b[static_cast<size_t>(Priority::kNormal)] +
                                        b[static_cast<size_t>(Priority::kBulk)]}};
  };
  auto time_or_null = [](uint64_t ms) -> json::value {
    return ms == 0 ? json::value(nullptr) : json::value(TimeText(ms));
  };
  for (const PeerStatus& p : core.peers()) {
    json::object o{{"unit", p.unit},
                   {"node", sync::NodeHex(p.node)},
                   {"connected", p.connected},
                   {"urgent_only", p.urgent_only},
                   {"connected_at", time_or_null(p.connected_ms)},
                   {"closed_at", time_or_null(p.closed_ms)},
                   {"last_message", time_or_null(p.last_message_ms)},
                   {"last_sync", time_or_null(p.last_synced_ms)},
                   {"bytes_sent", by_class(p.bytes_sent)},
                   {"bytes_received", by_class(p.bytes_received)},
                   {"protocol", p.protocol == 0 ? json::value(nullptr) : json::value(p.protocol)}};
    if (p.upstream >= 0 && static_cast<size_t>(p.upstream) < ups.size()) {
      o["upstream"] = p.upstream;
      json::object& u = ups[static_cast<size_t>(p.upstream)].as_object();
      const json::value* seen = u.if_contains("last_sync");
      if (p.last_synced_ms != 0 && (seen == nullptr || seen->is_null() ||
                                    TimeText(p.last_synced_ms) > seen->as_string().c_str())) {
        u["last_sync"] = TimeText(p.last_synced_ms);
      }
    }
    peers.push_back(std::move(o));
  }
  for (json::value& u : ups) {
    if (!u.as_object().contains("last_sync")) u.as_object()["last_sync"] = nullptr;
  }
  out["upstreams"] = std::move(ups);
  out["peers"] = std::move(peers);
  out["connected_peers"] = core.connected_peers();
  out["sync_idle"] = core.sync_idle();
  const NodeStats st = core.stats();
  out["traffic"] = json::object{{"sessions_established", st.sessions_established},
                                {"ops_sent", st.ops_sent},
                                {"ops_received", st.ops_received},
                                {"bytes_sent", st.bytes_sent},
                                {"bytes_received", st.bytes_received},
                                {"urgent_sent", st.urgent_sent},
                                {"urgent_acked", st.urgent_acked},
                                {"receipts_written", st.receipts_written},
                                {"escalations_written", st.escalations_written},
                                {"dials", st.dials},
                                {"dials_failed", st.dials_failed}};
  FULEI_ASSIGN_OR_RETURN(store::StoreStats ss, core.store().Stats());
  FULEI_ASSIGN_OR_RETURN(uint64_t pending, core.store().PendingCount());
  json::object store{{"file_bytes", ss.file_bytes},
                     {"used_bytes", ss.used_bytes},
                     {"map_bytes", ss.map_bytes},
                     {"map_use_percent", ss.map_bytes ? 100.0 * static_cast<double>(ss.used_bytes) /
                                                            static_cast<double>(ss.map_bytes)
                                                      : 0.0},
                     {"reserve_held", ss.reserve_held},
                     {"pending_ops", pending}};
  struct statvfs fs {};
  if (::statvfs(ctx.data_dir.c_str(), &fs) == 0) {
    store["free_disk_bytes"] = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  out["store"] = std::move(store);
  // Records held per type (a village: its own; a town or the city: its subtree).
  json::object counts;
  for (const programme::RecordTypeSpec& t : programme::RecordTypes()) {
    uint64_t n = 0;
    Status s =
        core.store().ForEach(t.name, "", [&](const crdt::RecordKey&, const crdt::RecordState& r) {
          if (!r.deleted()) ++n;
          return true;
        });
    if (s.ok() && n > 0) counts[t.name] = n;
  }
  out["records"] = std::move(counts);
  if (ctx.desk != nullptr) out["holds_root_key"] = ctx.desk->holds_root_key(now);
  return out;
}

Result<json::object> RecordPut(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string type, Str(req, "type"));
  FULEI_ASSIGN_OR_RETURN(std::string id, Str(req, "id"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  if (unit.empty()) unit = ctx.core->unit();
  auto f = req.find("fields");
  if (f == req.end() || !f->value().is_object()) {
    return InvalidArgument("缺少字段 / \"fields\" must be an object of field: value");
  }
  const crdt::RecordKey key{ScopeFor(type, unit), type, id};
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> current, ctx.core->store().Get(key));
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::FieldWrite> writes,
                         WritesFor(type, current, f->value().as_object()));
  if (writes.empty()) return json::object{{"ok", true}, {"ops", 0}, {"unchanged", true}};
  store::LocalChange change;
  change.key = key;
  change.writes = std::move(writes);
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops,
                         ctx.write_as(OperatorOf(ctx.core->unit()), {change}, {}));
  return json::object{{"ok", true}, {"ops", ops.size()}, {"unit", key.scope}, {"id", id}};
}

Result<json::object> RecordGet(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string type, Str(req, "type"));
  FULEI_ASSIGN_OR_RETURN(std::string id, Str(req, "id"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  if (unit.empty()) unit = ctx.core->unit();
  programme::Reader reader(ctx.core->store());
  FULEI_ASSIGN_OR_RETURN(
      programme::ViewedRecord r,
      reader.Get(OperatorOf(ctx.core->unit()), crdt::RecordKey{ScopeFor(type, unit), type, id}));
  json::object out{{"ok", true}};
  out["record"] = RecordJson(r);
  return out;
}

Result<json::object> RecordList(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string type, Str(req, "type"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  if (unit.empty()) unit = ctx.core->unit();
  programme::Reader reader(ctx.core->store());
  programme::ListOptions options;
  if (auto it = req.find("limit"); it != req.end()) {
    boost::system::error_code ec;
    const int64_t v = it->value().to_number<int64_t>(ec);
    if (ec || v < 0) return InvalidArgument("limit must be a number >= 0");
    options.limit = static_cast<size_t>(v);
  }
  FULEI_ASSIGN_OR_RETURN(programme::Listing listing,
                         reader.List(OperatorOf(ctx.core->unit()), type, unit, options));
  json::array records;
  for (const programme::ViewedRecord& r : listing.records) records.push_back(RecordJson(r));
  return json::object{
      {"ok", true}, {"records", std::move(records)}, {"truncated", listing.truncated}};
}

Result<json::object> RecordHistory(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string type, Str(req, "type"));
  FULEI_ASSIGN_OR_RETURN(std::string id, Str(req, "id"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  if (unit.empty()) unit = ctx.core->unit();
  const crdt::RecordKey key{ScopeFor(type, unit), type, id};
  // The same visibility as a read: a refusal first, whether or not the record exists.
  FULEI_RETURN_IF_ERROR(programme::MaySeeRecord(type, key.scope, OperatorOf(ctx.core->unit())));
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state, ctx.core->store().Get(key));
  if (!state) return NotFound("没有该记录 / no such record: " + key.ToString());
  // Which fields the operator may see (the redacted read decides; history shows no more).
  programme::Reader reader(ctx.core->store());
  FULEI_ASSIGN_OR_RETURN(programme::ViewedRecord viewed,
                         reader.Get(OperatorOf(ctx.core->unit()), key));
  std::set<std::string, std::less<>> hidden(viewed.hidden.begin(), viewed.hidden.end());
  json::array entries;
  for (const auto& [name, field] : state->fields()) {
    if (!name.empty() && name.front() == '$') continue;
    for (const crdt::Entry& e : field.entries()) {
      json::object entry{{"field", name}, {"op", e.id.ToString()}, {"at", TimeText(e.id.stamp.ms)}};
      if (hidden.count(name) == 0) entry["value"] = e.value;
      entries.push_back(std::move(entry));
    }
  }
  json::array conflicts;
  for (const std::string& c : state->Conflicts()) conflicts.emplace_back(c);
  return json::object{{"ok", true},
                      {"key", key.ToString()},
                      {"deleted", state->deleted()},
                      {"conflicts", std::move(conflicts)},
                      {"entries", std::move(entries)}};
}

Result<json::object> ReportFile(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string type, Str(req, "type", false));
  if (type.empty()) type = "report";
  if (type != "report" && type != "help_request") {
    return InvalidArgument(
        "type 只能是 report（强制报告）或 help_request（求助） / must be report or "
        "help_request");
  }
  auto f = req.find("fields");
  if (f == req.end() || !f->value().is_object()) {
    return InvalidArgument("缺少字段 / \"fields\" must be an object of field: value");
  }
  json::object fields = f->value().as_object();
  if (!fields.contains("status")) fields["status"] = "open";
  if (!fields.contains("reported_at") && type == "report") {
    fields["reported_at"] = TimeText(ctx.core->Now(ctx.wall_ms));
  }
  const std::string id =
      (type == "report" ? "r-" : "h-") +
      (ctx.random_id_hex.empty() ? sync::NodeHex(ctx.wall_ms) : ctx.random_id_hex);
  const std::string unit = ctx.core->unit();
  const crdt::RecordKey key{ScopeFor(type, unit), type, id};
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::FieldWrite> writes,
                         WritesFor(type, std::nullopt, fields));
  store::LocalChange change;
  change.key = key;
  change.writes = std::move(writes);
  change.flags = crdt::kOpFlagUrgent;
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops,
                         ctx.write_as(OperatorOf(unit), {change}, {kUpstreamOutbox}));
  return json::object{
      {"ok", true}, {"type", type}, {"id", id}, {"unit", key.scope}, {"ops", ops.size()}};
}

Result<json::object> ReportShow(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string id, Str(req, "id"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  if (unit.empty()) unit = ctx.core->unit();
  const std::string type = id.rfind("h-", 0) == 0 ? "help_request" : "report";
  const crdt::RecordKey key{ScopeFor(type, unit), type, id};
  programme::Reader reader(ctx.core->store());
  FULEI_ASSIGN_OR_RETURN(programme::ViewedRecord r, reader.Get(OperatorOf(ctx.core->unit()), key));
  FULEI_ASSIGN_OR_RETURN(std::vector<sync::Receipt> receipts,
                         sync::ReceiptsFor(ctx.core->store(), key.scope, type, id));
  json::array rs;
  for (const sync::Receipt& rc : receipts) {
    rs.push_back(json::object{{"unit", rc.unit},
                              {"node", sync::NodeHex(rc.node)},
                              {"received", TimeText(rc.received_ms)},
                              {"seq", rc.seq}});
  }
  json::object out{{"ok", true}, {"record", RecordJson(r)}, {"receipts", std::move(rs)}};
  out["status"] = std::string(programme::OneOr(r.fields, "status", "open"));
  out["overdue_since"] = std::string(programme::OneOr(r.fields, "overdue_since", ""));
  out["escalated_to"] = std::string(programme::OneOr(r.fields, "escalated_to", ""));
  return out;
}

Result<json::object> Invite(const json::object& req, OperationContext& ctx) {
  if (ctx.desk == nullptr) {
    return FailedPrecondition("村（社区）节点不能邀请 / a village node invites nobody");
  }
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit"));
  uint64_t ttl_ms = 72ull * 3600 * 1000;
  if (auto it = req.find("ttl_ms"); it != req.end()) {
    boost::system::error_code ec;
    const int64_t v = it->value().to_number<int64_t>(ec);
    if (ec || v <= 0) return InvalidArgument("ttl_ms must be a positive integer");
    ttl_ms = static_cast<uint64_t>(v);
  }
  std::optional<crypto::SigningKey> root;
  FULEI_ASSIGN_OR_RETURN(std::string seed_hex, Str(req, "root_seed", false));
  if (!seed_hex.empty()) {
    auto bytes = FromHex(seed_hex);
    crypto::Secret<32> seed;
    if (!bytes.ok() || bytes->size() != seed.size()) return InvalidArgument("bad root_seed");
    std::copy(bytes->begin(), bytes->end(), seed.data());
    std::fill(bytes->begin(), bytes->end(), '\0');
    std::fill(seed_hex.begin(), seed_hex.end(), '\0');
    FULEI_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::FromSeed(seed));
    root = std::move(key);
  }
  const uint64_t now = ctx.core->Now(ctx.wall_ms);
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString token,
                         ctx.desk->Invite(unit, ttl_ms, now, std::move(root)));
  return json::object{{"ok", true},
                      {"unit", unit},
                      {"token", std::string(token.view())},
                      {"expires", TimeText(now + ttl_ms)}};
}

Result<json::object> Check(OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(store::IntegrityReport report, ctx.core->store().CheckIntegrity());
  json::array problems;
  for (const std::string& p : report.problems) problems.emplace_back(p);
  return json::object{{"ok", true},
                      {"sound", report.ok()},
                      {"quarantined", report.quarantined},
                      {"problems", std::move(problems)}};
}

Result<json::object> Revoke(const json::object& req, OperationContext& ctx) {
  NodeCore& core = *ctx.core;
  if (RoleOfUnit(core.unit()) != crypto::Role::kCity) {
    return PermissionDenied("只有市级节点可以吊销 / only the city revokes nodes");
  }
  FULEI_ASSIGN_OR_RETURN(std::string node_hex, Str(req, "node"));
  FULEI_ASSIGN_OR_RETURN(std::string reason, Str(req, "reason"));
  FULEI_ASSIGN_OR_RETURN(std::string seed_hex, Str(req, "root_seed"));
  auto id_bytes = FromHex(node_hex);
  if (!id_bytes.ok() || id_bytes->size() != 8) {
    return InvalidArgument(
        "节点编号应为 16 位十六进制 / --node must be 16 hex digits (fulei status)");
  }
  crdt::NodeId id = 0;
  for (unsigned char b : *id_bytes) id = (id << 8) | b;
  if (id == core.node_id())
    return InvalidArgument("不能吊销本节点 / the city cannot revoke itself");
  auto bytes = FromHex(seed_hex);
  crypto::Secret<32> seed;
  if (!bytes.ok() || bytes->size() != seed.size()) return InvalidArgument("bad root_seed");
  std::copy(bytes->begin(), bytes->end(), seed.data());
  std::fill(bytes->begin(), bytes->end(), '\0');
  FULEI_ASSIGN_OR_RETURN(crypto::SigningKey root, crypto::SigningKey::FromSeed(seed));
  if (root.public_key() != core.trust().root()) {
    return PermissionDenied("根密钥不属于本网络 / the root key is not this network's");
  }
  // The newest list held, then one more version with the node added.
  crypto::RevocationList list;
  const crdt::RecordKey key = sync::RevocationKey(sync::RootScope(core.unit()));
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state, core.store().Get(key));
  if (state) {
    if (const crdt::FieldState* f = state->Field(sync::kRevocationField)) {
      for (const crdt::Entry* e : f->values()) {
        auto held = crypto::VerifyRevocationList(e->value, core.trust().root());
        if (held.ok() && held->version > list.version) list = std::move(*held);
      }
    }
  }
  const bool already =
      std::find(list.revoked.begin(), list.revoked.end(), id) != list.revoked.end();
  if (already) return AlreadyExists("节点已被吊销 / node " + node_hex + " is already revoked");
  list.version += 1;
  list.issued_ms = core.Now(ctx.wall_ms);
  list.revoked.push_back(id);
  FULEI_ASSIGN_OR_RETURN(std::string signed_list, crypto::SignRevocationList(list, root));
  FULEI_RETURN_IF_ERROR(ctx.publish_revocations(signed_list));
  FULEI_RETURN_IF_ERROR(
      core.store()
          .AppendAudit(std::vector<std::string>{"revoke node=" + node_hex + " version=" +
                                                std::to_string(list.version) + " reason=" + reason})
          .status());
  return json::object{{"ok", true}, {"node", node_hex}, {"version", list.version}};
}

Result<json::object> Export(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string what, Str(req, "what"));
  FULEI_ASSIGN_OR_RETURN(std::string format, Str(req, "format", false));
  FULEI_ASSIGN_OR_RETURN(std::string subtree, Str(req, "unit", false));
  programme::ExportRequest er;
  if (const std::optional<programme::ExportKind> kind = programme::ParseExportKind(what)) {
    er.kind = *kind;
  } else {
    return InvalidArgument(
        "--what 应为 children、study_aid 或 family_care_overdue / must be "
        "children, study_aid or family_care_overdue");
  }
  if (format.empty()) format = "xlsx";
  if (format != "csv" && format != "xlsx") return InvalidArgument("--format must be csv or xlsx");
  const uint64_t now = ctx.core->Now(ctx.wall_ms);
  er.subtree = subtree.empty() ? ctx.core->unit() : subtree;
  er.today = programme::DateAtMs(now);
  er.now_s = static_cast<int64_t>(now / 1000);
  // Written inside the data directory (the daemon may write nowhere else); the command moves it.
  const std::string path = ctx.data_dir + "/export-" +
                           (ctx.random_id_hex.empty() ? "0" : ctx.random_id_hex) + "." + format;
  FULEI_ASSIGN_OR_RETURN(
      programme::ExportSummary summary,
      programme::Reader(ctx.core->store())
          .Export(OperatorOf(ctx.core->unit()), er,
                  format == "csv" ? programme::ExportFormat::kCsv : programme::ExportFormat::kXlsx,
                  path));
  return json::object{
      {"ok", true}, {"path", path}, {"rows", summary.rows}, {"audit_entry", summary.audit_entry}};
}

// A hot copy of the store (Store::Backup: one read transaction; the node keeps running),
// written inside the data directory for `fulei backup` to seal and move.
Result<json::object> BackupDone(const std::string& dir, OperationContext& ctx) {
  NodeCore& core = *ctx.core;
  const uint64_t now = ctx.wall_ms;
  FULEI_RETURN_IF_ERROR(core.store()
                            .AppendAudit(std::vector<std::string>{
                                "backup taken at " + UtcText(now) + " by the operator's command"})
                            .status());
  return json::object{{"ok", true},
                      {"dir", dir},
                      {"path", dir + "/data.mdb"},
                      {"unit", core.unit()},
                      {"node", sync::NodeHex(core.node_id())},
                      {"created_ms", now}};
}

Result<json::object> Import(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string what, Str(req, "what"));
  FULEI_ASSIGN_OR_RETURN(std::string path, Str(req, "path"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  bool dry_run = false;
  if (auto it = req.find("dry_run"); it != req.end() && it->value().is_bool()) {
    dry_run = it->value().as_bool();
  }
  FULEI_ASSIGN_OR_RETURN(programme::ImportKind kind, programme::ParseImportKind(what));
  // Only files the command copied into the data directory.
  if (path.rfind(ctx.data_dir + "/import-", 0) != 0 || path.find("..") != std::string::npos) {
    return InvalidArgument("import: the file must be handed over by `fulei import`");
  }
  auto table = programme::ReadTableFile(path);
  if (!table.ok()) return table.status();
  NodeCore& core = *ctx.core;
  programme::ImportOptions options;
  options.kind = kind;
  options.unit = unit.empty() ? core.unit() : unit;
  options.writer = OperatorOf(core.unit());
  options.today = programme::DateAtMs(core.Now(ctx.wall_ms));
  options.author = "import";
  // Record ids are keyed hashes of what identifies a person (docs/import.md): the key is the
  // same on every node of the network, so the same list imported at a town and at the city
  // names the same records, and it is not a constant anyone could try ID numbers against.
  const crypto::SigningPublicKey& root = core.trust().root();
  const auto key = crypto::Blake2b256(
      "fulei-import-id-v1" + std::string(reinterpret_cast<const char*>(root.data()), root.size()));
  std::copy_n(key.begin(), options.id_key.size(), options.id_key.begin());
  programme::StoreImportRecords existing(core.store());
  FULEI_ASSIGN_OR_RETURN(programme::ImportPlan plan,
                         programme::PlanImport(*table, options, existing));
  size_t written = 0;
  if (!dry_run && !plan.changes.empty()) {
    FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops,
                           ctx.write_as(options.writer, plan.changes, {}));
    written = ops.size();
  }
  json::array rejected;
  for (const programme::ImportProblem& p : plan.rejected) {
    rejected.push_back(json::object{
        {"row", p.row}, {"column", p.column}, {"value", p.value}, {"reason", p.reason}});
  }
  return json::object{{"ok", true},
                      {"dry_run", dry_run},
                      {"rows", plan.rows},
                      {"created", plan.created},
                      {"updated", plan.updated},
                      {"unchanged", plan.unchanged},
                      {"rejected", std::move(rejected)},
                      {"duplicates", plan.duplicates.size()},
                      {"ops_written", written},
                      {"report", programme::FormatImportReport(plan)}};
}

// user.put {login, unit?, fields{...}}: creates or changes an account (the command hashed any
// password; a hash, never a password, crosses the socket). `unit` is needed only for a new one.
Result<json::object> UserPut(const json::object& req, OperationContext& ctx) {
  FULEI_ASSIGN_OR_RETURN(std::string login, Str(req, "login"));
  FULEI_ASSIGN_OR_RETURN(std::string unit, Str(req, "unit", false));
  auto f = req.find("fields");
  if (f == req.end() || !f->value().is_object())
    return InvalidArgument("\"fields\" must be an object");
  NodeCore& core = *ctx.core;
  FULEI_ASSIGN_OR_RETURN(std::optional<programme::UserAccount> held,
                         programme::FindUser(core.store(), login));
  crdt::RecordKey key;
  if (held) {
    key = held->key;
  } else {
    if (unit.empty()) return NotFound("没有该用户 / no user with login " + login);
    FULEI_ASSIGN_OR_RETURN(key, programme::UserKey(login, unit));
  }
  programme::Fields values;
  if (!held) values["login"] = {login};
  for (const auto& [name, v] : f->value().as_object()) {
    if (!v.is_string()) return InvalidArgument(std::string(name) + ": must be a string");
    values[std::string(name)] = {std::string(v.as_string())};
  }
  if (values.count("password_hash")) {
    values["password_changed_at"] = {UtcText(core.Now(ctx.wall_ms))};
  }
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> current, core.store().Get(key));
  const programme::RecordTypeSpec* spec = programme::FindRecordType(programme::kUser);
  for (const auto& [name, v] : values) {
    const programme::FieldSpec* fs = spec ? spec->Find(name) : nullptr;
    if (fs == nullptr || fs->shape != programme::FieldShape::kRegister) {
      return InvalidArgument("未知字段 / unknown field user." + name);
    }
  }
  store::LocalChange change = programme::UserChange(key, current, values);
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops,
                         ctx.write_as(OperatorOf(core.unit()), {change}, {}));
  return json::object{
      {"ok", true}, {"login", login}, {"unit", key.scope}, {"created", !held}, {"ops", ops.size()}};
}

}  // namespace

programme::Viewer OperatorOf(std::string_view unit) {
  using programme::Role;
  const crypto::Role level = RoleOfUnit(unit);
  const Role role = level == crypto::Role::kVillage ? Role::kVillageDirector
                    : level == crypto::Role::kTown  ? Role::kTownOffice
                                                    : Role::kCityBureau;
  return programme::Viewer(role, std::string(unit), "cli");
}

std::string BackupDirectory(const OperationContext& ctx) {
  return ctx.data_dir + "/backup-" + (ctx.random_id_hex.empty() ? "0" : ctx.random_id_hex) + ".tmp";
}

json::object FinishBackup(const std::string& dir, const Status& copied, OperationContext& ctx) {
  Result<json::object> answer = copied.ok() ? BackupDone(dir, ctx) : Result<json::object>(copied);
  if (!answer.ok()) return Error(answer.status());
  return std::move(*answer);
}

json::object HandleOperation(const json::object& request, OperationContext& ctx) {
  auto op = Str(request, "op");
  if (!op.ok()) return Error(op.status());
  Result<json::object> answer = InvalidArgument("未知操作 / unknown op \"" + *op + "\"");
  if (*op == "status") answer = Status_(ctx);
  if (*op == "record.put") answer = RecordPut(request, ctx);
  if (*op == "record.get") answer = RecordGet(request, ctx);
  if (*op == "record.list") answer = RecordList(request, ctx);
  if (*op == "record.history") answer = RecordHistory(request, ctx);
  if (*op == "report.file") answer = ReportFile(request, ctx);
  if (*op == "report.show") answer = ReportShow(request, ctx);
  if (*op == "invite") answer = Invite(request, ctx);
  if (*op == "check") answer = Check(ctx);
  if (*op == "export") answer = Export(request, ctx);
  if (*op == "backup") {
    const std::string dir = BackupDirectory(ctx);
    return FinishBackup(dir, ctx.core->store().Backup(dir), ctx);
  }
  if (*op == "import") answer = Import(request, ctx);
  if (*op == "user.put") answer = UserPut(request, ctx);
  if (*op == "revoke") answer = Revoke(request, ctx);
  if (!answer.ok()) return Error(answer.status());
  return std::move(*answer);
}

}  // namespace fulei::node

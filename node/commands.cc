#include "node/commands.h"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "crypto/identity.h"
#include "crypto/join_token.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "node/config.h"
#include "node/control.h"
#include "node/core/core.h"
#include "node/core/data_key_sealer.h"
#include "node/daemon.h"
#include "node/data_dir.h"
#include "node/enrolment.h"
#include "node/operations.h"
#include "programme/date.h"
#include "programme/users.h"
#include "store/store.h"
#include "sync/receipts.h"
#include "sync/revocations.h"

namespace fulei::node {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int Fail(int code, std::string_view message) {
  std::cerr << "错误 error: " << message << "\n";
  return code;
}

int Fail(const Status& s) { return Fail(ExitCodeOf(s), s.message()); }

// The answer's error, printed; its exit code.
int FailAnswer(const json::object& answer) {
  auto e = answer.find("error");
  return Fail(ExitCodeOf(answer), e != answer.end() && e->value().is_string()
                                      ? std::string(e->value().as_string())
                                      : json::serialize(answer));
}

std::string TextOf(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return "";
  if (it->value().is_string()) return std::string(it->value().as_string());
  return json::serialize(it->value());
}

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(n) / double(1ull << 30));
  } else if (n >= (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / double(1ull << 20));
  } else if (n >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(n) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  }
  return buf;
}

uint64_t U64(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_uint64()) return it->value().as_uint64();
  if (it->value().is_int64())
    return static_cast<uint64_t>(std::max<int64_t>(0, it->value().as_int64()));
  return 0;
}

bool Bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}

// A JSON object from text, "-" (stdin) or "@FILE".
Result<json::object> ReadJsonObject(const std::string& spec) {
  std::string text;
  if (spec == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!spec.empty() && spec.front() == '@') {
    std::ifstream in(spec.substr(1), std::ios::binary);
    if (!in) return NotFound("cannot read " + spec.substr(1));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } else {
    text = spec;
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return InvalidArgument(
        "字段应为 JSON 对象 / the fields must be a JSON object, e.g. "
        "'{\"name\":\"张三\",\"gender\":\"male\"}'");
  }
  return std::move(v.as_object());
}

Result<crypto::SigningKey> UnlockRootKey(const DataDir& data, const std::string& path_option) {
  const fs::path path = path_option.empty() ? data.root_key() : fs::path(path_option);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFound("找不到根密钥 / no root key at " + path.string() +
                    " (kept elsewhere? pass --root-key FILE)");
  }
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString pass,
                         ReadPassphrase("网络根密钥口令 / root key passphrase: ", false));
  auto key = crypto::LoadRootKey(path, crypto::KeyProtection::Passphrase(pass.view()));
  if (!key.ok() && key.status().code() == StatusCode::kUnauthenticated) {
    return PermissionDenied("口令不对 / wrong passphrase for " + path.string());
  }
  return key;
}

void PrintStatus(const json::object& s) {
  std::printf("福蕾节点 fulei node  %s (%s)  node %s\n", TextOf(s, "unit").c_str(),
              TextOf(s, "role").c_str(), TextOf(s, "node_id").c_str());
  if (Bool(s, "daemon")) {
    std::printf("守护进程 daemon        运行中 running, %llu s",
                static_cast<unsigned long long>(U64(s, "uptime_s")));
    if (U64(s, "listen_port"))
      std::printf(", port %llu", static_cast<unsigned long long>(U64(s, "listen_port")));
    std::printf("\n");
  } else {
    std::printf("守护进程 daemon        未运行 not running (read from the store)\n");
  }
  std::printf("证书到期 certificate   %s\n", TextOf(s, "certificate_expires").c_str());
  std::printf("时钟 clock             %s, %s, offset %s ms\n", TextOf(s, "now").c_str(),
              Bool(s, "clock_confirmed") ? "已核对 confirmed" : "未核对 unconfirmed",
              TextOf(s, "clock_offset_ms").c_str());
  if (auto it = s.find("upstreams"); it != s.end() && it->value().is_array()) {
    for (const json::value& v : it->value().as_array()) {
      const json::object& u = v.as_object();
      std::string eps;
      if (auto e = u.find("endpoints"); e != u.end() && e->value().is_array()) {
        for (const json::value& x : e->value().as_array()) {
          eps += (eps.empty() ? "" : ",") + std::string(x.as_string());
        }
      }
      std::printf("上级 upstream %llu       %s %s  %s  待送紧急 urgent backlog %llu\n",
                  static_cast<unsigned long long>(U64(u, "index")),
                  TextOf(u, "unit").empty() ? "(上级 parent)" : TextOf(u, "unit").c_str(),
                  eps.c_str(),
                  !Bool(u, "connected")  ? "未连接 not connected"
                  : Bool(u, "full_sync") ? "已连接 connected (full sync)"
                                         : "已连接 connected (urgent only)",
                  static_cast<unsigned long long>(U64(u, "urgent_backlog")));
    }
  }
  std::printf("连接 connected peers   %llu%s\n",
              static_cast<unsigned long long>(U64(s, "connected_peers")),
              Bool(s, "sync_idle") ? "  (同步完成 in sync)" : "  (同步中 syncing)");
  if (auto it = s.find("traffic"); it != s.end() && it->value().is_object()) {
    const json::object& t = it->value().as_object();
    std::printf(
        "流量 traffic           sent %llu ops / %s, received %llu ops / %s; urgent sent %llu, "
        "acked %llu; receipts %llu\n",
        static_cast<unsigned long long>(U64(t, "ops_sent")), Bytes(U64(t, "bytes_sent")).c_str(),
        static_cast<unsigned long long>(U64(t, "ops_received")),
        Bytes(U64(t, "bytes_received")).c_str(),
        static_cast<unsigned long long>(U64(t, "urgent_sent")),
        static_cast<unsigned long long>(U64(t, "urgent_acked")),
        static_cast<unsigned long long>(U64(t, "receipts_written")));
  }
  if (auto it = s.find("records"); it != s.end() && it->value().is_object()) {
    std::string line;
    for (const auto& [k, v] : it->value().as_object()) {
      line += (line.empty() ? "" : ", ") + std::string(k) + " " + json::serialize(v);
    }
    std::printf("记录 records           %s\n", line.empty() ? "(无 none)" : line.c_str());
  }
  if (auto it = s.find("store"); it != s.end() && it->value().is_object()) {
    const json::object& st = it->value().as_object();
    std::printf("存储 store             %s used of %s map, free disk %s, pending ops %llu%s\n",
                Bytes(U64(st, "used_bytes")).c_str(), Bytes(U64(st, "map_bytes")).c_str(),
                Bytes(U64(st, "free_disk_bytes")).c_str(),
                static_cast<unsigned long long>(U64(st, "pending_ops")),
                Bool(st, "reserve_held") ? "" : "  磁盘将满 DISK NEARLY FULL: only urgent reports");
  }
  std::printf("吊销列表 revocations   version %llu\n",
              static_cast<unsigned long long>(U64(s, "revocation_version")));
}

}  // namespace

std::optional<uint64_t> ParseDuration(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  uint64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 1'000'000) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  switch (text.back()) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60'000;
    case 'h':
      return n * 3'600'000;
    case 'd':
      return n * 86'400'000;
    default:
      return std::nullopt;
  }
}

int RunInit(const InitOptions& o) {
  DataDir data(o.dir);
  if (data.initialised()) return Fail(kExitBusy, o.dir + " 已有节点 / already holds a node");
  if (!crypto::ValidateOrgUnit(o.unit).ok() || o.unit.find('/') != std::string::npos) {
    return Fail(kExitUsage,
                "--unit 应为市级单位代码，如 jinjiang / --unit must be the city's unit, "
                "one segment of [a-z0-9_-]");
  }
  DaemonConfig config;
  config.node.unit = o.unit;
  auto listen = ParseEndpoint(o.listen);
  if (!listen.ok()) return Fail(kExitUsage, "--listen: " + listen.status().message());
  config.node.listen = *listen;
  if (!o.web.empty()) {
    auto web = ParseEndpoint(o.web);
    if (!web.ok()) return Fail(kExitUsage, "--web: " + web.status().message());
    config.web = *web;
  }
  const fs::path root_path = o.root_key_out.empty() ? data.root_key() : fs::path(o.root_key_out);
  std::error_code ec;
  if (fs::exists(root_path, ec)) return Fail(kExitBusy, root_path.string() + " already exists");
  auto pass =
      ReadPassphrase("设置网络根密钥口令 / new passphrase for the network root key: ", true);
  if (!pass.ok()) return Fail(kExitUsage, pass.status().message());

  crypto::SystemRandom random;
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  const uint64_t now = WallMs();
  auto cert = crypto::CertifyNode(identity, crypto::Role::kCity, o.unit, now - 86'400'000,
                                  now + static_cast<uint64_t>(o.validity_days) * 86'400'000, root,
                                  /*can_issue=*/true);
  if (!cert.ok()) return Fail(cert.status());
  Status made = data.Create(identity, {*cert}, root.public_key(), ConfigText(config), random);
  if (!made.ok()) return Fail(made);
  Status saved =
      crypto::SaveRootKey(root_path, root, crypto::KeyProtection::Passphrase(pass->view()), random);
  if (!saved.ok()) {
    for (const char* f :
         {"fulei.toml", "node.key", "node.kek", "data.keys", "node.chain", "network.root"}) {
      fs::remove(data.dir() / f, ec);
    }
    return Fail(saved);
  }
  std::printf(
      "已创建市级节点 created the city node %s in %s\n"
      "  节点 node id      %s\n"
      "  根密钥 root key   %s (口令保护 sealed under your passphrase)\n"
      "  配置 config       %s\n"
      "下一步 next: fulei run --dir %s   (or: systemctl start fulei)\n"
      "      then: fulei invite --dir %s --unit %s/<town>\n",
      o.unit.c_str(), o.dir.c_str(), sync::NodeHex(identity.node_id()).c_str(),
      root_path.string().c_str(), data.config().string().c_str(), o.dir.c_str(), o.dir.c_str(),
      o.unit.c_str());
  return kExitOk;
}

int RunInvite(const InviteOptions& o) {
  DataDir data(o.dir);
  auto config = LoadConfig(data.config(), data.store());
  if (!config.ok()) {
    return Fail(config.status().code() == StatusCode::kNotFound ? kExitNoNode : kExitConfig,
                config.status().message());
  }
  auto ttl = ParseDuration(o.expires);
  if (!ttl) return Fail(kExitUsage, "--expires: like 72h, 30m or 7d");
  json::object request{{"op", "invite"}, {"unit", o.unit}, {"ttl_ms", *ttl}};
  const bool needs_root = RoleOfUnit(config->node.unit) == crypto::Role::kCity &&
                          RoleOfUnit(o.unit) == crypto::Role::kTown;
  Result<json::object> answer = Unavailable("");
  if (needs_root) {
    // Only the root may make a town that enrols villages: the running daemon gets the root key
    // for as long as this invitation lasts.
    auto root = UnlockRootKey(data, o.root_key);
    if (!root.ok()) return Fail(root.status());
    request["root_seed"] = ToHex(
        std::string_view(reinterpret_cast<const char*>(root->seed().data()), root->seed().size()));
    answer = CallDaemon(data.control_socket(), request);
    if (!answer.ok() && answer.status().code() == StatusCode::kUnavailable) {
      return Fail(kExitFailure,
                  "邀请镇（街道）须先启动本节点 / start this node first (fulei run, or systemctl "
                  "start fulei): it answers the town's join with the root key, held only for this "
                  "invitation");
    }
  } else {
    bool daemon = false;
    answer = Operate(o.dir, request, &daemon);
  }
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  std::printf("%s\n", TextOf(*answer, "token").c_str());
  std::fprintf(stderr,
               "邀请码（一次有效，%s 前有效）/ one-time join token for %s, valid until %s.\n"
               "在新节点上 on the new node: fulei join --dir DIR --token TOKEN --upstream "
               "<this node's address:port>\n",
               TextOf(*answer, "expires").c_str(), o.unit.c_str(),
               TextOf(*answer, "expires").c_str());
  return kExitOk;
}

int RunJoin(const JoinCommandOptions& o) {
  DataDir data(o.dir);
  if (data.initialised()) return Fail(kExitBusy, o.dir + " 已有节点 / already holds a node");
  std::string text = o.token;
  if (text == "-") std::getline(std::cin, text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  auto token = crypto::ParseJoinToken(text);
  std::fill(text.begin(), text.end(), '\0');
  if (!token.ok()) {
    return Fail(static_cast<int>(JoinFailure::kMalformedToken),
                "邀请码无效（抄错或被改动）/ not a valid join token (mistyped or edited): " +
                    token.status().message());
  }
  JoinOptions jo;
  for (const std::string& u : o.upstream) {
    auto e = ParseEndpoint(u);
    if (!e.ok()) return Fail(kExitUsage, "--upstream: " + e.status().message());
    jo.upstream.push_back(*e);
  }
  jo.timeout = std::chrono::seconds(o.timeout_seconds);
  DaemonConfig config;
  config.node.unit = token->org_unit;
  const crypto::Role role = RoleOfUnit(token->org_unit);
  const std::string listen = !o.listen.empty()             ? o.listen
                             : role == crypto::Role::kTown ? "0.0.0.0:7400"
                                                           : "";
  if (!listen.empty()) {
    auto e = ParseEndpoint(listen);
    if (!e.ok()) return Fail(kExitUsage, "--listen: " + e.status().message());
    config.node.listen = *e;
  }
  if (!o.web.empty()) {
    auto e = ParseEndpoint(o.web);
    if (!e.ok()) return Fail(kExitUsage, "--web: " + e.status().message());
    config.web = *e;
  }
  config.node.upstreams.push_back(Upstream{jo.upstream, ""});
  if (!o.fallback.empty()) {
    auto e = ParseEndpoint(o.fallback);
    if (!e.ok()) return Fail(kExitUsage, "--fallback: " + e.status().message());
    config.node.upstreams.push_back(Upstream{{*e}, sync::RootScope(token->org_unit)});
  }

  crypto::SystemRandom random;
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  JoinFailure failure = JoinFailure::kNone;
  uint64_t now = WallMs();
  if (now < CoreConfig{}.clock_floor_ms) {
    // A Pi without a real-time clock, booted in 1970: the token's expiry is the best clock at
    // hand (the issuer's clock was before it); the node adopts its upstream's once running.
    std::fprintf(stderr,
                 "注意 note: the clock is not set; checking certificates at the token's "
                 "expiry instead\n");
    now = token->expires_ms - 1;
  }
  auto chain = Join(*token, identity, jo, now, &failure);
  if (!chain.ok()) {
    std::string what;
    switch (failure) {
      case JoinFailure::kExpired:
        what = "邀请码已过期，请重新邀请 / the token has expired: ask for a new one";
        break;
      case JoinFailure::kUsed:
        what = "邀请码已被使用 / the token was used already: ask for a new one";
        break;
      case JoinFailure::kForeign:
        what =
            "邀请码不属于该上级节点所在网络 / the token is not of the network (or the issuer) at "
            "that address";
        break;
      case JoinFailure::kWrongUpstream:
        what = "该地址不是签发邀请码的节点 / the node at that address did not issue this token";
        break;
      case JoinFailure::kUnreachable:
        what = "无法连接上级节点 / cannot reach the upstream";
        break;
      case JoinFailure::kMalformedToken:
        what = "邀请码被改动 / the token was altered";
        break;
      default:
        what = "加入被拒绝 / refused";
    }
    return Fail(static_cast<int>(failure), what + " (" + chain.status().message() + ")");
  }
  Status made = data.Create(identity, *chain, token->root_key, ConfigText(config), random);
  if (!made.ok()) return Fail(made);
  std::printf(
      "已加入 joined as %s (%s), node %s, certificate until %s\n下一步 next: fulei run --dir %s\n",
      token->org_unit.c_str(), std::string(crypto::RoleName(role)).c_str(),
      sync::NodeHex(identity.node_id()).c_str(), UtcText(chain->front().not_after_ms).c_str(),
      o.dir.c_str());
  return kExitOk;
}

int RunStatus(const StatusOptions& o) {
  for (;;) {
    bool daemon = false;
    auto answer = Operate(o.dir, json::object{{"op", "status"}}, &daemon);
    if (!answer.ok()) {
      const Status& s = answer.status();
      if (s.code() == StatusCode::kNotFound) return Fail(kExitNoNode, s.message());
      if (s.code() == StatusCode::kFailedPrecondition) return Fail(kExitBusy, s.message());
      if (s.code() == StatusCode::kInvalidArgument) return Fail(kExitConfig, s.message());
      return Fail(s);
    }
    if (!Bool(*answer, "ok")) return FailAnswer(*answer);
    if (o.json) {
      std::printf("%s\n", json::serialize(*answer).c_str());
    } else {
      if (o.watch && ::isatty(STDOUT_FILENO)) std::printf("\033[H\033[2J");
      PrintStatus(*answer);
    }
    std::fflush(stdout);
    if (!o.watch) return kExitOk;
    std::this_thread::sleep_for(std::chrono::seconds(o.interval_seconds));
  }
}

int RunRecord(const RecordOptions& o) {
  json::object request{{"op", "record." + o.action}, {"type", o.type}};
  if (!o.id.empty()) request["id"] = o.id;
  if (!o.unit.empty()) request["unit"] = o.unit;
  if (o.limit > 0) request["limit"] = o.limit;
  if (o.action == "put") {
    auto fields = ReadJsonObject(o.fields);
    if (!fields.ok()) return Fail(kExitUsage, fields.status().message());
    request["fields"] = std::move(*fields);
  }
  bool daemon = false;
  auto answer = Operate(o.dir, request, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  if (o.action == "put") {
    std::printf("已保存 saved %s|%s|%s (%s ops)\n", TextOf(*answer, "unit").c_str(), o.type.c_str(),
                o.id.c_str(), TextOf(*answer, "ops").c_str());
  } else {
    answer->erase("ok");
    std::printf("%s\n", json::serialize(*answer).c_str());
  }
  return kExitOk;
}

int RunReport(const ReportOptions& o) {
  json::object request;
  if (o.action == "file") {
    auto fields = ReadJsonObject(o.fields);
    if (!fields.ok()) return Fail(kExitUsage, fields.status().message());
    request = json::object{{"op", "report.file"}, {"type", o.type}, {"fields", std::move(*fields)}};
  } else {
    request = json::object{{"op", "report.show"}, {"id", o.id}};
    if (!o.unit.empty()) request["unit"] = o.unit;
  }
  bool daemon = false;
  auto answer = Operate(o.dir, request, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  if (o.json) {
    std::printf("%s\n", json::serialize(*answer).c_str());
    return kExitOk;
  }
  if (o.action == "file") {
    std::printf("%s\n", TextOf(*answer, "id").c_str());
    std::fprintf(
        stderr,
        "已登记并优先上报 filed and sent ahead of everything else%s. 回执 receipts: fulei "
        "report show --dir %s --id %s\n请同时直接向公安机关报案 / a mandated reporter must "
        "still report to the police directly.\n",
        daemon ? "" : " (when the daemon next connects)", o.dir.c_str(),
        TextOf(*answer, "id").c_str());
    return kExitOk;
  }
  std::printf("%s  状态 status %s%s\n", o.id.c_str(), TextOf(*answer, "status").c_str(),
              TextOf(*answer, "overdue_since").empty()
                  ? ""
                  : ("  逾期 overdue since " + TextOf(*answer, "overdue_since")).c_str());
  if (auto it = answer->find("receipts"); it != answer->end() && it->value().is_array()) {
    if (it->value().as_array().empty()) std::printf("  回执 receipts: 尚无 none yet\n");
    for (const json::value& v : it->value().as_array()) {
      const json::object& r = v.as_object();
      std::printf("  回执 receipt  %-24s node %s  at %s\n", TextOf(r, "unit").c_str(),
                  TextOf(r, "node").c_str(), TextOf(r, "received").c_str());
    }
  }
  return kExitOk;
}

int RunCheck(const std::string& dir, bool as_json) {
  bool daemon = false;
  auto answer = Operate(dir, json::object{{"op", "check"}}, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  if (as_json) {
    std::printf("%s\n", json::serialize(*answer).c_str());
  } else if (Bool(*answer, "sound")) {
    std::printf("存储完好 the store is sound (%s quarantined entries)\n",
                TextOf(*answer, "quarantined").c_str());
  } else {
    std::printf("发现问题 faults found:\n");
    for (const json::value& p : answer->at("problems").as_array()) {
      std::printf("  %s\n", std::string(p.as_string()).c_str());
    }
  }
  return Bool(*answer, "sound") ? kExitOk : kExitIntegrity;
}

int RunExport(const ExportOptions& o) {
  json::object request{{"op", "export"}, {"what", o.what}, {"format", o.format}};
  if (!o.unit.empty()) request["unit"] = o.unit;
  bool daemon = false;
  auto answer = Operate(o.dir, request, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  const fs::path made = TextOf(*answer, "path");
  std::error_code ec;
  fs::copy_file(made, o.out, fs::copy_options::overwrite_existing, ec);
  fs::remove(made);
  if (ec) return Fail(kExitFailure, "cannot write " + o.out + ": " + ec.message());
  std::printf("已导出 exported %s rows to %s (记入审计日志 recorded in the audit log)\n",
              TextOf(*answer, "rows").c_str(), o.out.c_str());
  return kExitOk;
}

int RunImport(const ImportOptions& o) {
  DataDir data(o.dir);
  if (!data.initialised()) return Fail(kExitNoNode, o.dir + " holds no node");
  std::error_code ec;
  if (!fs::is_regular_file(o.file, ec)) return Fail(kExitUsage, "--file: no such file " + o.file);
  // Handed over inside the data directory (the daemon reads nowhere else), removed after.
  crypto::SystemRandom random;
  uint64_t r = 0;
  random.Fill(reinterpret_cast<uint8_t*>(&r), sizeof r);
  const fs::path copy =
      data.dir() / ("import-" + sync::NodeHex(r) + fs::path(o.file).extension().string());
  fs::copy_file(o.file, copy, ec);
  if (ec)
    return Fail(kExitFailure, "cannot copy " + o.file + " into " + o.dir + ": " + ec.message());
  fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                  ec);
  if (::isatty(STDERR_FILENO)) std::fprintf(stderr, "导入中 importing %s ...\n", o.file.c_str());
  json::object request{
      {"op", "import"}, {"what", o.what}, {"path", copy.string()}, {"dry_run", o.dry_run}};
  if (!o.unit.empty()) request["unit"] = o.unit;
  bool daemon = false;
  auto answer = Operate(o.dir, request, &daemon);
  fs::remove(copy, ec);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  if (o.json) {
    std::printf("%s\n", json::serialize(*answer).c_str());
  } else {
    std::printf("%s", TextOf(*answer, "report").c_str());
    std::printf(
        "%s: %s 行 rows, 新建 created %s, 更新 updated %s, 未变 unchanged %s, 拒绝 rejected %zu, "
        "疑似重复 likely duplicates %s\n",
        o.dry_run ? "试导入（未写入）dry run, nothing written" : "已导入 imported",
        TextOf(*answer, "rows").c_str(), TextOf(*answer, "created").c_str(),
        TextOf(*answer, "updated").c_str(), TextOf(*answer, "unchanged").c_str(),
        answer->at("rejected").as_array().size(), TextOf(*answer, "duplicates").c_str());
  }
  return answer->at("rejected").as_array().empty() ? kExitOk : kExitRefused;
}

int RunClock(const std::string& dir, const std::string& action, const std::string& to) {
  DataDir data(dir);
  if (!data.initialised()) return Fail(kExitNoNode, dir + " holds no node");
  if (CallDaemon(data.control_socket(), json::object{{"op", "status"}}).ok()) {
    return Fail(kExitBusy,
                "先停止守护进程 / stop the daemon first (systemctl stop fulei): its clock "
                "in memory would write the old mark back");
  }
  auto lock = DirLock::Acquire(data);
  if (!lock.ok()) return Fail(kExitBusy, lock.status().message());
  auto config = LoadConfig(data.config(), data.store());
  if (!config.ok()) return Fail(kExitConfig, config.status().message());
  auto files = data.Load();
  if (!files.ok()) return Fail(files.status());
  DataKeySealer sealer(std::move(files->ring));
  store::StoreOptions so;
  so.sealer = &sealer;
  so.node_id = files->identity.node_id();
  so.initial_map_bytes = config->node.initial_map_bytes;
  so.reserve_bytes = config->node.reserve_bytes;
  auto st = store::Store::Open(data.store().string(), so);
  if (!st.ok()) return Fail(st.status());
  auto mark = (*st)->HlcHighWater();
  if (!mark.ok()) return Fail(mark.status());
  const uint64_t now = WallMs();
  if (action == "show") {
    std::printf("时钟标记 HLC mark %s; 本机时钟 wall clock %s%s\n", UtcText(mark->ms).c_str(),
                UtcText(now).c_str(),
                mark->ms > now + CoreConfig{}.max_future_ms
                    ? "  超前 AHEAD: peers refuse what this node writes (fulei clock reset)"
                    : "");
    return kExitOk;
  }
  uint64_t target = now;
  if (!to.empty() && to != "now") {
    // YYYY-MM-DDTHH:MM:SSZ
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (std::sscanf(to.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &sec) != 6) {
      return Fail(kExitUsage, "--to: now, or a UTC time like 2026-12-06T08:00:00Z");
    }
    auto date = programme::ParseDate(to.substr(0, 10));
    if (!date.ok()) return Fail(kExitUsage, "--to: " + date.status().message());
    target =
        static_cast<uint64_t>(programme::DaysFromCivil(*date) * 86'400 + h * 3600 + mi * 60 + sec) *
        1000;
  }
  if (target < CoreConfig{}.clock_floor_ms) {
    return Fail(kExitUsage, "本机时钟未设置 / the wall clock is not set: give --to a UTC time");
  }
  auto old = (*st)->ResetHlcHighWater(crdt::Stamp{target, 0});
  if (!old.ok()) return Fail(old.status());
  std::printf("时钟标记已重置 HLC mark reset: %s -> %s\n", UtcText(old->ms).c_str(),
              UtcText(target).c_str());
  return kExitOk;
}

int RunUser(const UserOptions& o) {
  bool daemon = false;
  if (o.action == "list") {
    json::object request{{"op", "record.list"}, {"type", "user"}};
    if (!o.unit.empty()) request["unit"] = o.unit;
    auto answer = Operate(o.dir, request, &daemon);
    if (!answer.ok()) return Fail(answer.status());
    if (!Bool(*answer, "ok")) return FailAnswer(*answer);
    if (o.json) {
      std::printf("%s\n", json::serialize(*answer).c_str());
      return kExitOk;
    }
    std::printf("%-20s %-16s %-28s %s\n", "登录名 login", "角色 role", "单位 unit", "状态 state");
    for (const json::value& v : answer->at("records").as_array()) {
      const json::object& f = v.as_object().at("fields").as_object();
      std::printf("%-20s %-16s %-28s %s\n", TextOf(f, "login").c_str(), TextOf(f, "role").c_str(),
                  TextOf(f, "unit").c_str(),
                  TextOf(f, "disabled") == "true" ? "停用 disabled" : "启用 active");
    }
    return kExitOk;
  }
  json::object fields;
  if (o.action == "add") {
    fields["role"] = o.role;
    fields["unit"] = o.unit;
    fields["disabled"] = "false";
    if (!o.name.empty()) fields["display_name"] = o.name;
    if (!o.helper.empty()) fields["helper"] = o.helper;
  }
  if (o.action == "disable" || o.action == "enable") {
    fields["disabled"] = o.action == "disable" ? "true" : "false";
  }
  if (o.action == "add" || o.action == "passwd") {
    auto pass = ReadPassphrase("新密码 / new password for " + o.login + ": ", true);
    if (!pass.ok()) return Fail(kExitUsage, pass.status().message());
    Status strong = programme::CheckNewPassword(pass->view());
    if (!strong.ok()) return Fail(kExitRefused, strong.message());
    auto hash = programme::HashPassword(pass->view());
    if (!hash.ok()) return Fail(hash.status());
    fields["password_hash"] = *hash;
  }
  json::object request{{"op", "user.put"}, {"login", o.login}, {"fields", std::move(fields)}};
  if (o.action == "add") request["unit"] = o.unit;
  auto answer = Operate(o.dir, request, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  if (o.action == "add" && !Bool(*answer, "created")) {
    std::fprintf(stderr, "注意 note: %s already existed; its fields were updated\n",
                 o.login.c_str());
  }
  std::printf("%s %s (%s)\n",
              o.action == "add"       ? "已添加 added"
              : o.action == "passwd"  ? "密码已更改 password changed for"
              : o.action == "disable" ? "已停用 disabled"
                                      : "已启用 enabled",
              o.login.c_str(), TextOf(*answer, "unit").c_str());
  return kExitOk;
}

int RunRevoke(const RevokeOptions& o) {
  DataDir data(o.dir);
  if (o.reason.empty()) return Fail(kExitUsage, "--reason is required (it goes to the audit log)");
  auto root = UnlockRootKey(data, o.root_key);
  if (!root.ok()) return Fail(root.status());
  json::object request{
      {"op", "revoke"},
      {"node", o.node},
      {"reason", o.reason},
      {"root_seed", ToHex(std::string_view(reinterpret_cast<const char*>(root->seed().data()),
                                           root->seed().size()))}};
  bool daemon = false;
  auto answer = Operate(o.dir, request, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  std::printf("已吊销 revoked node %s (revocation list version %s)%s\n", o.node.c_str(),
              TextOf(*answer, "version").c_str(),
              daemon ? "; sent to every connected node" : "; sent when the daemon next runs");
  return kExitOk;
}

}  // namespace fulei::node

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

#include "admin-web/tls_certificate.h"
#include "crypto/identity.h"
#include "crypto/join_token.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "node/backup.h"
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
  if (auto it = s.find("peers"); it != s.end() && it->value().is_array()) {
    auto classes = [](const json::object& p, const char* key) {
      const json::value* b = p.if_contains(key);
      if (b == nullptr || !b->is_object()) return std::string();
      const json::object& o = b->as_object();
      return "urgent " + Bytes(U64(o, "urgent")) + ", control " + Bytes(U64(o, "control")) +
             ", records " + Bytes(U64(o, "records"));
    };
    for (const json::value& v : it->value().as_array()) {
      const json::object& p = v.as_object();
      const std::string last = TextOf(p, "last_sync");
      const uint64_t protocol = U64(p, "protocol");
      std::printf("  %s %s %s  上次同步 last sync %s%s\n      sent %s; received %s\n",
                  p.contains("upstream") ? "上级 upstream" : "下级 child   ",
                  TextOf(p, "unit").c_str(),
                  Bool(p, "connected") ? "已连接 connected" : "未连接 not connected",
                  last == "null" || last.empty() ? "尚无 never" : last.c_str(),
                  protocol == 0 ? "" : ("  协议 protocol v" + std::to_string(protocol)).c_str(),
                  classes(p, "bytes_sent").c_str(), classes(p, "bytes_received").c_str());
    }
  }
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

namespace {

// When the node serves an admin web: its self-signed certificate in the data directory (kept
// when both files exist), and the fingerprint for the person to compare in the browser.
Status MakeWebCertificate(const DataDir& data, const DaemonConfig& config) {
  if (!config.web) return Status::Ok();
  std::error_code ec;
  const std::string cert = data.web_certificate_path().string();
  if (!fs::exists(data.web_certificate_path(), ec) || !fs::exists(data.web_key_path(), ec)) {
    const std::string key = data.web_key_path().string();
    FULEI_RETURN_IF_ERROR(web::MakeSelfSignedCertificate(cert, key, config.node.unit, 3650));
  }
  FULEI_ASSIGN_OR_RETURN(std::string fingerprint, web::CertificateFingerprint(cert));
  std::printf("管理网页证书指纹 / admin web certificate fingerprint (SHA-256): %s\n",
              fingerprint.c_str());
  return Status::Ok();
}

}  // namespace

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
  const bool existing_root = !o.root_key.empty();
  if (existing_root && !o.root_key_out.empty()) {
    return Fail(kExitUsage, "--root-key and --root-key-out exclude each other");
  }
  const fs::path root_path = existing_root            ? fs::path(o.root_key)
                             : o.root_key_out.empty() ? data.root_key()
                                                      : fs::path(o.root_key_out);
  std::error_code ec;
  crypto::SystemRandom random;
  crypto::SecretString pass;
  if (!existing_root) {
    if (fs::exists(root_path, ec)) return Fail(kExitBusy, root_path.string() + " already exists");
    auto read =
        ReadPassphrase("设置网络根密钥口令 / new passphrase for the network root key: ", true);
    if (!read.ok()) return Fail(kExitUsage, read.status().message());
    pass = std::move(*read);
  }
  // A replacement city in an existing network: the existing root key certifies the new city.
  auto unlocked = existing_root ? UnlockRootKey(data, o.root_key)
                                : Result<crypto::SigningKey>(crypto::SigningKey::Generate(random));
  if (!unlocked.ok()) return Fail(unlocked.status());
  crypto::SigningKey root = std::move(*unlocked);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  const uint64_t now = WallMs();
  auto cert = crypto::CertifyNode(identity, crypto::Role::kCity, o.unit, now - 86'400'000,
                                  now + static_cast<uint64_t>(o.validity_days) * 86'400'000, root,
                                  /*can_issue=*/true);
  if (!cert.ok()) return Fail(cert.status());
  Status made = data.Create(identity, {*cert}, root.public_key(), ConfigText(config), random);
  if (!made.ok()) return Fail(made);
  Status saved = existing_root
                     ? Status::Ok()
                     : crypto::SaveRootKey(root_path, root,
                                           crypto::KeyProtection::Passphrase(pass.view()), random);
  if (!saved.ok()) {
    for (const char* f :
         {"fulei.toml", "node.key", "node.kek", "data.keys", "node.chain", "network.root"}) {
      fs::remove(data.dir() / f, ec);
    }
    return Fail(saved);
  }
  if (Status web = MakeWebCertificate(data, config); !web.ok()) {
    return Fail(ExitCodeOf(web), "管理网页证书 / admin web certificate: " + web.message());
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
  if (Status web = MakeWebCertificate(data, config); !web.ok()) {
    return Fail(ExitCodeOf(web), "管理网页证书 / admin web certificate: " + web.message());
  }
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

namespace {

// Progress of long work on a terminal (stderr), every whole percent; nothing otherwise.
BackupProgress TerminalProgress(const char* what) {
  if (!::isatty(STDERR_FILENO)) return {};
  return [what, last = -1](uint64_t done, uint64_t total) mutable {
    const int pct = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (pct == last) return;
    last = pct;
    std::fprintf(stderr, "\r%s %3d%% (%s)%s", what, pct, Bytes(done).c_str(),
                 pct == 100 ? "\n" : "");
  };
}

std::string CompactUtc(uint64_t ms) {
  std::string t = UtcText(ms);  // 2026-12-06T11:24:16Z
  std::erase(t, '-');
  std::erase(t, ':');
  return t;  // 20261206T112416Z
}

}  // namespace

int RunBackup(const BackupOptions& o) {
  DataDir data(o.dir);
  if (!data.initialised()) return Fail(kExitNoNode, o.dir + " holds no node");
  std::error_code ec;
  if (fs::exists(o.out, ec)) return Fail(kExitUsage, "--out: " + o.out + " already exists");
  auto files = data.Load();
  if (!files.ok()) return Fail(files.status());
  auto pass = ReadPassphrase("备份口令 / passphrase for this backup: ", true);
  if (!pass.ok()) return Fail(kExitUsage, pass.status().message());
  bool daemon = false;
  auto answer = Operate(o.dir, json::object{{"op", "backup"}}, &daemon);
  if (!answer.ok()) return Fail(answer.status());
  if (!Bool(*answer, "ok")) return FailAnswer(*answer);
  const fs::path copy_dir = TextOf(*answer, "dir");
  BackupManifest manifest{TextOf(*answer, "unit"), TextOf(*answer, "node"),
                          U64(*answer, "created_ms"), 0};
  crypto::SystemRandom random;
  auto written = WriteBackup(o.out, TextOf(*answer, "path"), files->ring, manifest, pass->view(),
                             random, TerminalProgress("备份 backup"));
  fs::remove_all(copy_dir, ec);
  if (!written.ok()) return Fail(written.status());
  std::printf("已备份 backed up %s (%s) to %s, %s%s\n", manifest.unit.c_str(),
              manifest.node.c_str(), o.out.c_str(), Bytes(*written).c_str(),
              daemon ? " (热备份 hot: the node kept running)" : "");
  return kExitOk;
}

int RunRestore(const RestoreOptions& o) {
  DataDir data(o.dir);
  if (!data.initialised()) {
    return Fail(kExitNoNode, o.dir +
                                 " 中没有节点 / holds no node: enrol a new node for the unit first "
                                 "(fulei join; the city: fulei init --root-key), then restore "
                                 "into it");
  }
  auto lock = DirLock::Acquire(data);
  if (!lock.ok()) {
    return Fail(kExitBusy, "先停止守护进程 / stop the daemon first (systemctl stop fulei): " +
                               lock.status().message());
  }
  auto config = LoadConfig(data.config(), data.store());
  if (!config.ok()) return Fail(kExitConfig, config.status().message());
  auto files = data.Load();
  if (!files.ok()) return Fail(files.status());
  const crdt::NodeId self = files->identity.node_id();
  auto pass = ReadPassphrase("备份口令 / the backup's passphrase: ", false);
  if (!pass.ok()) return Fail(kExitUsage, pass.status().message());
  auto bad_backup = [&](const Status& s) {
    return Fail(s.code() == StatusCode::kIoError || s.code() == StatusCode::kNotFound
                    ? kExitFailure
                    : kExitBadBackup,
                "不能读取备份 / cannot read the backup: " + s.message());
  };

  // The head first: is this backup for this node at all?
  auto head = ReadBackupHead(o.from, pass->view());
  if (!head.ok()) return bad_backup(head.status());
  if (head->manifest.unit != config->node.unit) {
    return Fail(kExitRefused, "备份属于 " + head->manifest.unit + "，本节点是 " +
                                  config->node.unit + " / the backup is of unit " +
                                  head->manifest.unit + ", this node is " + config->node.unit);
  }
  if (head->manifest.node == sync::NodeHex(self)) {
    return Fail(kExitRefused,
                "备份来自本节点 / the backup was made by this very node: restoring it here would "
                "number this node's writes again from the backup's (its peers hold the later "
                "ones and would refuse them). Enrol a new node for the unit (fulei invite / fulei "
                "join) and restore into it (docs/operations.md)");
  }

  // The node must not have written anything yet: its next op would be numbered 1 again in the
  // restored store, while its peers may already hold an op 1 of it (equivocation). A node whose
  // store cannot be read may have; it is refused too.
  store::StoreOptions so;
  so.initial_map_bytes = config->node.initial_map_bytes;
  so.reserve_bytes = 0;
  {
    DataKeySealer sealer(std::move(files->ring));
    so.sealer = &sealer;
    so.node_id = self;
    std::error_code none;
    uint64_t own = 0;
    if (fs::exists(data.store() / "data.mdb", none)) {  // else: enrolled and never run
      auto current = store::Store::Open(data.store().string(), so);
      if (!current.ok()) {
        return Fail(kExitFailure, "cannot read this node's store (" + current.status().message() +
                                      "): enrol a fresh node and restore into it");
      }
      auto scopes = (*current)->Scopes();
      if (!scopes.ok()) return Fail(scopes.status());
      for (const std::string& scope : *scopes) {
        auto vv = (*current)->GetVersionVector(scope);
        if (!vv.ok()) return Fail(vv.status());
        if (vv->count(self)) own += vv->at(self);
      }
    }
    if (own > 0) {
      return Fail(kExitRefused,
                  "本节点已写入 " + std::to_string(own) +
                      " 条记录变更，不能再恢复 / this node has already written " +
                      std::to_string(own) +
                      " ops of its own: restored, it would number its writes again. Enrol a "
                      "fresh node (fulei join) and restore into it before it first runs");
    }
  }

  // The store copy, checked, into a directory beside the live one.
  const fs::path staging = data.dir() / "store.restoring";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directory(staging, ec);
  if (ec) return Fail(kExitFailure, "cannot create " + staging.string() + ": " + ec.message());
  fs::permissions(staging, fs::perms::owner_all, ec);
  auto opened =
      ReadBackup(o.from, pass->view(), staging / "data.mdb", TerminalProgress("恢复 restore"));
  if (!opened.ok()) {
    fs::remove_all(staging, ec);
    return bad_backup(opened.status());
  }
  crypto::SystemRandom random;
  auto ring_copy = opened->ring.Wrap(crypto::KeyProtection::None(), random);
  if (!ring_copy.ok()) return Fail(ring_copy.status());
  uint64_t held_ops = 0;
  {
    DataKeySealer sealer(std::move(opened->ring));
    so.sealer = &sealer;
    so.node_id = 0;  // the old node's store, until adopted
    auto restored = store::Store::Open(staging.string(), so);
    Status adopted = restored.ok() ? Status::Ok() : restored.status();
    if (adopted.ok()) {
      auto report = (*restored)->CheckIntegrity();
      if (!report.ok()) {
        adopted = report.status();
      } else if (!report->ok()) {
        adopted = Corruption("the restored store has faults: " + report->problems.front());
      }
    }
    if (adopted.ok()) adopted = (*restored)->Adopt(self);
    if (adopted.ok()) {
      adopted = (*restored)
                    ->AppendAudit(std::vector<std::string>{
                        "restored from the backup of node " + head->manifest.node + " taken " +
                        UtcText(head->manifest.created_ms) + " into node " + sync::NodeHex(self)})
                    .status();
    }
    if (adopted.ok()) {
      auto scopes = (*restored)->Scopes();
      for (const std::string& scope : scopes.ok() ? *scopes : std::vector<std::string>{}) {
        auto vv = (*restored)->GetVersionVector(scope);
        if (!vv.ok()) continue;
        for (const auto& [origin, seq] : *vv) held_ops += seq;
      }
    }
    if (!adopted.ok()) {
      if (restored.ok()) restored->reset();  // closed before its files go
      fs::remove_all(staging, ec);
      return Fail(kExitBadBackup,
                  "恢复的存储有问题 / the restored store is unsound: " + adopted.message());
    }
  }

  // Swap: the replaced store and key ring are kept beside, then the restored ones take their
  // place. (The ring first: a store never opens without the keys that sealed it.)
  const std::string stamp = CompactUtc(WallMs());
  const fs::path old_store = data.dir() / ("store.before-restore-" + stamp);
  const fs::path old_keys = data.dir() / ("data.keys.before-restore-" + stamp);
  fs::copy_file(data.dir() / crypto::kDataKeysFileName, old_keys, ec);
  if (ec) return Fail(kExitFailure, "cannot keep " + old_keys.string() + ": " + ec.message());
  auto ring = crypto::KeyRing::Unwrap(ring_copy->view(), crypto::KeyProtection::None());
  if (!ring.ok()) return Fail(ring.status());
  const bool had_store = fs::exists(data.store(), ec);
  if (had_store) fs::rename(data.store(), old_store, ec);
  if (ec) return Fail(kExitFailure, "cannot move the old store aside: " + ec.message());
  Status saved = data.SaveRing(*ring, random);
  if (saved.ok()) fs::rename(staging, data.store(), ec);
  if (!saved.ok() || ec) {
    // Put back what was there: the node keeps the store and keys it had.
    std::error_code ignored;
    fs::copy_file(old_keys, data.dir() / crypto::kDataKeysFileName,
                  fs::copy_options::overwrite_existing, ignored);
    if (had_store) fs::rename(old_store, data.store(), ignored);
    return Fail(kExitFailure, "cannot put the restored store in place: " +
                                  (saved.ok() ? ec.message() : saved.message()));
  }
  std::printf(
      "已恢复 restored the backup of %s (node %s, taken %s): %llu ops\n"
      "  本节点 this node  %s\n",
      head->manifest.unit.c_str(), head->manifest.node.c_str(),
      UtcText(head->manifest.created_ms).c_str(), static_cast<unsigned long long>(held_ops),
      sync::NodeHex(self).c_str());
  if (had_store) {
    std::printf("  原存储 the store it replaced is kept as %s (delete it once the node runs)\n",
                old_store.string().c_str());
  }
  std::printf(
      "下一步 next: fulei check --dir %s, then fulei run (systemctl start fulei): it sends on\n"
      "  what never reached its upstream and catches up by sync.\n",
      o.dir.c_str());
  return kExitOk;
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

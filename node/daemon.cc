#include "node/daemon.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "crypto/random.h"
#include "node/config.h"
#include "node/control.h"
#include "node/core/data_key_sealer.h"
#include "node/data_dir.h"
#include "node/enrolment.h"
#include "node/log.h"
#include "node/node.h"
#include "node/operations.h"
#include "node/web.h"
#include "sync/receipts.h"

namespace fulei::node {
namespace asio = boost::asio;
namespace json = boost::json;
namespace {

// The copy of a hot backup (Store::Backup, thread-safe), run on the daemon's worker thread. A
// function, not a lambda: its arguments live in its coroutine frame, where a lambda's captures
// would live in a closure gone by the time it runs.
asio::awaitable<Status> CopyStore(store::Store* store, std::string dir) {
  co_return store->Backup(dir);
}

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string RandomHex(crypto::Random& random) {
  uint64_t v = 0;
  random.Fill(reinterpret_cast<uint8_t*>(&v), sizeof v);
  return sync::NodeHex(v == 0 ? 1 : v);
}

// Systemd's watchdog: WATCHDOG=1 at half the interval systemd asked for.
void KeepWatchdog(asio::steady_timer& timer, std::chrono::microseconds every) {
  timer.expires_after(every);
  timer.async_wait([&timer, every](const boost::system::error_code& ec) {
    if (ec) return;
    sd_notify(0, "WATCHDOG=1");
    KeepWatchdog(timer, every);
  });
}

std::string Describe(const NodeConfig& c) {
  std::string s = "unit=" + c.unit;
  if (c.listen) s += " listen=" + FormatEndpoint(*c.listen);
  for (const Upstream& up : c.upstreams) {
    s += " upstream=" + (up.unit.empty() ? std::string("(parent)") : up.unit);
    for (const Endpoint& e : up.endpoints) s += "@" + FormatEndpoint(e);
  }
  return s;
}

}  // namespace

int ExitCodeOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
      return kExitRefused;
    default:
      return kExitFailure;
  }
}

int ExitCodeOf(const json::object& answer) {
  auto ok = answer.find("ok");
  if (ok != answer.end() && ok->value().is_bool() && ok->value().as_bool()) return kExitOk;
  auto code = answer.find("code");
  const std::string c = code != answer.end() && code->value().is_string()
                            ? std::string(code->value().as_string())
                            : std::string();
  if (c == "NotFound") return kExitNotFound;
  if (c == "InvalidArgument" || c == "PermissionDenied") return kExitRefused;
  return kExitFailure;
}

int RunDaemon(const std::filesystem::path& dir) {
  const uint64_t started = WallMs();
  const auto t0 = std::chrono::steady_clock::now();
  (void)InitLogging("info");
  DataDir data(dir);
  if (!data.initialised()) {
    spdlog::error("{} 中没有节点 / holds no node: run `fulei init` or `fulei join` first",
                  dir.string());
    return kExitNoNode;
  }
  // A command without a daemon holds the lock for a moment (one request): wait for it, but
  // not for another daemon.
  std::optional<DirLock> lock;
  for (int i = 0; !lock; ++i) {
    auto attempt = DirLock::Acquire(data);
    if (attempt.ok()) {
      lock.emplace(std::move(*attempt));
    } else if (i == 100 || attempt.status().code() != StatusCode::kFailedPrecondition) {
      spdlog::error("{}", attempt.status().message());
      return kExitBusy;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  auto config = LoadConfig(data.config(), data.store());
  if (!config.ok()) {
    spdlog::error("配置错误 / config: {}", config.status().message());
    return kExitConfig;
  }
  (void)SetLogLevel(config->log_level);
  auto files = data.Load();
  if (!files.ok()) {
    spdlog::error("{}", files.status().ToString());
    return files.status().code() == StatusCode::kNotFound ? kExitNoNode : kExitFailure;
  }
  if (files->chain.front().org_unit != config->node.unit) {
    spdlog::error("{}: node.unit: \"{}\" is not the unit of this node's certificate (\"{}\")",
                  data.config().string(), config->node.unit, files->chain.front().org_unit);
    return kExitConfig;
  }
  crypto::SystemRandom random;
  DataKeySealer sealer(std::move(files->ring));
  std::unique_ptr<EnrolmentDesk> desk;
  if (RoleOfUnit(config->node.unit) != crypto::Role::kVillage) {
    auto again = data.Load();  // the desk keeps its own copy of the node's keys
    if (!again.ok()) {
      spdlog::error("{}", again.status().ToString());
      return kExitFailure;
    }
    auto opened = EnrolmentDesk::Open(data.ledger(), std::move(again->identity), again->chain,
                                      again->root, random);
    if (!opened.ok()) {
      spdlog::error("token ledger: {}", opened.status().ToString());
      return kExitFailure;
    }
    desk = std::move(*opened);
  }

  NodeConfig nc = config->node;
  nc.sealer = &sealer;
  nc.log = [](std::string_view line) { spdlog::info("{}", line); };
  if (desk) {
    nc.enrol = [d = desk.get()](std::string_view request, const crypto::Channel& channel,
                                uint64_t now_ms) {
      std::string answer = d->Answer(request, channel, now_ms);
      spdlog::info("enrolment: {}", answer.empty() || answer[0] == '\0'
                                        ? "certificate issued"
                                        : "refused: " + answer.substr(1));
      return answer;
    };
  }
  asio::io_context io;
  auto node = Node::Start(io, nc, std::move(files->identity), files->chain, files->root);
  if (!node.ok()) {
    spdlog::error("cannot start: {}", node.status().ToString());
    return kExitFailure;
  }
  Node& n = **node;

  // Long work the control socket asks for (a backup's copy) runs here, off the event loop, so
  // that sync and urgent reports never wait on it. Declared after the node: destroyed (joined)
  // first, so no copy outlives the store.
  asio::thread_pool worker(1);
  auto control = ControlServer::Start(
      io, data.control_socket(), [&](json::object request) -> asio::awaitable<json::object> {
        OperationContext ctx;
        ctx.core = &n.core();
        ctx.write_as = [&n](const programme::Viewer& who,
                            const std::vector<store::LocalChange>& changes,
                            const std::vector<std::string>& outboxes) {
          return n.WriteAs(who, changes, outboxes);
        };
        ctx.publish_revocations = [&n](std::string_view list) {
          return n.PublishRevocations(list);
        };
        ctx.wall_ms = WallMs();
        ctx.desk = desk.get();
        ctx.config = &nc;
        ctx.data_dir = data.dir().string();
        ctx.daemon = true;
        ctx.started_ms = started;
        ctx.listen_port = n.listen_port();
        ctx.random_id_hex = RandomHex(random);
        json::object answer;
        if (auto it = request.find("op"); it != request.end() && it->value() == "backup") {
          const std::string copy_dir = BackupDirectory(ctx);
          store::Store& store = n.core().store();
          const Status copied =
              co_await asio::co_spawn(worker, CopyStore(&store, copy_dir), asio::use_awaitable);
          answer = FinishBackup(copy_dir, copied, ctx);
        } else {
          answer = HandleOperation(request, ctx);
        }
        auto op = request.find("op");
        spdlog::info("control: {} {}",
                     op != request.end() && op->value().is_string()
                         ? std::string(op->value().as_string())
                         : std::string("?"),
                     answer["ok"].is_bool() && answer["ok"].as_bool()
                         ? std::string("ok")
                         : "refused: " + std::string(answer["code"].is_string()
                                                         ? answer["code"].as_string().c_str()
                                                         : ""));
        co_return answer;
      });
  if (!control.ok()) {
    spdlog::error("{}", control.status().ToString());
    return kExitFailure;
  }

  // The admin web ([web] listen), on the same loop.
  std::unique_ptr<WebServer> web;
  if (config->web) {
    auto started_web = WebServer::Start(io, n, *config, data.dir());
    if (!started_web.ok()) {
      spdlog::error("管理网页无法启动 / admin web: {}", started_web.status().ToString());
      return kExitConfig;
    }
    web = std::move(*started_web);
    spdlog::info("admin web: {}://{}:{}", web->tls() ? "https" : "http", config->web->address,
                 web->port());
  }

  bool stopping = false;
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          auto reread = LoadConfig(data.config(), data.store());
          if (!reread.ok()) {
            spdlog::error("SIGHUP: config not reloaded: {}", reread.status().message());
          } else {
            Status lv = SetLogLevel(reread->log_level);
            if (!lv.ok()) spdlog::warn("SIGHUP: {}", lv.message());
            spdlog::info("SIGHUP: config reloaded (log level {}); other changes need a restart",
                         reread->log_level);
          }
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("signal {}: stopping", sig);
        stopping = true;
        sd_notify(0, "STOPPING=1");
        io.stop();
      };
  signals.async_wait(on_signal);

  asio::steady_timer watchdog(io);
  uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
    KeepWatchdog(watchdog, std::chrono::microseconds(watchdog_usec / 2));
  }
  const auto ready_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  spdlog::info("ready in {} ms: node {} {}{}", ready_ms, sync::NodeHex(n.node_id()), Describe(nc),
               n.listen_port() ? " port=" + std::to_string(n.listen_port()) : std::string());
  sd_notify(0, "READY=1\nSTATUS=running");

  while (!stopping) {
    io.run();
    if (!stopping) io.restart();
  }
  // Stop: no more control requests, then close every session (Node::Stop runs the loop itself).
  control->reset();
  if (web) web->Stop();
  watchdog.cancel();
  boost::system::error_code ec;
  signals.cancel(ec);
  io.restart();
  Status stopped = n.Stop();
  if (!stopped.ok()) spdlog::warn("stop: {}", stopped.message());
  worker.join();  // a backup's copy still running ends before the store closes
  web.reset();
  node->reset();
  spdlog::info("stopped");
  return kExitOk;
}

Result<json::object> Operate(const std::filesystem::path& dir, const json::object& request,
                             bool* through_daemon) {
  DataDir data(dir);
  *through_daemon = false;
  if (!data.initialised()) {
    return NotFound(dir.string() + " 中没有节点 / holds no node: run `fulei init` or `fulei join`");
  }
  // No daemon answering: open the node here, holding the lock so that none starts meanwhile.
  // The lock held with no daemon answering is a daemon starting (its control socket comes
  // next) or another command (one request): ask again for up to 10 s.
  std::optional<DirLock> lock;
  for (int i = 0; !lock; ++i) {
    auto answer = CallDaemon(data.control_socket(), request);
    if (answer.ok()) {
      *through_daemon = true;
      return answer;
    }
    if (answer.status().code() != StatusCode::kUnavailable) return answer.status();
    auto attempt = DirLock::Acquire(data);
    if (attempt.ok()) {
      lock.emplace(std::move(*attempt));
    } else if (i == 100 || attempt.status().code() != StatusCode::kFailedPrecondition) {
      return attempt.status();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  FULEI_ASSIGN_OR_RETURN(DaemonConfig config, LoadConfig(data.config(), data.store()));
  FULEI_ASSIGN_OR_RETURN(DataDir::Files files, data.Load());
  crypto::SystemRandom random;
  DataKeySealer sealer(std::move(files.ring));
  std::unique_ptr<EnrolmentDesk> desk;
  if (RoleOfUnit(config.node.unit) != crypto::Role::kVillage) {
    FULEI_ASSIGN_OR_RETURN(DataDir::Files again, data.Load());
    FULEI_ASSIGN_OR_RETURN(desk, EnrolmentDesk::Open(data.ledger(), std::move(again.identity),
                                                     again.chain, again.root, random));
  }
  CoreConfig cc;
  cc.unit = config.node.unit;
  cc.data_dir = config.node.data_dir;
  for (const Upstream& up : config.node.upstreams) cc.upstream_units.push_back(up.unit);
  cc.sealer = &sealer;
  cc.initial_map_bytes = config.node.initial_map_bytes;
  cc.reserve_bytes = config.node.reserve_bytes;
  cc.escalate = false;  // a command never escalates; the daemon does
  const uint64_t wall = WallMs();
  FULEI_ASSIGN_OR_RETURN(std::unique_ptr<NodeCore> core,
                         NodeCore::Open(std::move(cc), std::move(files.identity), files.chain,
                                        files.root, random, wall));
  OperationContext ctx;
  ctx.core = core.get();
  ctx.write_as = [&](const programme::Viewer& who, const std::vector<store::LocalChange>& changes,
                     const std::vector<std::string>& outboxes) {
    return core->WriteAs(who, changes, outboxes, wall);
  };
  ctx.publish_revocations = [&](std::string_view list) {
    return core->PublishRevocations(list, wall);
  };
  ctx.wall_ms = wall;
  ctx.desk = desk.get();
  ctx.config = &config.node;
  ctx.data_dir = data.dir().string();
  ctx.random_id_hex = RandomHex(random);
  json::object out = HandleOperation(request, ctx);
  core->Stop();
  return out;
}

}  // namespace fulei::node

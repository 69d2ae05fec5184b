// Api: the admin web's JSON API under /api/v1 (docs/web-api.md), sans-I/O — a web::Request in,
// a web::Response out. The HTTP transport (http_server.h) carries requests to Handle() and its
// answers back; tests and the fuzz target call Handle() directly.
//
// One place decides every request: a session names the person (a user record, programme/
// users.h) and so their role and unit (programme::Viewer); reads go through programme::Reader
// and writes through the node's WriteAs (programme/write_policy.h), which refuse what the role
// may not see or do at that unit. The few decisions that are the API's own (who reads the audit
// log, who sees a unit's figures) are in Api::Allowed* and documented there. The UI only hides
// what this already refuses.
//
// Sessions live in memory (a restart logs everyone out): a random 256-bit token in the cookie
// `fulei_session` (HttpOnly, SameSite=Strict, Secure over TLS), a CSRF token every write must
// carry in `X-CSRF-Token`, an idle and an absolute expiry. Failed logins slow further attempts
// of the same login and of the same address (growing delays, 429 with Retry-After); an unknown
// login costs a password hash like a known one. Every login, every read of a child's (or any
// person's) record, every export and every change to a user goes to the store's audit log.
//
// Time and randomness come from ApiConfig (the node's reference time; libsodium's randombytes
// by default), never read here, so tests drive the clock.
//
// Threading: thread-compatible; the node's event loop makes every call. The store and the
// callbacks in ApiConfig must outlive the Api.
#ifndef FULEI_ADMIN_WEB_API_H_
#define FULEI_ADMIN_WEB_API_H_

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin-web/http_types.h"
#include "crdt/op.h"
#include "crdt/status.h"
#include "programme/redact.h"
#include "store/store.h"

namespace fulei::web {

// One peer of the node as the admin web shows it (node/core PeerStatus, converted by the node).
struct PeerInfo {
  std::string unit;
  std::string node;  // node id, hex
  bool upstream = false;
  bool connected = false;
  uint64_t last_synced_ms = 0;  // 0: never on the last connection
  uint32_t protocol = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
};

// What the node tells the admin web about itself: the metrics' figures.
struct NodeFigures {
  uint64_t ops_applied = 0;
  std::map<std::string, uint64_t> sync_bytes;  // by traffic class ("urgent", "normal", ...)
  uint64_t peers_up = 0;
  uint64_t store_bytes = 0;
};

struct ApiConfig {
  store::Store* store = nullptr;  // the node's store (required)
  std::string unit;               // the node's org unit
  std::string node_id;            // hex
  // The node's reference time in ms since the epoch (NodeCore::Now of the wall clock).
  std::function<uint64_t()> now_ms;
  // NodeCore::WriteAs at now, then the node's actions (required). `urgent`: the changes are
  // urgent (a report, an acknowledgement) and go to every upstream's outbox at once.
  std::function<Result<std::vector<crdt::Op>>(const programme::Viewer&,
                                              const std::vector<store::LocalChange>&, bool urgent)>
      write_as;
  // NodeCore::Write at now, then the node's actions: a write the API checked itself (a
  // transfer, whose redirect and moved copies are not records a person writes field by field:
  // programme/transfer.h). Unset: transfers are refused.
  std::function<Result<std::vector<crdt::Op>>(const std::vector<store::LocalChange>&)> write_system;
  // The node's peers now (empty when unset).
  std::function<std::vector<PeerInfo>()> peers;
  // Whether the node has upstreams at all (a city has none).
  bool upstream_configured = false;
  // Figures for /metrics (zeros when unset).
  std::function<NodeFigures()> figures;
  // Where exports are written before they are sent (and removed): inside the data directory.
  std::string scratch_dir;
  // Fills bytes with randomness (session tokens, record ids); libsodium's randombytes_buf when
  // unset.
  std::function<void(uint8_t*, size_t)> random;
  // Called for every event the API causes (a report filed or acknowledged, a record written);
  // the transport sends it to the event streams whose filter accepts its unit.
  std::function<void(const Event&)> publish;
  // Answers requests outside /api/, /healthz and /metrics (the embedded UI); 404 when unset.
  std::function<Response(const Request&)> static_files;
  // Session lifetimes.
  uint64_t session_idle_ms = 30 * 60 * 1000;
  uint64_t session_max_ms = 8 * 3600 * 1000;
  // Failed logins of one login (or one address) before attempts are slowed; the first delay,
  // doubling with each further failure, and the longest.
  int free_login_failures = 3;
  uint64_t first_login_delay_ms = 2000;
  uint64_t max_login_delay_ms = 5 * 60 * 1000;
};

class Api {
 public:
  // kInvalidArgument when config.store or config.write_as is missing.
  static Result<std::unique_ptr<Api>> Create(ApiConfig config);

  // Answers one request. Never throws; a request that does not parse is a 400.
  Response Handle(const Request& request);

  // The routes the API answers, as "METHOD /path/{param}" (for the OpenAPI check).
  static std::vector<std::string> Routes();

  // Opens a session for `viewer` (what a successful login does): the token of the cookie and
  // the CSRF token. Also for tests and the fuzz target, which skip the password hash.
  std::pair<std::string, std::string> OpenSession(const programme::Viewer& viewer,
                                                  std::string login, std::string name);

  // Live sessions (expired ones are dropped as requests come).
  size_t sessions() const { return sessions_.size(); }

  struct Session {
    std::string login;
    std::string name;
    programme::Viewer viewer;
    std::string csrf;
    uint64_t created_ms = 0;
    uint64_t last_ms = 0;
  };

  struct Throttle {
    int failures = 0;
    uint64_t until_ms = 0;  // no attempt before this
  };

  struct Call;  // one request being answered (api.cc)

 private:
  explicit Api(ApiConfig config);

  Response Route(Call& call);
  std::string RandomHex(size_t bytes);

  ApiConfig config_;
  std::string dummy_hash_;                                  // verified against for unknown logins
  std::map<std::string, Session, std::less<>> sessions_;    // by token
  std::map<std::string, Throttle, std::less<>> throttles_;  // by "login:" + login, "addr:" + peer
  std::map<int, uint64_t> requests_by_status_;
};

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_API_H_

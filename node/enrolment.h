// Enrolment over the network, both ends (the flow: crypto/join_token.h; the answer's format and
// the exit codes of `fulei join`: docs/cli.md#enrolment).
//
// EnrolmentDesk is the parent's side, kept by the daemon of a town or the city: it creates join
// tokens (`fulei invite`) in the node's token ledger (<data dir>/tokens.ledger, sealed under a
// key derived from the node's signing key) and answers the one request of a peer that completed
// the handshake without a certificate (NodeConfig::enrol). The node's own key certifies what
// lies below it (a town its villages; the city villages directly); a town invited by the city
// must be certified by the network's root key, as only the root may make an issuer
// (crypto/trust.h). The root key is then handed to the desk by `fulei invite` (after its
// passphrase) and held in memory only until the last such invitation expires.
//
// Join is the new node's side: it dials the upstream with no certificate, checks the upstream is
// the token's issuer, sends the request bound to the handshake, and checks the chain it gets.
//
// Threading: EnrolmentDesk is thread-compatible (the daemon's event loop). Join runs its own
// io_context and blocks until it has an answer or a failure.
#ifndef FULEI_NODE_ENROLMENT_H_
#define FULEI_NODE_ENROLMENT_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/join_token.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/signing.h"
#include "node/node.h"

namespace fulei::node {

inline constexpr char kLedgerFileName[] = "tokens.ledger";

// Why an enrolment was refused, as the answer carries it (one byte; docs/cli.md#enrolment).
enum class EnrolRefusal : uint8_t {
  kNone = 0,
  kUnknownToken = 1,  // the issuer has no such token (another issuer's, or a wiped ledger)
  kExpired = 2,
  kUsed = 3,
  kBadProof = 4,    // the token's secret or the key binding does not match (an edited token)
  kNotAllowed = 5,  // the issuer may not certify that unit or role (or lost the root key)
  kMalformed = 6,
  kInternal = 7,
};

// The role a unit's node has: "jinjiang" the city, "jinjiang/cizao" a town, deeper a village.
crypto::Role RoleOfUnit(std::string_view unit);

class EnrolmentDesk {
 public:
  // Opens (or starts) the ledger at `ledger_path` for the node of `identity` and `chain`
  // (leaf first) in the network of `root`. REQUIRES: random outlives the desk.
  static Result<std::unique_ptr<EnrolmentDesk>> Open(const std::filesystem::path& ledger_path,
                                                     crypto::NodeIdentity identity,
                                                     crypto::CertChain chain,
                                                     const crypto::SigningPublicKey& root,
                                                     crypto::Random& random);

  // A new token's text for `unit` (its role from its depth), valid `ttl_ms`. `root_key` is
  // needed (and then held until the token expires) when the node's own certificate may not make
  // the certificate wanted: a town at the city. Errors: kInvalidArgument (a bad unit or ttl),
  // kPermissionDenied (not below this node; a town without the root key; a root key that is
  // not the network's), the ledger's.
  Result<crypto::SecretString> Invite(std::string_view unit, uint64_t ttl_ms, uint64_t now_ms,
                                      std::optional<crypto::SigningKey> root_key);

  // Answers one enrolment request that arrived on `channel` (no peer certificate): the bytes to
  // send back, a chain or a refusal. Never throws away a token on a refused request.
  std::string Answer(std::string_view request, const crypto::Channel& channel, uint64_t now_ms);

  // Whether the root key is held in memory now (for `status`).
  bool holds_root_key(uint64_t now_ms) const { return root_key_ && now_ms <= root_until_ms_; }

 private:
  EnrolmentDesk(crypto::NodeIdentity identity, crypto::CertChain chain,
                const crypto::SigningPublicKey& root, crypto::FileTokenLedger ledger,
                crypto::Random& random);
  void ForgetRootKeyIfDue(uint64_t now_ms);

  crypto::NodeIdentity identity_;
  crypto::CertChain chain_;
  crypto::SigningPublicKey root_;
  crypto::FileTokenLedger ledger_;
  crypto::Random& random_;
  std::unique_ptr<crypto::Enroller> own_;
  std::optional<crypto::SigningKey> root_key_;
  std::unique_ptr<crypto::Enroller> root_enroller_;
  uint64_t root_until_ms_ = 0;
};

// What went wrong in a Join, each with its own exit code of `fulei join` (docs/cli.md).
enum class JoinFailure : uint8_t {
  kNone = 0,
  kMalformedToken = 10,  // not a token, or edited (its checksum fails)
  kExpired = 11,         // expired (seen locally, or by the issuer)
  kUsed = 12,            // used already
  kForeign = 13,         // of another network than the upstream's, or unknown to it
  kWrongUpstream = 14,   // the upstream is not the node that issued the token
  kUnreachable = 15,     // no connection, no answer in time
  kRefused = 16,         // refused for another reason (the message says which)
};

struct JoinOptions {
  std::vector<Endpoint> upstream;  // tried in turn
  std::chrono::milliseconds timeout{30'000};
  net::LinkConfig link;
};

// Enrols `identity` with the token's issuer at `options.upstream`: the certificate chain it
// issued, checked (crypto::AcceptEnrolmentResponse). On failure, *failure says which kind.
Result<crypto::CertChain> Join(const crypto::JoinToken& token, const crypto::NodeIdentity& identity,
                               const JoinOptions& options, uint64_t now_ms, JoinFailure* failure);

}  // namespace fulei::node

#endif  // FULEI_NODE_ENROLMENT_H_

#include "node/enrolment.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <utility>

#include "crdt/org_unit.h"
#include "crypto/trust.h"
#include "net/dialer.h"
#include "net/link.h"

namespace fulei::node {
namespace {

namespace asio = boost::asio;

// The answer: one byte, 0 then the encoded chain, or an EnrolRefusal then the reason (UTF-8).
std::string Refuse(EnrolRefusal why, std::string_view message) {
  std::string out(1, static_cast<char>(why));
  out.append(message);
  return out;
}

EnrolRefusal RefusalOf(const Status& s) {
  const std::string_view m = s.message();
  if (s.code() == StatusCode::kInvalidArgument) return EnrolRefusal::kMalformed;
  if (s.code() == StatusCode::kUnauthenticated) return EnrolRefusal::kBadProof;
  if (m.find("unknown token") != std::string_view::npos) return EnrolRefusal::kUnknownToken;
  if (m.find("expired") != std::string_view::npos) return EnrolRefusal::kExpired;
  if (m.find("already used") != std::string_view::npos) return EnrolRefusal::kUsed;
  if (s.code() == StatusCode::kPermissionDenied) return EnrolRefusal::kNotAllowed;
  return EnrolRefusal::kInternal;
}

}  // namespace

crypto::Role RoleOfUnit(std::string_view unit) {
  const size_t slashes = static_cast<size_t>(std::count(unit.begin(), unit.end(), '/'));
  if (slashes == 0) return crypto::Role::kCity;
  if (slashes == 1) return crypto::Role::kTown;
  return crypto::Role::kVillage;
}

EnrolmentDesk::EnrolmentDesk(crypto::NodeIdentity identity, crypto::CertChain chain,
                             const crypto::SigningPublicKey& root, crypto::FileTokenLedger ledger,
                             crypto::Random& random)
    : identity_(std::move(identity)),
      chain_(std::move(chain)),
      root_(root),
      ledger_(std::move(ledger)),
      random_(random) {
  own_ = std::make_unique<crypto::Enroller>(identity_.signing_key(), chain_, root_, ledger_);
}

Result<std::unique_ptr<EnrolmentDesk>> EnrolmentDesk::Open(const std::filesystem::path& ledger_path,
                                                           crypto::NodeIdentity identity,
                                                           crypto::CertChain chain,
                                                           const crypto::SigningPublicKey& root,
                                                           crypto::Random& random) {
  if (chain.empty()) return InvalidArgument("enrolment desk: no certificate chain");
  crypto::Secret<32> key = crypto::TokenLedgerKey(identity.signing_key());
  FULEI_ASSIGN_OR_RETURN(crypto::FileTokenLedger ledger,
                         crypto::FileTokenLedger::Open(ledger_path, key, random));
  return std::unique_ptr<EnrolmentDesk>(
      new EnrolmentDesk(std::move(identity), std::move(chain), root, std::move(ledger), random));
}

void EnrolmentDesk::ForgetRootKeyIfDue(uint64_t now_ms) {
  if (root_key_ && now_ms > root_until_ms_) {
    root_enroller_.reset();
    root_key_.reset();  // wipes the seed (crypto::Secret)
  }
}

Result<crypto::SecretString> EnrolmentDesk::Invite(std::string_view unit, uint64_t ttl_ms,
                                                   uint64_t now_ms,
                                                   std::optional<crypto::SigningKey> root_key) {
  ForgetRootKeyIfDue(now_ms);
  FULEI_RETURN_IF_ERROR(crypto::ValidateOrgUnit(unit));
  const crypto::Certificate& own = chain_.front();
  if (!crdt::IsBelow(unit, own.org_unit)) {
    return PermissionDenied("只能邀请本单位的下级单位 / " + std::string(unit) + " is not below " +
                            own.org_unit);
  }
  const crypto::Role role = RoleOfUnit(unit);
  // Only the root may make an issuer: a town below the city needs the root key.
  const bool needs_root = role == crypto::Role::kTown && own.role == crypto::Role::kCity;
  if (!needs_root) {
    return own_->CreateToken(unit, role, now_ms, ttl_ms, random_);
  }
  if (!root_key) {
    return PermissionDenied(
        "邀请镇（街道）节点需要网络根密钥 / inviting a town needs the network's root key "
        "(its passphrase)");
  }
  if (root_key->public_key() != root_) {
    return PermissionDenied("根密钥不属于本网络 / the root key is not this network's");
  }
  root_key_ = std::move(root_key);
  root_enroller_ =
      std::make_unique<crypto::Enroller>(*root_key_, crypto::CertChain{}, root_, ledger_,
                                         crypto::EnrolmentPolicy{}, identity_.node_id());
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString token,
                         root_enroller_->CreateToken(unit, role, now_ms, ttl_ms, random_));
  root_until_ms_ = std::max(root_until_ms_, now_ms + ttl_ms);
  return token;
}

std::string EnrolmentDesk::Answer(std::string_view request, const crypto::Channel& channel,
                                  uint64_t now_ms) {
  ForgetRootKeyIfDue(now_ms);
  auto id = crypto::EnrolmentRequestTokenId(request);
  if (!id.ok()) return Refuse(EnrolRefusal::kMalformed, "malformed enrolment request");
  auto record = ledger_.Get(*id);
  if (!record.ok()) return Refuse(EnrolRefusal::kUnknownToken, "unknown token");
  crypto::Enroller* enroller = own_.get();
  if (record->role == crypto::Role::kTown && chain_.front().role == crypto::Role::kCity) {
    if (!root_enroller_) {
      return Refuse(
          now_ms > record->expires_ms ? EnrolRefusal::kExpired : EnrolRefusal::kNotAllowed,
          "the city no longer holds the root key for this invitation: invite again");
    }
    enroller = root_enroller_.get();
  }
  auto chain =
      enroller->HandleRequest(request, channel.handshake_hash(), channel.peer_static_key(), now_ms);
  if (!chain.ok()) return Refuse(RefusalOf(chain.status()), chain.status().message());
  return std::string(1, '\0') + *chain;
}

namespace {

// The new node's end of one enrolment link.
class JoinHandler final : public net::LinkHandler {
 public:
  JoinHandler(const crypto::JoinToken& token, const crypto::NodeIdentity& identity, uint64_t now_ms)
      : token_(token), identity_(identity), now_ms_(now_ms) {}

  void OnEstablished(const std::shared_ptr<net::Link>& link) override {
    established_ = true;
    Status peer = crypto::CheckEnrolmentPeer(link->peer_certificate(), token_);
    if (!peer.ok()) {
      Fail(JoinFailure::kWrongUpstream, peer);
      return link->Close(peer);
    }
    Status sent = link->Send(
        sync::Priority::kControl, 0,
        crypto::MakeEnrolmentRequest(token_, identity_, link->channel().handshake_hash()));
    if (!sent.ok()) {
      Fail(JoinFailure::kUnreachable, sent);
      link->Close(sent);
    }
  }

  void OnMessage(net::Link& link, net::LinkMessage message) override {
    const std::string& body = message.body;
    if (body.empty()) {
      Fail(JoinFailure::kRefused, Corruption("empty enrolment answer"));
    } else if (body[0] == '\0') {
      // The chain is checked at the later of this node's clock and the issuer's not_before: a
      // Pi without a real-time clock may boot years behind, and the issuer, reached over the
      // channel the token pinned, is the better clock (docs/protocol.md, "Clocks").
      const std::string_view bytes = std::string_view(body).substr(1);
      uint64_t at = now_ms_;
      if (auto peek = crypto::DecodeChain(bytes); peek.ok() && !peek->empty()) {
        at = std::max(at, peek->front().not_before_ms);
      }
      auto chain = crypto::AcceptEnrolmentResponse(bytes, token_, identity_, at);
      if (chain.ok()) {
        chain_ = std::move(*chain);
        done_ = true;
      } else {
        Fail(JoinFailure::kRefused, chain.status());
      }
    } else {
      const auto why = static_cast<EnrolRefusal>(body[0]);
      const std::string text = body.substr(1);
      switch (why) {
        case EnrolRefusal::kExpired:
          Fail(JoinFailure::kExpired, PermissionDenied(text));
          break;
        case EnrolRefusal::kUsed:
          Fail(JoinFailure::kUsed, PermissionDenied(text));
          break;
        case EnrolRefusal::kUnknownToken:
          Fail(JoinFailure::kForeign, PermissionDenied(text));
          break;
        case EnrolRefusal::kBadProof:
          Fail(JoinFailure::kMalformedToken, Unauthenticated(text));
          break;
        default:
          Fail(JoinFailure::kRefused, PermissionDenied(text));
      }
    }
    link.Close(Aborted("enrolment done"));
  }

  void OnClosed(net::Link&, const Status& reason) override {
    closed_ = true;
    if (done_ || failure_ != JoinFailure::kNone) return;
    const bool ended = reason.message().find("stream ended") != std::string_view::npos;
    if (!established_ && !ended &&
        (reason.code() == StatusCode::kCorruption ||
         reason.code() == StatusCode::kUnauthenticated)) {
      // The handshake's prologue binds the root key: another network's node cannot complete it.
      Fail(JoinFailure::kForeign, reason);
    } else {
      Fail(JoinFailure::kUnreachable, reason);
    }
  }

  void Fail(JoinFailure f, Status why) {
    if (failure_ != JoinFailure::kNone || done_) return;
    failure_ = f;
    why_ = std::move(why);
  }

  const crypto::JoinToken& token_;
  const crypto::NodeIdentity& identity_;
  uint64_t now_ms_;
  bool established_ = false, done_ = false, closed_ = false;
  JoinFailure failure_ = JoinFailure::kNone;
  Status why_;
  crypto::CertChain chain_;
};

}  // namespace

Result<crypto::CertChain> Join(const crypto::JoinToken& token, const crypto::NodeIdentity& identity,
                               const JoinOptions& options, uint64_t now_ms, JoinFailure* failure) {
  *failure = JoinFailure::kNone;
  if (now_ms > token.expires_ms) {
    *failure = JoinFailure::kExpired;
    return PermissionDenied("邀请码已过期 / the join token has expired");
  }
  std::vector<net::Tcp::endpoint> endpoints;
  for (const Endpoint& e : options.upstream) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(e.address, ec);
    if (ec) return InvalidArgument("bad address '" + e.address + "': " + ec.message());
    endpoints.emplace_back(address, e.port);
  }
  if (endpoints.empty()) return InvalidArgument("no upstream address");

  crypto::SystemRandom random;
  crypto::TrustStore trust(token.root_key);
  asio::io_context io;
  auto handler = std::make_shared<JoinHandler>(token, identity, now_ms);
  net::DialOnceConfig dc;
  dc.link = options.link;
  dc.link.log = [](std::string_view) {};  // the failure is reported below, once
  dc.connect_timeout = options.timeout;
  auto channels = [&](bool) -> Result<crypto::Channel> {
    crypto::ChannelConfig cc;
    cc.static_key = identity.dh_key().Clone();
    cc.trust = &trust;
    cc.now_ms = now_ms;
    cc.expect.roles = {crypto::Role::kTown, crypto::Role::kCity};
    return crypto::Channel::Create(std::move(cc), /*initiator=*/true, random);
  };
  Status dial_failed;
  bool dial_done = false;
  auto attempt = net::DialOnce(io, endpoints, 0, dc, channels, handler, [&](Status why) {
    dial_failed = std::move(why);
    dial_done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (!handler->closed_ && !dial_done) {
    if (std::chrono::steady_clock::now() > deadline) {
      attempt->Cancel();
      handler->Fail(JoinFailure::kUnreachable, Unavailable("no answer in time"));
      break;
    }
    io.run_one_for(std::chrono::milliseconds(50));
  }
  // Let the cancelled or closing link finish on this loop before it goes away.
  io.run_for(std::chrono::milliseconds(100));
  if (dial_done && !dial_failed.ok()) {
    *failure = JoinFailure::kUnreachable;
    return Unavailable("无法连接上级节点 / cannot reach the upstream: " + dial_failed.ToString());
  }
  if (handler->done_) return std::move(handler->chain_);
  *failure =
      handler->failure_ == JoinFailure::kNone ? JoinFailure::kUnreachable : handler->failure_;
  return handler->why_.ok() ? Unavailable("enrolment did not complete") : handler->why_;
}

}  // namespace fulei::node

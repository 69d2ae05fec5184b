// Channel: fulei's authenticated, encrypted peer session — a Noise_XX_25519_ChaChaPoly_BLAKE2b
// handshake whose payloads carry certificate chains, then Transport frames. Sans-I/O: the caller
// moves bytes between Feed()/Start()/Seal() and its socket (net/) or the simulator.
// Wire format and policy: docs/crypto.md#channel.
//
// Handshake (each message on the wire as a 2-byte big-endian length, then the Noise message):
//   -> e                 payload empty
//   <- e, ee, s, es      payload: the responder's certificate chain
//   -> s, se             payload: the initiator's certificate chain (empty while enrolling)
// The prologue binds the network: "fulei-channel-v1" || root public key. After reading a chain
// each side requires: TrustStore::VerifyChain succeeds at now_ms, the leaf's dh_key equals the
// Noise static key the peer proved, and the leaf meets the PeerExpectation. Otherwise the
// channel closes and nothing more is sent or delivered. The initiator checks the responder
// before it sends its own chain; the responder delivers no application byte before it has
// verified the initiator. Forward secrecy comes from the ephemeral keys (ee, es, se).
//
// Errors from Feed: kCorruption (malformed or unauthenticated bytes), kUnauthenticated /
// kPermissionDenied / kOutOfRange (certificate checks, see trust.h). Any error closes the
// channel for good; later calls return kFailedPrecondition.
// Thread-compatible: one owner. REQUIRES: the TrustStore outlives the channel.
#ifndef FULEI_CRYPTO_CHANNEL_H_
#define FULEI_CRYPTO_CHANNEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/noise.h"
#include "crypto/random.h"
#include "crypto/transport.h"
#include "crypto/trust.h"

namespace fulei::crypto {

struct ChannelConfig {
  noise::KeyPair static_key;  // this node's X25519 key; must match certificates.front().dh_key
  CertChain certificates;     // leaf first; empty only for a node that is enrolling
  const TrustStore* trust = nullptr;
  uint64_t now_ms = 0;     // certificate validity is checked at this time
  PeerExpectation expect;  // what the peer's leaf certificate must satisfy
  // Responder only: a peer presenting no chain completes the handshake with
  // peer_certificate() == nullopt. The caller must then allow nothing but enrolment.
  bool accept_unenrolled_peer = false;
  RekeyPolicy rekey;
};

class Channel {
 public:
  // kInvalidArgument when trust is null or the static key does not match the leaf certificate.
  // REQUIRES: random outlives the channel.
  static Result<Channel> Create(ChannelConfig config, bool initiator, Random& random);
  Channel(Channel&&) = default;
  Channel& operator=(Channel&&) = default;

  // Initiator: the first handshake message. Responder: kFailedPrecondition.
  Result<std::string> Start();

  // Bytes received from the peer. Appends bytes to send back to *to_send, and authenticated
  // application messages (only once established) to *messages.
  Status Feed(std::string_view bytes, std::string* to_send, std::vector<std::string>* messages);

  // One application message as one frame. REQUIRES: established(), else kFailedPrecondition.
  Result<std::string> Seal(std::string_view message);

  // The peer's byte stream ended: kCorruption (and closed) inside a handshake or a frame.
  Status Finish();

  void Close();
  bool established() const { return transport_.has_value() && !transport_->closed(); }
  bool closed() const { return closed_; }

  // Valid once established: the peer's verified certificate (nullopt for an unenrolled peer),
  // its Noise static key, and the handshake hash (a channel binding for enrolment).
  const std::optional<Certificate>& peer_certificate() const { return peer_certificate_; }
  const noise::PublicKey& peer_static_key() const { return peer_static_; }
  const noise::Hash& handshake_hash() const { return handshake_hash_; }

 private:
  Channel(ChannelConfig config, bool initiator, noise::HandshakeState hs);
  Status FeedHandshake(std::string* to_send, std::vector<std::string>* messages);
  Status CheckPeer(std::string_view payload);
  Status WriteHandshake(std::string_view payload, std::string* to_send);
  Status Establish();
  Status CloseWith(Status s) {
    Close();
    return s;
  }

  ChannelConfig config_;
  bool initiator_;
  std::optional<noise::HandshakeState> handshake_;
  std::optional<Transport> transport_;
  std::string buffer_;  // handshake bytes not yet consumed
  std::optional<Certificate> peer_certificate_;
  noise::PublicKey peer_static_{};
  noise::Hash handshake_hash_{};
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_CHANNEL_H_

#include "crypto/channel.h"

#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {
constexpr std::string_view kPrologue = "fulei-channel-v1";
constexpr size_t kHandshakeLengthBytes = 2;
}  // namespace

Result<Channel> Channel::Create(ChannelConfig config, bool initiator, Random& random) {
  if (config.trust == nullptr) return InvalidArgument("channel: no trust store");
  if (!config.certificates.empty() &&
      config.certificates.front().dh_key != config.static_key.public_key) {
    return InvalidArgument("channel: static key does not match our certificate");
  }
  if (config.certificates.empty() && !initiator) {
    return InvalidArgument("channel: a responder needs a certificate");
  }
  noise::HandshakeConfig hc;
  FULEI_ASSIGN_OR_RETURN(hc.pattern, noise::PatternByName("XX"));
  hc.initiator = initiator;
  hc.prologue = std::string(kPrologue);
  internal::PutArray(hc.prologue, config.trust->root());
  hc.static_keys = config.static_key.Clone();
  FULEI_ASSIGN_OR_RETURN(noise::HandshakeState hs,
                         noise::HandshakeState::Create(std::move(hc), random));
  return Channel(std::move(config), initiator, std::move(hs));
}

Channel::Channel(ChannelConfig config, bool initiator, noise::HandshakeState hs)
    : config_(std::move(config)), initiator_(initiator), handshake_(std::move(hs)) {}

Status Channel::WriteHandshake(std::string_view payload, std::string* to_send) {
  std::string msg;
  FULEI_RETURN_IF_ERROR(handshake_->WriteMessage(payload, &msg));
  internal::PutU16(*to_send, static_cast<uint16_t>(msg.size()));
  to_send->append(msg);
  return Status::Ok();
}

Result<std::string> Channel::Start() {
  if (closed_) return FailedPrecondition("channel closed");
  if (!initiator_ || started_) return FailedPrecondition("only an initiator starts, once");
  started_ = true;
  std::string out;
  Status s = WriteHandshake("", &out);
  if (!s.ok()) return CloseWith(s);
  return out;
}

Status Channel::CheckPeer(std::string_view payload) {
  const auto& rs = handshake_->remote_static();
  if (!rs) return Internal("channel: no remote static key after its message");
  peer_static_ = *rs;
  if (payload.empty()) {
    if (!initiator_ && config_.accept_unenrolled_peer) return Status::Ok();
    return Unauthenticated("peer presented no certificate");
  }
  FULEI_ASSIGN_OR_RETURN(CertChain chain, DecodeChain(payload));
  FULEI_ASSIGN_OR_RETURN(Certificate leaf, config_.trust->VerifyChain(chain, config_.now_ms));
  if (leaf.dh_key != peer_static_) {
    return Unauthenticated("peer's Noise static key is not the one in its certificate");
  }
  FULEI_RETURN_IF_ERROR(CheckExpectation(leaf, config_.expect));
  peer_certificate_ = std::move(leaf);
  return Status::Ok();
}

Status Channel::Establish() {
  FULEI_ASSIGN_OR_RETURN(noise::SplitResult split, handshake_->Split());
  handshake_hash_ = split.handshake_hash;
  transport_.emplace(std::move(split.send), std::move(split.receive), config_.rekey);
  handshake_.reset();
  return Status::Ok();
}

Status Channel::FeedHandshake(std::string* to_send, std::vector<std::string>* messages) {
  while (handshake_ && !handshake_->finished()) {
    if (handshake_->IsMyTurnToWrite()) return Status::Ok();  // waiting for nothing from peer
    internal::Reader in(buffer_);
    uint16_t len = 0;
    std::string_view msg;
    if (!in.U16(&len) || !in.Bytes(len, &msg)) return Status::Ok();  // need more bytes
    std::string payload;
    FULEI_RETURN_IF_ERROR(handshake_->ReadMessage(msg, &payload));
    buffer_.erase(0, kHandshakeLengthBytes + len);
    size_t index = initiator_ ? 1 : (handshake_->finished() ? 2 : 0);
    if (index == 0) {
      // -> e: no certificate yet; the payload must be empty (it is unencrypted).
      if (!payload.empty()) return Corruption("handshake: unexpected payload in message 1");
      FULEI_RETURN_IF_ERROR(WriteHandshake(EncodeChain(config_.certificates), to_send));
    } else if (index == 1) {
      // <- e, ee, s, es: the responder's chain. Check it before revealing ours.
      FULEI_RETURN_IF_ERROR(CheckPeer(payload));
      std::string ours = config_.certificates.empty() ? "" : EncodeChain(config_.certificates);
      FULEI_RETURN_IF_ERROR(WriteHandshake(ours, to_send));
      FULEI_RETURN_IF_ERROR(Establish());
    } else {
      FULEI_RETURN_IF_ERROR(CheckPeer(payload));
      FULEI_RETURN_IF_ERROR(Establish());
    }
  }
  if (transport_ && !buffer_.empty()) {
    std::string rest = std::move(buffer_);
    buffer_.clear();
    return transport_->Feed(rest, messages);
  }
  return Status::Ok();
}

Status Channel::Feed(std::string_view bytes, std::string* to_send,
                     std::vector<std::string>* messages) {
  if (closed_) return FailedPrecondition("channel closed");
  if (initiator_ && !started_) return CloseWith(FailedPrecondition("initiator not started"));
  if (transport_) {
    Status s = transport_->Feed(bytes, messages);
    if (!s.ok()) return CloseWith(s);
    return s;
  }
  if (buffer_.size() + bytes.size() > 4 * (kHandshakeLengthBytes + noise::kMaxMessageLen)) {
    return CloseWith(ResourceExhausted("handshake: too many buffered bytes"));
  }
  buffer_.append(bytes);
  size_t before = to_send->size();
  Status s = FeedHandshake(to_send, messages);
  if (!s.ok()) {
    to_send->resize(before);  // nothing of a failed exchange leaves this node
    return CloseWith(s);
  }
  return s;
}

Result<std::string> Channel::Seal(std::string_view message) {
  if (closed_ || !transport_) return FailedPrecondition("channel not established");
  Result<std::string> r = transport_->Seal(message);
  if (!r.ok() && r.status().code() != StatusCode::kInvalidArgument) Close();
  return r;
}

Status Channel::Finish() {
  if (closed_) return FailedPrecondition("channel closed");
  if (!transport_) return CloseWith(Corruption("stream ended during the handshake"));
  Status s = transport_->Finish();
  Close();
  return s;
}

void Channel::Close() {
  closed_ = true;
  handshake_.reset();
  if (transport_) transport_->Close();
  buffer_.clear();
}

}  // namespace fulei::crypto

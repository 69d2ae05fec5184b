// The sync protocol's messages as C++ values, and their Cap'n Proto encoding
// (schema: sync/protocol.capnp; protocol and limits: docs/protocol.md).
//
// DecodeMessage reads untrusted bytes (already authenticated by the channel, but from a peer that
// may be buggy or compromised) with explicit ReaderOptions and size limits; anything malformed,
// oversized or unknown is kCorruption, never a crash. Thread-safe (no shared state).
#ifndef FULEI_SYNC_MESSAGES_H_
#define FULEI_SYNC_MESSAGES_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"

namespace fulei::sync {

// Protocol versions (docs/protocol.md, "Versions"). A node speaks every version from
// kMinProtocolVersion to kProtocolVersion; a session speaks the highest both ends speak, so a
// newer town keeps syncing with villages not yet upgraded. Only OpsBatch differs between them:
//   1: the ops travel one by one as canonical bytes (OpsBatch.ops);
//   2: the ops travel in the compact encoding of sync/op_pack.h (OpsBatch.packedOps).
inline constexpr uint32_t kMinProtocolVersion = 1;
inline constexpr uint32_t kProtocolVersion = 2;

// Limits enforced by DecodeMessage.
inline constexpr size_t kMaxMessageBytes = 16u << 20;
inline constexpr size_t kMaxScopesPerMessage = 4096;
inline constexpr size_t kMaxVectorEntries = 65536;  // per list, and per Vectors message
inline constexpr size_t kMaxOpsPerBatch = 8192;
inline constexpr size_t kMaxScopeBytes = 256;

struct VvEntry {
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
  friend bool operator==(const VvEntry&, const VvEntry&) = default;
};

using DigestHash = std::array<uint8_t, 16>;

struct ScopeDigest {
  std::string scope;
  DigestHash hash{};
  friend bool operator==(const ScopeDigest&, const ScopeDigest&) = default;
};

struct ScopeVector {
  std::string scope;
  std::vector<VvEntry> entries;
  friend bool operator==(const ScopeVector&, const ScopeVector&) = default;
};

struct Hello {
  uint32_t version = kMinProtocolVersion;  // the lowest version the sender speaks
  crdt::NodeId node = 0;
  std::string unit;
  uint64_t wall_ms = 0;
  // The highest version the sender speaks. A Hello without it (a node that spoke one version
  // only) decodes with max_version == version.
  uint32_t max_version = kProtocolVersion;
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Digest {
  std::vector<ScopeDigest> scopes;
  friend bool operator==(const Digest&, const Digest&) = default;
};

struct Vectors {
  std::vector<ScopeVector> scopes;
  friend bool operator==(const Vectors&, const Vectors&) = default;
};

struct OpsBatch {
  uint64_t batch = 0;
  std::string scope;
  std::vector<std::string> ops;  // canonical op bytes (crdt/codec.h); compact on the wire
  std::vector<std::string> heads;
  std::vector<std::string> certs;
  bool urgent = false;
  friend bool operator==(const OpsBatch&, const OpsBatch&) = default;
};

struct Ack {
  uint64_t batch = 0;
  std::string scope;
  std::vector<VvEntry> held;
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct UrgentAck {
  uint64_t batch = 0;
  std::vector<VvEntry> ops;
  std::string scope;
  std::vector<VvEntry> revoked;  // refused for good (a revoked origin): drop from the outbox
  friend bool operator==(const UrgentAck&, const UrgentAck&) = default;
};

using Message = std::variant<Hello, Digest, Vectors, OpsBatch, Ack, UrgentAck>;

// `version`: the protocol version of the session (only OpsBatch depends on it). Decoding an
// OpsBatch in the form of another version is kCorruption.
std::string EncodeMessage(const Message& message, uint32_t version = kProtocolVersion);
Result<Message> DecodeMessage(std::string_view bytes, uint32_t version = kProtocolVersion);

// The version a session speaks with the peer that sent `peer`, when this end speaks `min`..`max`:
// the highest both speak. kFailedPrecondition, naming both ranges, when they share none (or the
// peer's range is empty).
Result<uint32_t> NegotiateVersion(const Hello& peer, uint32_t min, uint32_t max);

// Short name of the message kind, for logs ("hello", "ops", ...).
std::string_view MessageName(const Message& message);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_MESSAGES_H_

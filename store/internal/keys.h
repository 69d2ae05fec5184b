// Order-preserving key encodings of the store's LMDB databases (layout: docs/store.md).
//
// LMDB compares keys as byte strings (memcmp, shorter first on a tie). Every key here is a
// concatenation of parts encoded so that byte order equals the order of the parts:
//   - integers: fixed width, big-endian;
//   - strings: bytes with 0x00 escaped as 00 FF, then the terminator 00 01. A string sorts
//     before its extensions ("v01" < "v012"), and the encoding of a string that holds no 0x00
//     starts with its raw bytes, so a raw prefix of a scope is a key prefix (subtree scans).
// Keys never hold a person's name (scopes, types and ids are opaque by contract, crdt/op.h).
//
// Plain functions; thread-safe. Decoders read untrusted bytes and return kCorruption.
#ifndef FULEI_STORE_INTERNAL_KEYS_H_
#define FULEI_STORE_INTERNAL_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"

namespace fulei::store::internal {

void AppendU32(std::string* out, uint32_t v);
void AppendU64(std::string* out, uint64_t v);
// The escaped bytes of `s` without the terminator (a prefix of AppendString's output).
void AppendStringBody(std::string* out, std::string_view s);
// The escaped bytes of `s` and the terminator 00 01.
void AppendString(std::string* out, std::string_view s);

// Reads parts back in order; every Read* fails with kCorruption on malformed input.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  Result<uint32_t> ReadU32();
  Result<uint64_t> ReadU64();
  Result<std::string> ReadString();
  bool done() const { return rest_.empty(); }
  Status ExpectDone() const;

 private:
  std::string_view rest_;
};

// ops, pending, heads: scope, origin, seq.
std::string OpKey(std::string_view scope, crdt::NodeId origin, uint64_t seq);
// vv: scope, origin (also the prefix of one chain's ops / pending / heads keys).
std::string ChainKey(std::string_view scope, crdt::NodeId origin);
// state: type, scope, id (type first, so a type within a scope subtree is one or two ranges).
std::string StateKey(const crdt::RecordKey& key);
// outbox: peer, stamp.ms, stamp.logical, origin (an OpId in its natural order).
std::string OutboxKey(std::string_view peer, const crdt::OpId& id);
// audit: a 64-bit sequence number.
std::string AuditKey(uint64_t seq);

struct OpKeyParts {
  std::string scope;
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
};
Result<OpKeyParts> ParseOpKey(std::string_view key);
struct ChainKeyParts {
  std::string scope;
  crdt::NodeId origin = 0;
};
Result<ChainKeyParts> ParseChainKey(std::string_view key);
Result<crdt::RecordKey> ParseStateKey(std::string_view key);
struct OutboxKeyParts {
  std::string peer;
  crdt::OpId id;
};
Result<OutboxKeyParts> ParseOutboxKey(std::string_view key);

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_KEYS_H_

#include "store/internal/keys.h"

namespace fulei::store::internal {

void AppendU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendStringBody(std::string* out, std::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
  }
}

void AppendString(std::string* out, std::string_view s) {
  AppendStringBody(out, s);
  out->push_back('\0');
  out->push_back('\x01');
}

Result<uint32_t> KeyReader::ReadU32() {
  if (rest_.size() < 4) return Corruption("key: truncated u32");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(rest_[static_cast<size_t>(i)]);
  rest_.remove_prefix(4);
  return v;
}

Result<uint64_t> KeyReader::ReadU64() {
  if (rest_.size() < 8) return Corruption("key: truncated u64");
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(rest_[static_cast<size_t>(i)]);
  rest_.remove_prefix(8);
  return v;
}

Result<std::string> KeyReader::ReadString() {
  std::string out;
  size_t i = 0;
  while (i < rest_.size()) {
    char c = rest_[i];
    if (c != '\0') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= rest_.size()) return Corruption("key: truncated string escape");
    char next = rest_[i + 1];
    if (next == '\x01') {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (next != '\xff') return Corruption("key: bad string escape");
    out.push_back('\0');
    i += 2;
  }
  return Corruption("key: unterminated string");
}

Status KeyReader::ExpectDone() const {
  if (!rest_.empty()) return Corruption("key: trailing bytes");
  return Status::Ok();
}

std::string OpKey(std::string_view scope, crdt::NodeId origin, uint64_t seq) {
  std::string k;
  k.reserve(scope.size() + 18);
  AppendString(&k, scope);
  AppendU64(&k, origin);
  AppendU64(&k, seq);
  return k;
}

std::string ChainKey(std::string_view scope, crdt::NodeId origin) {
  std::string k;
  k.reserve(scope.size() + 10);
  AppendString(&k, scope);
  AppendU64(&k, origin);
  return k;
}

std::string StateKey(const crdt::RecordKey& key) {
  std::string k;
  k.reserve(key.type.size() + key.scope.size() + key.id.size() + 6);
  AppendString(&k, key.type);
  AppendString(&k, key.scope);
  AppendString(&k, key.id);
  return k;
}

std::string OutboxKey(std::string_view peer, const crdt::OpId& id) {
  std::string k;
  AppendString(&k, peer);
  AppendU64(&k, id.stamp.ms);
  AppendU32(&k, id.stamp.logical);
  AppendU64(&k, id.origin);
  return k;
}

std::string AuditKey(uint64_t seq) {
  std::string k;
  AppendU64(&k, seq);
  return k;
}

Result<OpKeyParts> ParseOpKey(std::string_view key) {
  KeyReader r(key);
  OpKeyParts p;
  FULEI_ASSIGN_OR_RETURN(p.scope, r.ReadString());
  FULEI_ASSIGN_OR_RETURN(p.origin, r.ReadU64());
  FULEI_ASSIGN_OR_RETURN(p.seq, r.ReadU64());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return p;
}

Result<ChainKeyParts> ParseChainKey(std::string_view key) {
  KeyReader r(key);
  ChainKeyParts p;
  FULEI_ASSIGN_OR_RETURN(p.scope, r.ReadString());
  FULEI_ASSIGN_OR_RETURN(p.origin, r.ReadU64());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return p;
}

Result<crdt::RecordKey> ParseStateKey(std::string_view key) {
  KeyReader r(key);
  crdt::RecordKey k;
  FULEI_ASSIGN_OR_RETURN(k.type, r.ReadString());
  FULEI_ASSIGN_OR_RETURN(k.scope, r.ReadString());
  FULEI_ASSIGN_OR_RETURN(k.id, r.ReadString());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return k;
}

Result<OutboxKeyParts> ParseOutboxKey(std::string_view key) {
  KeyReader r(key);
  OutboxKeyParts p;
  FULEI_ASSIGN_OR_RETURN(p.peer, r.ReadString());
  FULEI_ASSIGN_OR_RETURN(p.id.stamp.ms, r.ReadU64());
  FULEI_ASSIGN_OR_RETURN(p.id.stamp.logical, r.ReadU32());
  FULEI_ASSIGN_OR_RETURN(p.id.origin, r.ReadU64());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return p;
}

}  // namespace fulei::store::internal

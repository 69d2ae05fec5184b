#include "sync/cert_directory.h"

#include <cinttypes>
#include <cstdio>

namespace fulei::sync {

namespace {
std::string KeyOf(crdt::NodeId node) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "cert:%016" PRIx64, node);
  return buf;
}
}  // namespace

Result<crdt::NodeId> CertDirectory::Add(std::string_view encoded_chain,
                                        const crypto::TrustStore& trust, uint64_t at_ms) {
  FULEI_ASSIGN_OR_RETURN(crypto::CertChain chain, crypto::DecodeChain(encoded_chain));
  FULEI_ASSIGN_OR_RETURN(crypto::Certificate leaf, trust.VerifyChain(chain, at_ms));
  auto it = cache_.find(leaf.node_id);
  if (it != cache_.end() && it->second == encoded_chain) return leaf.node_id;
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.GetPeer(KeyOf(leaf.node_id)));
  if (!stored || *stored != encoded_chain) {
    FULEI_RETURN_IF_ERROR(store_.PutPeer(KeyOf(leaf.node_id), encoded_chain));
  }
  cache_[leaf.node_id] = std::string(encoded_chain);
  return leaf.node_id;
}

Result<std::optional<std::string>> CertDirectory::Get(crdt::NodeId node) {
  auto it = cache_.find(node);
  if (it != cache_.end()) return std::optional<std::string>(it->second);
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.GetPeer(KeyOf(node)));
  if (stored) cache_[node] = *stored;
  return stored;
}

Result<crypto::Certificate> CertDirectory::Leaf(crdt::NodeId node, const crypto::TrustStore& trust,
                                                uint64_t at_ms) {
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> encoded, Get(node));
  if (!encoded) return NotFound("no certificate known for origin " + std::to_string(node));
  FULEI_ASSIGN_OR_RETURN(crypto::CertChain chain, crypto::DecodeChain(*encoded));
  return trust.VerifyChain(chain, at_ms);
}

}  // namespace fulei::sync

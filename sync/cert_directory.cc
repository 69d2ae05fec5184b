#include "sync/cert_directory.h"

#include <algorithm>
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

Result<crypto::Certificate> CertDirectory::Verify(std::string_view encoded_chain,
                                                  const crypto::TrustStore& trust, uint64_t at_ms) {
  if (trust.root() != verified_root_ ||
      trust.revocation_version() != verified_revocation_version_) {
    verified_.clear();
    verified_root_ = trust.root();
    verified_revocation_version_ = trust.revocation_version();
  }
  auto it = verified_.find(encoded_chain);
  if (it != verified_.end() && at_ms >= it->second.not_before_ms &&
      at_ms <= it->second.not_after_ms) {
    return it->second.leaf;
  }
  // Not cached, or outside the window: the full check, which also gives the exact error.
  FULEI_ASSIGN_OR_RETURN(crypto::CertChain chain, crypto::DecodeChain(encoded_chain));
  ++chains_verified_;
  FULEI_ASSIGN_OR_RETURN(crypto::Certificate leaf, trust.VerifyChain(chain, at_ms));
  if (it == verified_.end()) {
    Verified v{leaf, 0, UINT64_MAX};
    for (const crypto::Certificate& c : chain) {
      v.not_before_ms = std::max(v.not_before_ms, c.not_before_ms);
      v.not_after_ms = std::min(v.not_after_ms, c.not_after_ms);
    }
    if (verified_.size() >= kMaxVerifiedChains) verified_.erase(verified_.begin());
    verified_.emplace(std::string(encoded_chain), std::move(v));
  }
  return leaf;
}

Result<crdt::NodeId> CertDirectory::Add(std::string_view encoded_chain,
                                        const crypto::TrustStore& trust, uint64_t at_ms) {
  FULEI_ASSIGN_OR_RETURN(crypto::Certificate leaf, Verify(encoded_chain, trust, at_ms));
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
  return Verify(*encoded, trust, at_ms);
}

}  // namespace fulei::sync

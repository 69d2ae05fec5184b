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

Result<uint64_t> CertDirectory::Expiry(std::string_view encoded_chain) {
  FULEI_ASSIGN_OR_RETURN(crypto::CertChain chain, crypto::DecodeChain(encoded_chain));
  if (chain.empty()) return Corruption("empty certificate chain");
  uint64_t expiry = UINT64_MAX;
  for (const crypto::Certificate& c : chain) expiry = std::min(expiry, c.not_after_ms);
  return expiry;
}

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

Result<crypto::Certificate> CertDirectory::Check(std::string_view encoded_chain,
                                                 const crypto::TrustStore& trust, uint64_t at_ms) {
  return Verify(encoded_chain, trust, at_ms);
}

Result<crdt::NodeId> CertDirectory::Add(std::string_view encoded_chain,
                                        const crypto::TrustStore& trust, uint64_t at_ms) {
  FULEI_ASSIGN_OR_RETURN(crypto::Certificate leaf, Verify(encoded_chain, trust, at_ms));
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> held, Get(leaf.node_id));
  if (held) {
    if (*held == encoded_chain) return leaf.node_id;
    // The latest expiry wins; a tie keeps the chain held. A held chain that no longer decodes
    // (it was verified when kept: damaged at rest) is replaced.
    FULEI_ASSIGN_OR_RETURN(uint64_t expiry, Expiry(encoded_chain));
    auto held_expiry = Expiry(*held);
    if (held_expiry.ok() && *held_expiry >= expiry) return leaf.node_id;
  }
  FULEI_RETURN_IF_ERROR(store_.PutPeer(KeyOf(leaf.node_id), encoded_chain));
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

Result<crypto::Certificate> CertDirectory::LeafFor(crdt::NodeId node,
                                                   const crypto::TrustStore& trust,
                                                   uint64_t first_ms, uint64_t last_ms,
                                                   std::string_view carried) {
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> held, Get(node));
  std::string_view chain = held ? std::string_view(*held) : std::string_view();
  if (!carried.empty()) {
    if (chain.empty()) {
      chain = carried;
    } else {
      FULEI_ASSIGN_OR_RETURN(uint64_t carried_expiry, Expiry(carried));
      auto held_expiry = Expiry(chain);
      if (!held_expiry.ok() || carried_expiry > *held_expiry) chain = carried;
    }
  }
  if (chain.empty()) return NotFound("no certificate known for origin " + std::to_string(node));
  FULEI_ASSIGN_OR_RETURN(crypto::Certificate leaf, Verify(chain, trust, first_ms));
  if (leaf.node_id != node) {
    return InvalidArgument("the certificate offered for origin " + std::to_string(node) +
                           " is node " + std::to_string(leaf.node_id) + "'s");
  }
  if (last_ms != first_ms) FULEI_RETURN_IF_ERROR(Verify(chain, trust, last_ms).status());
  return leaf;
}

}  // namespace fulei::sync

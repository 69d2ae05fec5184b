#include "crypto/join_token.h"

#include <sodium.h>

#include <algorithm>

#include "crdt/org_unit.h"
#include "crypto/internal/bytes.h"
#include "crypto/secret_file.h"
#include "crypto/trust.h"

namespace fulei::crypto {
namespace {

using internal::U8Ptr;
constexpr std::string_view kTokenPrefix = "fulei1-";
constexpr uint8_t kTokenVersion = 1;
constexpr std::string_view kRequestMagic = "FLE1";
constexpr size_t kChecksumBytes = 4;

// Appends base64url (no padding) of `bin` to `out`, built in place.
void AppendBase64Url(std::string_view bin, SecretString* out) {
  const size_t at = out->size();
  const size_t len =
      sodium_base64_encoded_len(bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out->Resize(at + len);
  sodium_bin2base64(out->data() + at, len, U8Ptr(bin), bin.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out->Resize(at + len - 1);  // the terminating NUL
}

bool FromBase64Url(std::string_view text, SecretString* out) {
  out->Resize(text.size());
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<uint8_t*>(out->data()), out->size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return false;
  }
  out->Resize(len);
  return true;
}

// The bytes both the MAC and the signature of a request cover.
std::string RequestTranscript(const TokenId& id, const SigningPublicKey& sk,
                              const noise::PublicKey& dh, const noise::Hash& binding) {
  std::string t;
  internal::PutArray(t, id);
  internal::PutArray(t, sk);
  internal::PutArray(t, dh);
  internal::PutArray(t, binding);
  return t;
}

std::array<uint8_t, 32> RequestMac(const Secret<32>& secret, std::string_view transcript) {
  std::array<uint8_t, 32> mac;
  std::string msg = "fulei-enrol-v1";
  msg.append(transcript);
  FULEI_CHECK(crypto_generichash(mac.data(), mac.size(), U8Ptr(msg), msg.size(), secret.data(),
                                 secret.size()) == 0);
  return mac;
}

// The ledger's plaintext, built in a wiped buffer (it holds every token's secret).
SecretString EncodeRecords(const std::map<TokenId, TokenRecord>& records) {
  SecretString out;
  out.Reserve(4 + records.size() * (16 + 1 + 8 + 32 + 1 + 1 + kMaxOrgUnitBytes));
  std::string fields;
  internal::PutU32(fields, static_cast<uint32_t>(records.size()));
  out.Append(fields);
  for (const auto& [id, r] : records) {
    fields.clear();
    internal::PutArray(fields, r.id);
    internal::PutU8(fields, static_cast<uint8_t>(r.role));
    internal::PutU64(fields, r.expires_ms);
    out.Append(fields);
    out.Append(r.secret.data(), r.secret.size());
    fields.clear();
    internal::PutU8(fields, r.used ? 1 : 0);
    internal::PutU8(fields, static_cast<uint8_t>(r.org_unit.size()));
    fields.append(r.org_unit);
    out.Append(fields);
  }
  return out;
}

constexpr std::string_view kLedgerPurpose = "token-ledger";
constexpr char kLedgerKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "fulei-tl";
constexpr uint64_t kLedgerKdfSubkey = 1;

}  // namespace

SecretString FormatJoinToken(const JoinToken& t) {
  SecretString p;
  p.Reserve(1 + 16 + 1 + 8 + 32 + 32 + 8 + 1 + kMaxOrgUnitBytes + kChecksumBytes);
  std::string fields;
  internal::PutU8(fields, kTokenVersion);
  internal::PutArray(fields, t.id);
  internal::PutU8(fields, static_cast<uint8_t>(t.role));
  internal::PutU64(fields, t.expires_ms);
  p.Append(fields);
  p.Append(t.secret.data(), t.secret.size());
  fields.clear();
  internal::PutArray(fields, t.root_key);
  internal::PutU64(fields, t.issuer);
  internal::PutU8(fields, static_cast<uint8_t>(t.org_unit.size()));
  fields.append(t.org_unit);
  p.Append(fields);
  auto sum = Blake2b256(p.view());
  p.Append(sum.data(), kChecksumBytes);
  SecretString text;
  text.Reserve(kTokenPrefix.size() +
               sodium_base64_encoded_len(p.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING));
  text.Append(kTokenPrefix);
  AppendBase64Url(p.view(), &text);
  return text;
}

Result<JoinToken> ParseJoinToken(std::string_view text) {
  if (text.size() > 1024 || text.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return InvalidArgument("join token: does not start with fulei1-");
  }
  SecretString bin;
  if (!FromBase64Url(text.substr(kTokenPrefix.size()), &bin) || bin.size() < kChecksumBytes) {
    return InvalidArgument("join token: not base64url");
  }
  std::string_view body = bin.view().substr(0, bin.size() - kChecksumBytes);
  auto sum = Blake2b256(body);
  if (sodium_memcmp(sum.data(), bin.view().data() + body.size(), kChecksumBytes) != 0) {
    return InvalidArgument("join token: checksum mismatch (mistyped?)");
  }
  internal::Reader in(body);
  JoinToken t;
  uint8_t version = 0, role = 0, len = 0;
  std::string_view secret, ou;
  if (!in.U8(&version) || version != kTokenVersion || !in.Array(&t.id) || !in.U8(&role) ||
      !in.U64(&t.expires_ms) || !in.Bytes(32, &secret) || !in.Array(&t.root_key) ||
      !in.U64(&t.issuer) || !in.U8(&len) || !in.Bytes(len, &ou) || !in.done()) {
    return InvalidArgument("join token: malformed");
  }
  if (role < 1 || role > 3) return InvalidArgument("join token: bad role");
  t.role = static_cast<Role>(role);
  t.secret = Secret<32>::FromBytes(U8Ptr(secret));
  t.org_unit = std::string(ou);
  FULEI_RETURN_IF_ERROR(ValidateOrgUnit(t.org_unit));
  return t;
}

Status MemoryTokenLedger::Put(const TokenRecord& record) {
  if (records_.count(record.id)) return AlreadyExists("token id exists");
  records_.emplace(record.id, record.Clone());
  return Status::Ok();
}

Result<TokenRecord> MemoryTokenLedger::Get(const TokenId& id) {
  auto it = records_.find(id);
  if (it == records_.end()) return NotFound("unknown token");
  return it->second.Clone();
}

Status MemoryTokenLedger::MarkUsed(const TokenId& id) {
  auto it = records_.find(id);
  if (it == records_.end()) return NotFound("unknown token");
  if (it->second.used) return AlreadyExists("token already used");
  it->second.used = true;
  return Status::Ok();
}

Secret<32> TokenLedgerKey(const SigningKey& node_key) {
  EnsureSodium();
  Secret<32> key;
  FULEI_CHECK(crypto_kdf_derive_from_key(key.data(), key.size(), kLedgerKdfSubkey,
                                         kLedgerKdfContext, node_key.seed().data()) == 0);
  return key;
}

Result<FileTokenLedger> FileTokenLedger::Open(std::filesystem::path path,
                                              const Secret<32>& ledger_key, Random& random) {
  FileTokenLedger ledger(std::move(path), KeyProtection::KeyFile(ledger_key.Clone()), random);
  auto content = ReadSecretFile(ledger.path_, kLedgerPurpose, ledger.protection_);
  if (!content.ok()) {
    if (content.status().code() == StatusCode::kNotFound) return ledger;
    return Status(content.status().code(),
                  "token ledger " + ledger.path_.string() + ": " + content.status().message());
  }
  internal::Reader in(content->view());
  uint32_t n = 0;
  if (!in.U32(&n)) return Corruption("token ledger: truncated");
  for (uint32_t i = 0; i < n; ++i) {
    TokenRecord r;
    uint8_t role = 0, used = 0, len = 0;
    std::string_view secret, ou;
    if (!in.Array(&r.id) || !in.U8(&role) || !in.U64(&r.expires_ms) || !in.Bytes(32, &secret) ||
        !in.U8(&used) || !in.U8(&len) || !in.Bytes(len, &ou)) {
      return Corruption("token ledger: truncated record");
    }
    if (role < 1 || role > 3 || used > 1 || !ValidateOrgUnit(ou).ok()) {
      return Corruption("token ledger: bad record");
    }
    r.role = static_cast<Role>(role);
    r.secret = Secret<32>::FromBytes(U8Ptr(secret));
    r.used = used != 0;
    r.org_unit = std::string(ou);
    if (!ledger.records_.emplace(r.id, std::move(r)).second) {
      return Corruption("token ledger: duplicate token id");
    }
  }
  if (!in.done()) return Corruption("token ledger: trailing bytes");
  return ledger;
}

Status FileTokenLedger::Flush() {
  SecretString content = EncodeRecords(records_);
  return WriteSecretFile(path_, kLedgerPurpose, content.view(), protection_, *random_);
}

Status FileTokenLedger::Put(const TokenRecord& record) {
  FULEI_RETURN_IF_ERROR(MemoryTokenLedger::Put(record));
  Status s = Flush();
  if (!s.ok()) records_.erase(record.id);
  return s;
}

Status FileTokenLedger::MarkUsed(const TokenId& id) {
  FULEI_RETURN_IF_ERROR(MemoryTokenLedger::MarkUsed(id));
  // Durable before OK. If the write fails the token stays used in memory: failing closed.
  return Flush();
}

Enroller::Enroller(const SigningKey& issuer_key, CertChain issuer_chain,
                   const SigningPublicKey& root_key, TokenLedger& ledger, EnrolmentPolicy policy,
                   NodeId answering_node)
    : key_(&issuer_key),
      chain_(std::move(issuer_chain)),
      answering_node_(answering_node != 0 ? answering_node : key_->node_id()),
      root_(root_key),
      ledger_(&ledger),
      policy_(policy) {}

Result<SecretString> Enroller::CreateToken(std::string_view org_unit, Role role, uint64_t now_ms,
                                           uint64_t ttl_ms, Random& random) {
  FULEI_RETURN_IF_ERROR(ValidateOrgUnit(org_unit));
  if (ttl_ms == 0 || ttl_ms > policy_.max_token_ttl_ms) {
    return InvalidArgument("join token: ttl out of range");
  }
  if (!chain_.empty()) {
    const Certificate& own = chain_.front();
    if (!own.can_issue) return PermissionDenied("this node may not issue certificates");
    if (!crdt::IsBelow(org_unit, own.org_unit)) {
      return PermissionDenied(std::string(org_unit) + " is not below " + own.org_unit);
    }
    if (!RoleIsBelow(role, own.role)) {
      return PermissionDenied("a " + std::string(RoleName(own.role)) + " may not enrol a " +
                              std::string(RoleName(role)));
    }
  }
  TokenRecord r;
  random.Fill(r.id.data(), r.id.size());
  random.Fill(r.secret.data(), r.secret.size());
  r.role = role;
  r.expires_ms = now_ms + ttl_ms;
  r.org_unit = std::string(org_unit);
  FULEI_RETURN_IF_ERROR(ledger_->Put(r));
  JoinToken t{r.id, role, r.expires_ms, r.secret.Clone(), root_, answering_node_, r.org_unit};
  return FormatJoinToken(t);
}

Result<TokenId> EnrolmentRequestTokenId(std::string_view request) {
  internal::Reader in(request);
  std::string_view magic;
  TokenId id;
  if (!in.Bytes(4, &magic) || magic != kRequestMagic || !in.Array(&id)) {
    return InvalidArgument("enrolment request: malformed");
  }
  return id;
}

Result<std::string> Enroller::HandleRequest(std::string_view request,
                                            const noise::Hash& channel_binding,
                                            const noise::PublicKey& peer_static, uint64_t now_ms) {
  internal::Reader in(request);
  std::string_view magic;
  TokenId id;
  SigningPublicKey sk;
  noise::PublicKey dh;
  std::array<uint8_t, 32> mac;
  Signature sig;
  if (!in.Bytes(4, &magic) || magic != kRequestMagic || !in.Array(&id) || !in.Array(&sk) ||
      !in.Array(&dh) || !in.Array(&mac) || !in.Array(&sig) || !in.done()) {
    return InvalidArgument("enrolment request: malformed");
  }
  if (dh != peer_static) {
    return Unauthenticated("enrolment request: key is not the channel peer's");
  }
  auto record = ledger_->Get(id);
  if (!record.ok()) return PermissionDenied("enrolment: unknown token");
  if (now_ms > record->expires_ms) return PermissionDenied("enrolment: token expired");
  std::string transcript = RequestTranscript(id, sk, dh, channel_binding);
  auto expected = RequestMac(record->secret, transcript);
  if (sodium_memcmp(expected.data(), mac.data(), mac.size()) != 0) {
    return Unauthenticated("enrolment: token secret does not match");
  }
  if (!VerifySignature(sk, "fulei-enrol-sig-v1" + transcript, sig)) {
    return Unauthenticated("enrolment: request not signed by the enrolling key");
  }
  if (record->used) return PermissionDenied("enrolment: token already used");
  if (!chain_.empty()) {
    // The ledger names what to certify; an issued issuer certifies only below itself, whatever
    // the ledger says (the same rule as TrustStore::VerifyChain, checked before anything is
    // used up or signed).
    const Certificate& own = chain_.front();
    if (!own.can_issue) return PermissionDenied("enrolment: this node may not issue certificates");
    if (!RoleIsBelow(record->role, own.role)) {
      return PermissionDenied("enrolment: a " + std::string(RoleName(own.role)) +
                              " may not certify a " + std::string(RoleName(record->role)));
    }
    if (!crdt::IsBelow(record->org_unit, own.org_unit)) {
      return PermissionDenied("enrolment: " + record->org_unit + " is not below " + own.org_unit);
    }
  }
  Certificate tbs;
  tbs.node_id = NodeIdFromKey(sk);
  tbs.role = record->role;
  tbs.can_issue = chain_.empty() && record->role != Role::kVillage;
  tbs.signing_key = sk;
  tbs.dh_key = dh;
  tbs.org_unit = record->org_unit;
  tbs.not_before_ms = now_ms;
  tbs.not_after_ms = now_ms + policy_.certificate_validity_ms;
  if (!chain_.empty()) tbs.not_after_ms = std::min(tbs.not_after_ms, chain_.front().not_after_ms);
  if (tbs.node_id == 0) return InvalidArgument("enrolment: key maps to node id 0");
  Status used = ledger_->MarkUsed(id);
  if (used.code() == StatusCode::kAlreadyExists) {
    return PermissionDenied("enrolment: token already used");
  }
  FULEI_RETURN_IF_ERROR(used);
  FULEI_ASSIGN_OR_RETURN(Certificate cert, IssueCertificate(std::move(tbs), *key_));
  CertChain chain{std::move(cert)};
  chain.insert(chain.end(), chain_.begin(), chain_.end());
  return EncodeChain(chain);
}

Status CheckEnrolmentPeer(const std::optional<Certificate>& peer, const JoinToken& token) {
  if (!peer.has_value()) return Unauthenticated("enrolment: parent presented no certificate");
  if (peer->node_id != token.issuer) {
    return Unauthenticated("enrolment: parent is not the node that issued the token");
  }
  return Status::Ok();
}

std::string MakeEnrolmentRequest(const JoinToken& token, const NodeIdentity& identity,
                                 const noise::Hash& channel_binding) {
  const SigningPublicKey& sk = identity.signing_key().public_key();
  const noise::PublicKey& dh = identity.dh_key().public_key;
  std::string transcript = RequestTranscript(token.id, sk, dh, channel_binding);
  std::string out(kRequestMagic);
  internal::PutArray(out, token.id);
  internal::PutArray(out, sk);
  internal::PutArray(out, dh);
  internal::PutArray(out, RequestMac(token.secret, transcript));
  internal::PutArray(out, identity.signing_key().Sign("fulei-enrol-sig-v1" + transcript));
  return out;
}

Result<CertChain> AcceptEnrolmentResponse(std::string_view response, const JoinToken& token,
                                          const NodeIdentity& identity, uint64_t now_ms) {
  FULEI_ASSIGN_OR_RETURN(CertChain chain, DecodeChain(response));
  TrustStore trust(token.root_key);
  FULEI_ASSIGN_OR_RETURN(Certificate leaf, trust.VerifyChain(chain, now_ms));
  if (leaf.signing_key != identity.signing_key().public_key() ||
      leaf.dh_key != identity.dh_key().public_key) {
    return Unauthenticated("enrolment: certificate is not for this node's keys");
  }
  if (leaf.org_unit != token.org_unit || leaf.role != token.role) {
    return Unauthenticated("enrolment: certificate is not for the token's org unit and role");
  }
  return chain;
}

}  // namespace fulei::crypto

#include "crypto/secret_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/internal/bytes.h"
#include "crypto/internal/kdf.h"

namespace fulei::crypto {
namespace {

using internal::U8Ptr;
constexpr std::string_view kMagic = "FLS1";
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;  // 16
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kMaxSecretFileBytes = 16 << 20;

Status Errno(const std::string& what) { return IoError(what + ": " + std::strerror(errno)); }

std::string_view KindName(KeyProtection::Kind k) {
  switch (k) {
    case KeyProtection::Kind::kNone:
      return "unprotected";
    case KeyProtection::Kind::kKeyFile:
      return "key-file protected";
    case KeyProtection::Kind::kPassphrase:
      return "passphrase protected";
  }
  return "unknown";
}

}  // namespace

KeyProtection KeyProtection::KeyFile(Secret<32> kek) {
  KeyProtection p(Kind::kKeyFile);
  p.kek_ = std::move(kek);
  return p;
}

KeyProtection KeyProtection::Passphrase(std::string_view passphrase, Argon2Params params) {
  KeyProtection p(Kind::kPassphrase);
  p.passphrase_ = SecretString(passphrase);
  p.params_ = params;
  return p;
}

Result<SecretString> SealSecret(std::string_view purpose, std::string_view secret,
                                const KeyProtection& protection, Random& random) {
  EnsureSodium();
  if (purpose.empty() || purpose.size() > 64) return InvalidArgument("secret file: bad purpose");
  std::string header(kMagic);
  internal::PutU8(header, static_cast<uint8_t>(protection.kind()));
  internal::PutU8(header, static_cast<uint8_t>(purpose.size()));
  header.append(purpose);
  SecretString out;
  if (protection.kind() == KeyProtection::Kind::kNone) {
    out.Reserve(header.size() + secret.size() + 32);
    out.Append(header);
    out.Append(secret);
    auto sum = std::array<uint8_t, 32>{};
    FULEI_CHECK(
        crypto_generichash(sum.data(), sum.size(), U8Ptr(out.view()), out.size(), nullptr, 0) == 0);
    out.Append(sum.data(), sum.size());
    return out;
  }
  Secret<32> kek;
  if (protection.kind() == KeyProtection::Kind::kPassphrase) {
    uint8_t salt[kSaltBytes];
    random.Fill(salt, sizeof salt);
    internal::PutU32(header, static_cast<uint32_t>(protection.params().opslimit));
    internal::PutU32(header, static_cast<uint32_t>(protection.params().memlimit_bytes >> 10));
    internal::PutBytes(header, salt, sizeof salt);
    FULEI_RETURN_IF_ERROR(
        internal::DerivePassphraseKey(protection.passphrase(), salt, protection.params(), &kek));
  } else {
    kek = protection.kek().Clone();
  }
  uint8_t nonce[kNonceBytes];
  random.Fill(nonce, sizeof nonce);
  internal::PutBytes(header, nonce, sizeof nonce);
  const size_t at = header.size();
  out.Reserve(at + secret.size() + kTagBytes);
  out.Append(header);
  out.Resize(at + secret.size() + kTagBytes);
  unsigned long long clen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<uint8_t*>(out.data()) + at, &clen,
                                                 U8Ptr(secret), secret.size(), U8Ptr(header),
                                                 header.size(), nullptr, nonce, kek.data()) != 0) {
    return Internal("xchacha20poly1305 encrypt failed");
  }
  return out;
}

Result<SecretString> OpenSecret(std::string_view purpose, std::string_view content,
                                const KeyProtection& protection) {
  EnsureSodium();
  internal::Reader in(content);
  std::string_view magic, file_purpose;
  uint8_t kind = 0, plen = 0;
  if (!in.Bytes(4, &magic) || magic != kMagic || !in.U8(&kind) || kind > 2 || !in.U8(&plen) ||
      !in.Bytes(plen, &file_purpose)) {
    return Corruption("secret file: bad header");
  }
  if (file_purpose != purpose) {
    return FailedPrecondition("secret file holds a " + std::string(file_purpose) + ", not a " +
                              std::string(purpose));
  }
  auto file_kind = static_cast<KeyProtection::Kind>(kind);
  if (file_kind != protection.kind()) {
    return FailedPrecondition("secret file is " + std::string(KindName(file_kind)) + ", not " +
                              std::string(KindName(protection.kind())));
  }
  if (file_kind == KeyProtection::Kind::kNone) {
    if (in.remaining() < 32) return Corruption("secret file: truncated");
    size_t body = content.size() - 32;
    std::array<uint8_t, 32> sum{};
    FULEI_CHECK(crypto_generichash(sum.data(), sum.size(), U8Ptr(content), body, nullptr, 0) == 0);
    if (sodium_memcmp(sum.data(), U8Ptr(content) + body, 32) != 0) {
      return Corruption("secret file: checksum mismatch");
    }
    return SecretString(in.rest().substr(0, in.remaining() - 32));
  }
  Secret<32> kek;
  if (file_kind == KeyProtection::Kind::kPassphrase) {
    uint32_t ops = 0, mem_kib = 0;
    std::string_view salt;
    if (!in.U32(&ops) || !in.U32(&mem_kib) || !in.Bytes(kSaltBytes, &salt)) {
      return Corruption("secret file: truncated argon2id header");
    }
    Argon2Params p{ops, uint64_t{mem_kib} << 10};
    Status s = internal::DerivePassphraseKey(protection.passphrase(), U8Ptr(salt), p, &kek);
    if (s.code() == StatusCode::kInvalidArgument) return Corruption("secret file: " + s.message());
    FULEI_RETURN_IF_ERROR(s);
  } else {
    kek = protection.kek().Clone();
  }
  std::string_view nonce;
  if (!in.Bytes(kNonceBytes, &nonce) || in.remaining() < kTagBytes) {
    return Corruption("secret file: truncated");
  }
  std::string_view header = content.substr(0, content.size() - in.remaining());
  std::string_view ct = in.rest();
  SecretString plain;
  plain.Resize(ct.size() - kTagBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<uint8_t*>(plain.data()), &mlen,
                                                 nullptr, U8Ptr(ct), ct.size(), U8Ptr(header),
                                                 header.size(), U8Ptr(nonce), kek.data()) != 0) {
    return Unauthenticated("secret file: wrong passphrase or key, or damaged file");
  }
  return plain;
}

Status WritePrivateFile(const std::filesystem::path& path, std::string_view content,
                        WriteMode mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + tmp.string());
  Status result;
  if (::fchmod(fd, 0600) != 0) result = Errno("chmod " + tmp.string());
  size_t done = 0;
  while (result.ok() && done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = Errno("write " + tmp.string());
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (result.ok() && ::fsync(fd) != 0) result = Errno("fsync " + tmp.string());
  if (::close(fd) != 0 && result.ok()) result = Errno("close " + tmp.string());
  if (result.ok() && mode == WriteMode::kReplace && ::rename(tmp.c_str(), path.c_str()) != 0) {
    result = Errno("rename");
  }
  if (result.ok() && mode == WriteMode::kCreateNew) {
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      result = errno == EEXIST ? AlreadyExists(path.string() + " exists; not overwritten")
                               : Errno("link " + path.string());
    }
    ::unlink(tmp.c_str());
  }
  if (!result.ok()) {
    ::unlink(tmp.c_str());
    return result;
  }
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open " + dir.string());
  Status s = ::fsync(dfd) == 0 ? Status::Ok() : Errno("fsync " + dir.string());
  ::close(dfd);
  return s;
}

Result<SecretString> ReadPrivateFile(const std::filesystem::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path.string() + " does not exist");
    return Errno("open " + path.string());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Errno("stat " + path.string());
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
    ::close(fd);
    return PermissionDenied(path.string() + " must be a regular file with mode 0600");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Corruption(path.string() + " is too large");
  }
  SecretString out;
  out.Resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = n == 0 ? Corruption(path.string() + " shrank while reading")
                        : Errno("read " + path.string());
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Status WriteSecretFile(const std::filesystem::path& path, std::string_view purpose,
                       std::string_view secret, const KeyProtection& protection, Random& random,
                       WriteMode mode) {
  FULEI_ASSIGN_OR_RETURN(SecretString content, SealSecret(purpose, secret, protection, random));
  return WritePrivateFile(path, content.view(), mode);
}

Result<SecretString> ReadSecretFile(const std::filesystem::path& path, std::string_view purpose,
                                    const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString content, ReadPrivateFile(path, kMaxSecretFileBytes));
  return OpenSecret(purpose, content.view(), protection);
}

Status CreateKeyFile(const std::filesystem::path& path, Random& random) {
  Secret<32> kek;
  random.Fill(kek.data(), kek.size());
  KeyProtection none = KeyProtection::None();
  return WriteSecretFile(path, "key-encryption-key",
                         std::string_view(reinterpret_cast<const char*>(kek.data()), kek.size()),
                         none, random);
}

Result<Secret<32>> ReadKeyFile(const std::filesystem::path& path) {
  FULEI_ASSIGN_OR_RETURN(SecretString s,
                         ReadSecretFile(path, "key-encryption-key", KeyProtection::None()));
  if (s.size() != 32) return Corruption("key file: wrong length");
  return Secret<32>::FromBytes(reinterpret_cast<const uint8_t*>(s.view().data()));
}

namespace internal {

Status DerivePassphraseKey(std::string_view passphrase, const uint8_t* salt, const Argon2Params& p,
                           Secret<32>* out) {
  if (p.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || p.opslimit > kMaxArgon2Opslimit ||
      p.memlimit_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      p.memlimit_bytes > kMaxArgon2Memlimit || p.memlimit_bytes % 1024 != 0) {
    return InvalidArgument("argon2id parameters out of bounds");
  }
  if (crypto_pwhash(out->data(), out->size(), passphrase.data(), passphrase.size(), salt,
                    p.opslimit, static_cast<size_t>(p.memlimit_bytes),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhausted("argon2id: out of memory");
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace fulei::crypto

// Secret files: how crypto/ keeps a secret (a node identity, the data-key ring, the root key) on
// disk — optionally sealed under a passphrase (argon2id) or a 32-byte key-encryption key from a
// key file. Format: docs/crypto.md#secret-files.
//
// Files are written atomically (temporary file created 0600, fsync, rename, fsync of the
// directory) and read only if they are regular files with no group/other permission bits
// (kPermissionDenied otherwise: a key readable by other users is treated as leaked).
// A wrong passphrase or key-file key gives kUnauthenticated; damaged bytes give kCorruption.
// Every file names its purpose ("node-identity", "data-keys", ...), checked on read, so one kind
// of secret file can never be read as another.
// Stateless functions; thread-safe for distinct paths.
#ifndef FULEI_CRYPTO_SECRET_FILE_H_
#define FULEI_CRYPTO_SECRET_FILE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/random.h"
#include "crypto/secret.h"

namespace fulei::crypto {

// argon2id (crypto_pwhash_ALG_ARGON2ID13) cost. The defaults fit a 1 GB Raspberry Pi: 64 MiB of
// memory (a node's whole working set is tens of MB; 64 MiB is taken once at start-up and freed)
// and 3 passes, about 0.5 s on a Pi 4 core — see docs/crypto.md#argon2id.
struct Argon2Params {
  uint64_t opslimit = 3;
  uint64_t memlimit_bytes = 64ull << 20;
};
// Bounds accepted when reading a file, so a tampered header cannot make start-up allocate 4 GiB.
inline constexpr uint64_t kMaxArgon2Opslimit = 10;
inline constexpr uint64_t kMaxArgon2Memlimit = 256ull << 20;

class KeyProtection {
 public:
  enum class Kind : uint8_t { kNone = 0, kKeyFile = 1, kPassphrase = 2 };

  static KeyProtection None() { return KeyProtection(Kind::kNone); }
  static KeyProtection KeyFile(Secret<32> kek);
  static KeyProtection Passphrase(std::string_view passphrase, Argon2Params params = {});

  Kind kind() const { return kind_; }
  const Secret<32>& kek() const { return kek_; }
  std::string_view passphrase() const { return passphrase_.view(); }
  const Argon2Params& params() const { return params_; }

 private:
  explicit KeyProtection(Kind kind) : kind_(kind) {}
  Kind kind_;
  Secret<32> kek_;
  SecretString passphrase_;
  Argon2Params params_;
};

// The encoded file content for `secret` (a SecretString: unprotected content holds the secret).
Result<SecretString> SealSecret(std::string_view purpose, std::string_view secret,
                                const KeyProtection& protection, Random& random);
// Opens file content made by SealSecret. kFailedPrecondition when the file uses another kind of
// protection than `protection` (the message says which).
Result<SecretString> OpenSecret(std::string_view purpose, std::string_view content,
                                const KeyProtection& protection);

// kReplace swaps the file atomically; kCreateNew fails with kAlreadyExists (atomically, via
// link(2)) when the path exists, so an identity is never overwritten by a race either.
enum class WriteMode { kReplace, kCreateNew };

Status WriteSecretFile(const std::filesystem::path& path, std::string_view purpose,
                       std::string_view secret, const KeyProtection& protection, Random& random,
                       WriteMode mode = WriteMode::kReplace);
Result<SecretString> ReadSecretFile(const std::filesystem::path& path, std::string_view purpose,
                                    const KeyProtection& protection);

// A new random key-encryption key file (0600) for KeyProtection::KeyFile, and reading it back.
Status CreateKeyFile(const std::filesystem::path& path, Random& random);
Result<Secret<32>> ReadKeyFile(const std::filesystem::path& path);

// Low-level file helpers shared by crypto/: atomic 0600 write; read refusing loose permissions.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view content,
                        WriteMode mode = WriteMode::kReplace);
Result<SecretString> ReadPrivateFile(const std::filesystem::path& path, size_t max_bytes);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_SECRET_FILE_H_

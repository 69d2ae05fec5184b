// DataDir: one node's data directory, as `fulei init` / `fulei join` make it and `fulei run`
// reads it (docs/operations.md#the-data-directory):
//   fulei.toml      the configuration (node/config.h)
//   node.kek        the key-encryption key that seals node.key and data.keys (0600)
//   node.key        the node's identity (crypto/identity.h), sealed under node.kek
//   node.chain      the node's certificate chain, leaf first (crypto::EncodeChain)
//   network.root    the network's root public key, 64 hex digits
//   data.keys       the data-key ring that seals the store's values (crypto/data_key.h)
//   store/          the LMDB store (docs/store.md)
//   tokens.ledger   towns and the city: the join tokens issued (node/enrolment.h)
//   root.key        the city, unless kept elsewhere: the root key, sealed under a passphrase
//   lock            flock(2)ed by whoever uses the store: the daemon, or a command without one
//   control.sock    the running daemon's control socket (node/control.h), mode 0600
//   web-cert.pem    the admin web's self-signed TLS certificate, when it serves one
//   web-key.pem     its private key
// Everything is created 0600 (the directory 0700); a file readable by others is refused.
//
// A node on an unattended Raspberry Pi must start without a person, so its keys are sealed under
// a key file rather than a passphrase: node.kek can be moved to a separate medium and named
// with FULEI_KEK_FILE; the root key, which no node needs to run, stays under a passphrase.
#ifndef FULEI_NODE_DATA_DIR_H_
#define FULEI_NODE_DATA_DIR_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/data_key.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"
#include "crypto/signing.h"

namespace fulei::node {

class DataDir {
 public:
  explicit DataDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config() const { return dir_ / "fulei.toml"; }
  std::filesystem::path kek() const;
  std::filesystem::path chain() const { return dir_ / "node.chain"; }
  std::filesystem::path root_public() const { return dir_ / "network.root"; }
  std::filesystem::path store() const { return dir_ / "store"; }
  std::filesystem::path ledger() const { return dir_ / "tokens.ledger"; }
  std::filesystem::path root_key() const { return dir_ / "root.key"; }
  std::filesystem::path lock() const { return dir_ / "lock"; }
  std::filesystem::path control_socket() const { return dir_ / "control.sock"; }
  // The admin web's self-signed TLS certificate and its key (admin-web/tls_certificate.h), made
  // by init and join when the node serves an admin web.
  std::filesystem::path web_certificate_path() const { return dir_ / "web-cert.pem"; }
  std::filesystem::path web_key_path() const { return dir_ / "web-key.pem"; }
  // True when the directory already holds a node (an identity or a config).
  bool initialised() const;

  // Writes a new node's files (node.kek, node.key, data.keys, node.chain, network.root) and its
  // config text. On any error, removes what it wrote: a directory is never left half-made.
  // kAlreadyExists when the directory already holds a node.
  Status Create(const crypto::NodeIdentity& identity, const crypto::CertChain& chain,
                const crypto::SigningPublicKey& root, std::string_view config_text,
                crypto::Random& random) const;

  // What a node needs to run: its keys, chain and root, and the protection of its key files.
  struct Files {
    crypto::NodeIdentity identity;
    crypto::CertChain chain;
    crypto::SigningPublicKey root{};
    crypto::KeyRing ring;
  };
  // kNotFound when the directory holds no node; the crypto errors of a damaged or loose file.
  Result<Files> Load() const;
  // Replaces data.keys with `ring`, sealed under this node's key-encryption key (a restore).
  Status SaveRing(const crypto::KeyRing& ring, crypto::Random& random) const;

 private:
  Result<crypto::KeyProtection> Protection() const;
  std::filesystem::path dir_;
};

// An exclusive flock(2) on DIR/lock, held while it lives: one daemon (or offline command) per
// data directory. kFailedPrecondition when another process holds it.
class DirLock {
 public:
  static Result<DirLock> Acquire(const DataDir& dir);
  DirLock(DirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirLock& operator=(DirLock&&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Reads a passphrase: from the terminal with echo off when stdin is one (asking twice when
// `confirm`), else one line of stdin. Never from argv. kInvalidArgument when empty (or, when
// confirming, when the two differ).
Result<crypto::SecretString> ReadPassphrase(std::string_view prompt, bool confirm);

std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

}  // namespace fulei::node

#endif  // FULEI_NODE_DATA_DIR_H_

// Sealed streams: a file of any size sealed under a passphrase, written and read one frame at a
// time (a backup of a store is gigabytes at the city; it never has to fit in memory). Format:
// docs/crypto.md#sealed-streams.
//
//   header  "FULEISS1" || purpose length (u8) || purpose || argon2id opslimit (u64 BE) ||
//           memlimit (u64 BE) || salt (16) || secretstream header (24)
//   frames  length (u32 BE) || crypto_secretstream_xchacha20poly1305 ciphertext, the first
//           with the header as associated data, the last tagged FINAL
//
// A wrong passphrase gives kUnauthenticated; a changed byte anywhere, a frame moved, dropped or
// repeated, or a file cut short give kCorruption (secretstream authenticates the sequence, and
// a stream that ends without its FINAL frame is cut short). The purpose ("fulei-backup", ...)
// is checked on read, so one kind of stream is never read as another.
//
// Thread-compatible.
#ifndef FULEI_CRYPTO_SEALED_STREAM_H_
#define FULEI_CRYPTO_SEALED_STREAM_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"

namespace fulei::crypto {

// The largest plaintext of one frame.
inline constexpr size_t kSealedStreamMaxFrame = 1 << 20;

class SealedStreamWriter {
 public:
  // Starts `path` (written to `path` + ".tmp", 0600, and renamed into place by Finish; an
  // unfinished writer removes it). kAlreadyExists when `path` exists.
  static Result<SealedStreamWriter> Create(const std::filesystem::path& path,
                                           std::string_view purpose, std::string_view passphrase,
                                           Random& random, Argon2Params params = {});
  SealedStreamWriter(SealedStreamWriter&&) noexcept;
  SealedStreamWriter& operator=(SealedStreamWriter&&) noexcept;
  ~SealedStreamWriter();

  // One frame of at most kSealedStreamMaxFrame bytes.
  Status Append(std::string_view plaintext);
  // The last frame; then fsync, rename into place and fsync of the directory.
  Status Finish(std::string_view plaintext);
  uint64_t bytes_written() const;

 private:
  struct State;
  explicit SealedStreamWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class SealedStreamReader {
 public:
  // kNotFound, kInvalidArgument (not a sealed stream, or one of another purpose),
  // kUnauthenticated (wrong passphrase), kCorruption.
  static Result<SealedStreamReader> Open(const std::filesystem::path& path,
                                         std::string_view purpose, std::string_view passphrase);
  SealedStreamReader(SealedStreamReader&&) noexcept;
  SealedStreamReader& operator=(SealedStreamReader&&) noexcept;
  ~SealedStreamReader();

  // The next frame's plaintext. After the FINAL frame has been returned, nullopt; kCorruption
  // for bytes after it or a stream that ends before it.
  Result<std::optional<std::string>> Next();
  // True once the FINAL frame has been returned.
  bool finished() const;
  uint64_t file_bytes() const;
  uint64_t bytes_read() const;

 private:
  struct State;
  explicit SealedStreamReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_SEALED_STREAM_H_

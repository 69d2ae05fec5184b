#include "node/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "crypto/sealed_stream.h"
#include "crypto/signing.h"
#include "node/data_dir.h"

namespace fulei::node {
namespace {

namespace json = boost::json;
constexpr std::string_view kPurpose = "fulei-backup";
constexpr int kFormat = 1;

Status Errno(const std::string& what) { return IoError(what + ": " + std::strerror(errno)); }

std::string Hex(const std::array<uint8_t, 32>& digest) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// A JSON number that is a whole count (parsed numbers come back as int64 when they fit).
std::optional<uint64_t> Count(const json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  return std::nullopt;
}

Result<BackupManifest> ParseManifest(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  auto str = [&](const char* k) -> const json::string* {
    const json::value* f = o ? o->if_contains(k) : nullptr;
    return f ? f->if_string() : nullptr;
  };
  auto num = [&](const char* k) -> std::optional<uint64_t> {
    const json::value* f = o ? o->if_contains(k) : nullptr;
    return f ? Count(*f) : std::nullopt;
  };
  const json::value* format = o ? o->if_contains("format") : nullptr;
  if (!format || !format->is_int64() || !str("unit") || !str("node") || !num("created_ms") ||
      !num("store_bytes")) {
    return Corruption("backup manifest is malformed");
  }
  if (format->as_int64() != kFormat) {
    return FailedPrecondition("backup format " + std::to_string(format->as_int64()) +
                              " is not the supported " + std::to_string(kFormat) +
                              " (a newer fulei made it)");
  }
  return BackupManifest{std::string(*str("unit")), std::string(*str("node")), *num("created_ms"),
                        *num("store_bytes")};
}

Result<OpenedBackup> ReadHead(crypto::SealedStreamReader& in) {
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> first, in.Next());
  if (!first || in.finished()) return Corruption("backup ends after its manifest");
  FULEI_ASSIGN_OR_RETURN(BackupManifest manifest, ParseManifest(*first));
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> wrapped, in.Next());
  if (!wrapped || in.finished()) return Corruption("backup ends after its key ring");
  auto ring = crypto::KeyRing::Unwrap(*wrapped, crypto::KeyProtection::None());
  std::fill(wrapped->begin(), wrapped->end(), '\0');
  if (!ring.ok()) return Corruption("backup key ring: " + ring.status().message());
  return OpenedBackup{std::move(manifest), std::move(*ring)};
}

}  // namespace

Result<uint64_t> WriteBackup(const std::filesystem::path& out,
                             const std::filesystem::path& store_file, const crypto::KeyRing& ring,
                             const BackupManifest& manifest, std::string_view passphrase,
                             crypto::Random& random, const BackupProgress& progress,
                             crypto::Argon2Params params) {
  const int fd = ::open(store_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + store_file.string());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0 || ::lseek(fd, 0, SEEK_SET) != 0) return Errno("seek " + store_file.string());

  FULEI_ASSIGN_OR_RETURN(
      crypto::SealedStreamWriter w,
      crypto::SealedStreamWriter::Create(out, kPurpose, passphrase, random, params));
  json::object m{{"format", kFormat},
                 {"unit", manifest.unit},
                 {"node", manifest.node},
                 {"created_ms", manifest.created_ms},
                 {"store_bytes", static_cast<uint64_t>(size)}};
  FULEI_RETURN_IF_ERROR(w.Append(json::serialize(m)));
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString wrapped,
                         ring.Wrap(crypto::KeyProtection::None(), random));
  FULEI_RETURN_IF_ERROR(w.Append(wrapped.view()));

  crypto::Blake2b256Stream sum;
  std::string chunk(crypto::kSealedStreamMaxFrame, '\0');
  uint64_t done = 0;
  while (done < static_cast<uint64_t>(size)) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read " + store_file.string());
    if (n == 0) return IoError(store_file.string() + " shrank while it was read");
    const std::string_view piece(chunk.data(), static_cast<size_t>(n));
    sum.Update(piece);
    FULEI_RETURN_IF_ERROR(w.Append(piece));
    done += static_cast<uint64_t>(n);
    if (progress) progress(done, static_cast<uint64_t>(size));
  }
  json::object trailer{{"store_bytes", done}, {"store_blake2b", Hex(sum.Final())}};
  FULEI_RETURN_IF_ERROR(w.Finish(json::serialize(trailer)));
  return w.bytes_written();
}

Result<OpenedBackup> ReadBackupHead(const std::filesystem::path& from,
                                    std::string_view passphrase) {
  FULEI_ASSIGN_OR_RETURN(crypto::SealedStreamReader in,
                         crypto::SealedStreamReader::Open(from, kPurpose, passphrase));
  return ReadHead(in);
}

Result<OpenedBackup> ReadBackup(const std::filesystem::path& from, std::string_view passphrase,
                                const std::filesystem::path& store_file,
                                const BackupProgress& progress) {
  FULEI_ASSIGN_OR_RETURN(crypto::SealedStreamReader in,
                         crypto::SealedStreamReader::Open(from, kPurpose, passphrase));
  FULEI_ASSIGN_OR_RETURN(OpenedBackup head, ReadHead(in));
  const int fd =
      ::open(store_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + store_file.string());
  bool kept = false;
  struct Cleanup {
    int fd;
    const std::filesystem::path& path;
    bool& kept;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      if (!kept) ::unlink(path.c_str());
    }
  } cleanup{fd, store_file, kept};

  crypto::Blake2b256Stream sum;
  uint64_t done = 0;
  for (;;) {
    FULEI_ASSIGN_OR_RETURN(std::optional<std::string> frame, in.Next());
    if (!frame) return Corruption("backup ends without its checksum");
    if (in.finished()) {
      // The trailer: the size and checksum of the store copy.
      boost::system::error_code ec;
      json::value v = json::parse(*frame, ec);
      const json::object* t = ec ? nullptr : v.if_object();
      const json::value* bytes = t ? t->if_contains("store_bytes") : nullptr;
      const json::value* digest = t ? t->if_contains("store_blake2b") : nullptr;
      if (!bytes || !Count(*bytes) || !digest || !digest->is_string()) {
        return Corruption("backup trailer is malformed");
      }
      if (*Count(*bytes) != done || done != head.manifest.store_bytes) {
        return Corruption("backup store size does not match its manifest");
      }
      if (digest->as_string() != Hex(sum.Final())) {
        return Corruption("backup store checksum does not match");
      }
      break;
    }
    sum.Update(*frame);
    std::string_view rest = *frame;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Errno("write " + store_file.string());
      rest.remove_prefix(static_cast<size_t>(n));
    }
    done += frame->size();
    if (done > head.manifest.store_bytes) {
      return Corruption("backup holds more store than its manifest says");
    }
    if (progress) progress(done, head.manifest.store_bytes);
  }
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> after, in.Next());
  if (after) return Corruption("backup continues after its checksum");
  if (::fsync(fd) != 0) return Errno("fsync " + store_file.string());
  kept = true;
  return head;
}

}  // namespace fulei::node

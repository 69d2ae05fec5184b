#include "crypto/sealed_stream.h"

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
constexpr std::string_view kMagic = "FULEISS1";
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;                              // 16
constexpr size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;  // 24
constexpr size_t kAddBytes = crypto_secretstream_xchacha20poly1305_ABYTES;          // 17
constexpr size_t kMaxCipherFrame = kSealedStreamMaxFrame + kAddBytes;
constexpr uint8_t kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr uint8_t kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

Status Errno(const std::string& what) { return IoError(what + ": " + std::strerror(errno)); }

Status WriteAll(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("write " + name);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Reads exactly n bytes; false at end of file (or a short read at the end).
Result<bool> ReadExactly(int fd, size_t n, std::string* out, const std::string& name) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out->data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("read " + name);
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return got == n;
}

}  // namespace

struct SealedStreamWriter::State {
  std::filesystem::path path, tmp;
  int fd = -1;
  crypto_secretstream_xchacha20poly1305_state stream;
  std::string header;  // associated data of the first frame
  bool first = true;
  bool finished = false;
  uint64_t written = 0;

  ~State() {
    if (fd >= 0) ::close(fd);
    if (!finished && !tmp.empty()) ::unlink(tmp.c_str());
    sodium_memzero(&stream, sizeof stream);
  }

  Status Frame(std::string_view plaintext, uint8_t tag) {
    if (finished) return FailedPrecondition("sealed stream already finished");
    if (plaintext.size() > kSealedStreamMaxFrame) return InvalidArgument("frame too large");
    std::string frame;
    internal::PutU32(frame, static_cast<uint32_t>(plaintext.size() + kAddBytes));
    frame.resize(4 + plaintext.size() + kAddBytes);
    const std::string_view ad = first ? std::string_view(header) : std::string_view();
    crypto_secretstream_xchacha20poly1305_push(&stream, U8Ptr(frame) + 4, nullptr, U8Ptr(plaintext),
                                               plaintext.size(), ad.empty() ? nullptr : U8Ptr(ad),
                                               ad.size(), tag);
    first = false;
    FULEI_RETURN_IF_ERROR(WriteAll(fd, frame, tmp.string()));
    written += frame.size();
    return Status::Ok();
  }
};

SealedStreamWriter::SealedStreamWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
SealedStreamWriter::SealedStreamWriter(SealedStreamWriter&&) noexcept = default;
SealedStreamWriter& SealedStreamWriter::operator=(SealedStreamWriter&&) noexcept = default;
SealedStreamWriter::~SealedStreamWriter() = default;

Result<SealedStreamWriter> SealedStreamWriter::Create(const std::filesystem::path& path,
                                                      std::string_view purpose,
                                                      std::string_view passphrase, Random& random,
                                                      Argon2Params params) {
  if (purpose.empty() || purpose.size() > 255) return InvalidArgument("bad stream purpose");
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return AlreadyExists(path.string() + " already exists");
  auto s = std::make_unique<State>();
  s->path = path;
  s->tmp = path.string() + ".tmp";
  uint8_t salt[kSaltBytes];
  random.Fill(salt, sizeof salt);
  Secret<32> key;
  FULEI_RETURN_IF_ERROR(internal::DerivePassphraseKey(passphrase, salt, params, &key));

  s->header.append(kMagic);
  internal::PutU8(s->header, static_cast<uint8_t>(purpose.size()));
  s->header.append(purpose);
  internal::PutU64(s->header, params.opslimit);
  internal::PutU64(s->header, params.memlimit_bytes);
  internal::PutBytes(s->header, salt, sizeof salt);
  uint8_t stream_header[kHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&s->stream, stream_header, key.data());
  internal::PutBytes(s->header, stream_header, sizeof stream_header);

  s->fd = ::open(s->tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (s->fd < 0) {
    Status e = Errno("create " + s->tmp.string());
    s->tmp.clear();  // not ours: never unlink a file another writer made
    return e;
  }
  FULEI_RETURN_IF_ERROR(WriteAll(s->fd, s->header, s->tmp.string()));
  s->written = s->header.size();
  return SealedStreamWriter(std::move(s));
}

Status SealedStreamWriter::Append(std::string_view plaintext) {
  return state_->Frame(plaintext, kTagMessage);
}

Status SealedStreamWriter::Finish(std::string_view plaintext) {
  State& s = *state_;
  FULEI_RETURN_IF_ERROR(s.Frame(plaintext, kTagFinal));
  if (::fsync(s.fd) != 0) return Errno("fsync " + s.tmp.string());
  ::close(s.fd);
  s.fd = -1;
  // Never over a file that appeared meanwhile (link fails with EEXIST where rename would not).
  if (::link(s.tmp.c_str(), s.path.c_str()) != 0) return Errno("create " + s.path.string());
  ::unlink(s.tmp.c_str());
  s.finished = true;
  const std::filesystem::path dir =
      s.path.has_parent_path() ? s.path.parent_path() : std::filesystem::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open " + dir.string());
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  return synced ? Status::Ok() : Errno("fsync " + dir.string());
}

uint64_t SealedStreamWriter::bytes_written() const { return state_->written; }

struct SealedStreamReader::State {
  std::string name;
  int fd = -1;
  crypto_secretstream_xchacha20poly1305_state stream;
  std::string header;
  bool first = true;
  bool finished = false;
  uint64_t size = 0;
  uint64_t read = 0;

  ~State() {
    if (fd >= 0) ::close(fd);
    sodium_memzero(&stream, sizeof stream);
  }
};

SealedStreamReader::SealedStreamReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
SealedStreamReader::SealedStreamReader(SealedStreamReader&&) noexcept = default;
SealedStreamReader& SealedStreamReader::operator=(SealedStreamReader&&) noexcept = default;
SealedStreamReader::~SealedStreamReader() = default;

Result<SealedStreamReader> SealedStreamReader::Open(const std::filesystem::path& path,
                                                    std::string_view purpose,
                                                    std::string_view passphrase) {
  auto s = std::make_unique<State>();
  s->name = path.string();
  s->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (s->fd < 0) {
    return errno == ENOENT ? NotFound("no such file: " + s->name) : Errno("open " + s->name);
  }
  struct stat st {};
  if (::fstat(s->fd, &st) != 0) return Errno("stat " + s->name);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(s->name + " is not a regular file");
  s->size = static_cast<uint64_t>(st.st_size);

  std::string chunk;
  const std::string not_ours = s->name + " is not a sealed " + std::string(purpose) + " file";
  FULEI_ASSIGN_OR_RETURN(bool whole, ReadExactly(s->fd, kMagic.size() + 1, &chunk, s->name));
  if (!whole || std::string_view(chunk).substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument(not_ours);
  }
  s->header = chunk;
  const size_t purpose_size = static_cast<uint8_t>(chunk.back());
  const size_t rest = purpose_size + 16 + kSaltBytes + kHeaderBytes;
  FULEI_ASSIGN_OR_RETURN(whole, ReadExactly(s->fd, rest, &chunk, s->name));
  if (!whole) return Corruption(s->name + ": cut short in its header");
  s->header += chunk;
  internal::Reader r(chunk);
  std::string_view got_purpose, salt, stream_header;
  Argon2Params params;
  r.Bytes(purpose_size, &got_purpose);
  r.U64(&params.opslimit);
  r.U64(&params.memlimit_bytes);
  r.Bytes(kSaltBytes, &salt);
  r.Bytes(kHeaderBytes, &stream_header);
  if (got_purpose != purpose) {
    return InvalidArgument(not_ours + " (it is a " + std::string(got_purpose) + " file)");
  }
  Secret<32> key;
  Status derived = internal::DerivePassphraseKey(passphrase, U8Ptr(salt), params, &key);
  if (!derived.ok()) return Corruption(s->name + ": " + derived.message());
  if (crypto_secretstream_xchacha20poly1305_init_pull(&s->stream, U8Ptr(stream_header),
                                                      key.data()) != 0) {
    return Corruption(s->name + ": bad stream header");
  }
  s->read = s->header.size();
  return SealedStreamReader(std::move(s));
}

Result<std::optional<std::string>> SealedStreamReader::Next() {
  State& s = *state_;
  std::string len_bytes;
  FULEI_ASSIGN_OR_RETURN(bool whole, ReadExactly(s.fd, 4, &len_bytes, s.name));
  if (s.finished) {
    if (!len_bytes.empty()) return Corruption(s.name + ": bytes after the last frame");
    return std::optional<std::string>();
  }
  if (!whole) return Corruption(s.name + ": cut short (no last frame)");
  internal::Reader r(len_bytes);
  uint32_t n = 0;
  r.U32(&n);
  if (n < kAddBytes || n > kMaxCipherFrame) return Corruption(s.name + ": bad frame length");
  std::string cipher;
  FULEI_ASSIGN_OR_RETURN(whole, ReadExactly(s.fd, n, &cipher, s.name));
  if (!whole) return Corruption(s.name + ": cut short (no last frame)");
  std::string plain(n - kAddBytes, '\0');
  unsigned char tag = 0;
  const std::string_view ad = s.first ? std::string_view(s.header) : std::string_view();
  if (crypto_secretstream_xchacha20poly1305_pull(
          &s.stream, U8Ptr(plain), nullptr, &tag, U8Ptr(cipher), cipher.size(),
          ad.empty() ? nullptr : U8Ptr(ad), ad.size()) != 0) {
    // The first frame failing is, by far most likely, the wrong passphrase.
    return s.first ? Unauthenticated("口令错误或文件已损坏 / wrong passphrase (or " + s.name +
                                     " is damaged)")
                   : Corruption(s.name + ": a frame does not authenticate (damaged file)");
  }
  s.first = false;
  s.read += 4 + n;
  if (tag == kTagFinal) {
    s.finished = true;
  } else if (tag != kTagMessage) {
    return Corruption(s.name + ": unexpected frame tag");
  }
  return std::optional<std::string>(std::move(plain));
}

bool SealedStreamReader::finished() const { return state_->finished; }
uint64_t SealedStreamReader::file_bytes() const { return state_->size; }
uint64_t SealedStreamReader::bytes_read() const { return state_->read; }

}  // namespace fulei::crypto

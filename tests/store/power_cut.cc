#include "tests/store/power_cut.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <system_error>
#include <vector>

#include "tests/store/io_faults.h"

namespace fulei::store::testing {
namespace {

namespace fs = std::filesystem;

// Journal record: a header, `length` bytes, then kEnd. A record without its kEnd (the writer was
// killed while appending it) is ignored, and so is everything after it.
constexpr uint32_t kMagic = 0x4a435031;  // "1PCJ"
constexpr uint32_t kEnd = 0x444e4521;
enum Kind : uint32_t {
  kUndoVolatile = 0,  // bytes before a write through an ordinary descriptor
  kUndoDurable = 1,   // bytes before a write through an O_DSYNC descriptor
  kRedoDurable = 2,   // bytes of that O_DSYNC write, after it returned
};
struct Header {
  uint32_t magic;
  uint32_t kind;
  uint64_t offset;
  uint64_t size_before;  // undo: the file's size before the write
  uint64_t write_len;    // bytes the write was asked to write
  uint64_t length;       // bytes that follow
};

constexpr std::string_view kJournalSuffix = ".undo";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "power_cut: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

void WriteAll(int fd, const std::string& bytes, const std::string& what) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Die("write " + what);
    done += static_cast<size_t>(n);
  }
}

std::string Record(Kind kind, uint64_t offset, uint64_t size_before, uint64_t write_len,
                   const std::string& bytes) {
  Header h{kMagic, kind, offset, size_before, write_len, bytes.size()};
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  out += bytes;
  out.append(reinterpret_cast<const char*>(&kEnd), sizeof kEnd);
  return out;
}

class VolatileDisk final : public WriteObserver {
 public:
  VolatileDisk(std::string dir, std::string journal)
      : dir_(std::move(dir)), journal_(std::move(journal)) {}
  ~VolatileDisk() override {
    for (const auto& [name, fd] : journals_) ::close(fd);
  }

  void BeforeWrite(int fd, off_t offset, size_t n) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string name;
    struct stat st {};
    if (!Tracked(fd, &name, &st) || offset < 0) return;
    const auto size = static_cast<uint64_t>(st.st_size);
    const auto off = static_cast<uint64_t>(offset);
    std::string old(off < size ? std::min<uint64_t>(n, size - off) : 0, '\0');
    // LMDB's O_DSYNC descriptor is write-only: read through a descriptor of our own.
    const int flags = ::fcntl(fd, F_GETFL);
    const bool readable = flags >= 0 && (flags & O_ACCMODE) != O_WRONLY;
    const int rfd =
        readable || old.empty()
            ? fd
            : ::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd < 0) Die("reopen " + name + " to read");
    size_t got = 0;
    while (got < old.size()) {
      const ssize_t r =
          ::pread(rfd, old.data() + got, old.size() - got, static_cast<off_t>(off + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) Die("pread " + name);
      got += static_cast<size_t>(r);
    }
    if (rfd != fd) ::close(rfd);
    const Kind kind = Durable(fd) ? kUndoDurable : kUndoVolatile;
    WriteAll(JournalFd(name), Record(kind, off, size, n, old), "journal of " + name);
  }

  void AfterWrite(int fd, off_t offset, const struct iovec* iov, int iovcnt,
                  ssize_t written) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string name;
    struct stat st {};
    if (written <= 0 || offset < 0 || !Tracked(fd, &name, &st) || !Durable(fd)) return;
    std::string bytes;
    for (int i = 0; i < iovcnt && bytes.size() < static_cast<size_t>(written); ++i) {
      const size_t take = std::min(iov[i].iov_len, static_cast<size_t>(written) - bytes.size());
      bytes.append(static_cast<const char*>(iov[i].iov_base), take);
    }
    WriteAll(JournalFd(name),
             Record(kRedoDurable, static_cast<uint64_t>(offset), 0, bytes.size(), bytes),
             "journal of " + name);
  }

  bool Sync(int fd) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string name;
    struct stat st {};
    if (!Tracked(fd, &name, &st)) return false;
    // Everything written to the file so far is durable: its journal starts again.
    auto it = journals_.find(name);
    if (it != journals_.end() && ::ftruncate(it->second, 0) != 0) Die("truncate journal");
    return true;
  }

 private:
  // A regular file directly in dir_, other than lock.mdb; `name` gets its file name.
  bool Tracked(int fd, std::string* name, struct stat* st) {
    if (::fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) return false;
    char buf[4096];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return false;
    const std::string_view path(buf, static_cast<size_t>(n));
    if (path.size() <= dir_.size() + 1 || path.substr(0, dir_.size()) != dir_ ||
        path[dir_.size()] != '/') {
      return false;
    }
    const std::string_view base = path.substr(dir_.size() + 1);
    if (base.find('/') != std::string_view::npos || base == "lock.mdb") return false;
    *name = std::string(base);
    return true;
  }

  static bool Durable(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && (flags & O_DSYNC) != 0;  // O_SYNC includes O_DSYNC
  }

  int JournalFd(const std::string& name) {
    auto it = journals_.find(name);
    if (it != journals_.end()) return it->second;
    const std::string path = journal_ + "/" + name + std::string(kJournalSuffix);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) Die("open " + path);
    journals_.emplace(name, fd);
    return fd;
  }

  const std::string dir_;
  const std::string journal_;
  std::mutex mu_;
  std::map<std::string, int> journals_;  // file name in dir_ -> its journal, open for append
};

std::unique_ptr<VolatileDisk> g_disk;

struct Parsed {
  Header h;
  std::string bytes;
};

std::vector<Parsed> ReadJournal(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path;
    return {};
  }
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Parsed> out;
  size_t at = 0;
  while (all.size() - at >= sizeof(Header)) {
    Parsed p;
    std::memcpy(&p.h, all.data() + at, sizeof p.h);
    if (p.h.magic != kMagic || p.h.kind > kRedoDurable) break;
    if (all.size() - at - sizeof(Header) < p.h.length + sizeof kEnd) break;  // cut short
    uint32_t end = 0;
    std::memcpy(&end, all.data() + at + sizeof(Header) + p.h.length, sizeof end);
    if (end != kEnd) break;
    p.bytes = all.substr(at + sizeof(Header), p.h.length);
    at += sizeof(Header) + p.h.length + sizeof kEnd;
    out.push_back(std::move(p));
  }
  return out;
}

bool PwriteAll(int fd, const std::string& bytes, uint64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void StartVolatileWrites(const std::string& dir, const std::string& journal) {
  std::error_code ec;
  fs::create_directories(journal, ec);
  if (ec) Die("create " + journal);
  // The directory as /proc/self/fd shows it (it may not exist yet: the store creates it).
  const std::string canonical = fs::weakly_canonical(dir, ec).string();
  if (ec) Die("canonical " + dir);
  SetWriteObserver(nullptr);
  g_disk = std::make_unique<VolatileDisk>(canonical, journal);
  SetWriteObserver(g_disk.get());
}

void StopVolatileWrites() {
  SetWriteObserver(nullptr);
  g_disk.reset();
}

PowerCutReport PowerCut(const std::string& dir, const std::string& journal, CutMode mode,
                        uint64_t seed) {
  PowerCutReport report;
  std::mt19937_64 rng(seed);
  std::error_code ec;
  std::vector<fs::path> journals;
  for (const auto& entry : fs::directory_iterator(journal, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > kJournalSuffix.size() && name.ends_with(kJournalSuffix)) {
      journals.push_back(entry.path());
    }
  }
  if (ec) {
    report.error = "cannot list " + journal + ": " + ec.message();
    return report;
  }
  std::sort(journals.begin(), journals.end());
  for (const fs::path& path : journals) {
    std::vector<Parsed> records = ReadJournal(path.string(), &report.error);
    if (!report.error.empty()) return report;
    const std::string name = path.filename().string();
    const std::string target = dir + "/" + name.substr(0, name.size() - kJournalSuffix.size());
    if (!records.empty()) {
      const int fd = ::open(target.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) {
        if (errno != ENOENT) {  // a file deleted since (the reserve): nothing to restore
          report.error = "cannot open " + target + ": " + std::strerror(errno);
          return report;
        }
      } else {
        ++report.files;
        // The disk wrote back records [0, keep) in order and lost the rest.
        const size_t keep = mode == CutMode::kDropAll ? 0 : rng() % (records.size() + 1);
        bool ok = true;
        for (size_t i = records.size(); ok && i-- > keep;) {
          const Parsed& r = records[i];
          if (r.h.kind == kRedoDurable) continue;
          ok = PwriteAll(fd, r.bytes, r.h.offset) &&
               ::ftruncate(fd, static_cast<off_t>(r.h.size_before)) == 0;
          if (r.h.kind == kUndoVolatile) {
            ++report.writes_dropped;
            report.bytes_dropped += r.h.write_len;
          }
        }
        for (size_t i = keep; ok && i < records.size(); ++i) {
          const Parsed& r = records[i];
          if (r.h.kind != kRedoDurable) continue;
          ok = PwriteAll(fd, r.bytes, r.h.offset);
          ++report.durable_redone;
        }
        ::close(fd);
        if (!ok) {
          report.error = "cannot restore " + target + ": " + std::strerror(errno);
          return report;
        }
      }
    }
    fs::remove(path, ec);
    if (ec) {
      report.error = "cannot remove " + path.string() + ": " + ec.message();
      return report;
    }
  }
  return report;
}

}  // namespace fulei::store::testing

#include "tests/store/io_faults.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace fulei::store::testing {
namespace {

enum class Mode { kOff, kFailOnce, kFailFrom, kKill };
Mode g_mode = Mode::kOff;
int64_t g_at = 0;
int64_t g_seen = 0;
int g_err = EIO;
WriteObserver* g_observer = nullptr;

template <typename F>
F Real(const char* name) {
  void* sym = dlsym(RTLD_NEXT, name);
  if (sym == nullptr) std::abort();
  return reinterpret_cast<F>(sym);
}

// True when this write must fail (errno set); kills the process when armed to.
bool Inject() {
  if (g_mode == Mode::kOff) return false;
  ++g_seen;
  if (g_seen < g_at) return false;
  switch (g_mode) {
    case Mode::kKill:
      if (g_seen == g_at) ::kill(::getpid(), SIGKILL);
      return false;
    case Mode::kFailOnce:
      if (g_seen != g_at) return false;
      errno = g_err;
      return true;
    case Mode::kFailFrom:
      errno = g_err;
      return true;
    case Mode::kOff:
      break;
  }
  return false;
}

void Arm(Mode mode, int64_t k, int err) {
  g_seen = 0;
  g_at = k;
  g_err = err;
  g_mode = mode;
}

}  // namespace

void FailWriteAt(int64_t k, int err) { Arm(Mode::kFailOnce, k, err); }
void FailWritesFrom(int64_t k, int err) { Arm(Mode::kFailFrom, k, err); }
void KillAtWrite(int64_t k) { Arm(Mode::kKill, k, 0); }
void DisarmIoFaults() { Arm(Mode::kOff, 0, 0); }
int64_t WritesSeen() { return g_seen; }
void SetWriteObserver(WriteObserver* observer) { g_observer = observer; }

}  // namespace fulei::store::testing

using fulei::store::testing::g_observer;
using fulei::store::testing::Inject;

extern "C" {

ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  static auto real =
      fulei::store::testing::Real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (Inject()) return -1;
  if (g_observer == nullptr) return real(fd, buf, n, offset);
  g_observer->BeforeWrite(fd, offset, n);
  const ssize_t written = real(fd, buf, n, offset);
  const int saved = errno;
  iovec one;
  one.iov_base = const_cast<void*>(buf);
  one.iov_len = n;
  g_observer->AfterWrite(fd, offset, &one, 1, written);
  errno = saved;
  return written;
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto real =
      fulei::store::testing::Real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (Inject()) return -1;
  if (g_observer == nullptr) return real(fd, iov, iovcnt);
  const off_t offset = ::lseek(fd, 0, SEEK_CUR);
  size_t n = 0;
  for (int i = 0; i < iovcnt; ++i) n += iov[i].iov_len;
  g_observer->BeforeWrite(fd, offset, n);
  const ssize_t written = real(fd, iov, iovcnt);
  const int saved = errno;
  g_observer->AfterWrite(fd, offset, iov, iovcnt, written);
  errno = saved;
  return written;
}

int fdatasync(int fd) {
  static auto real = fulei::store::testing::Real<int (*)(int)>("fdatasync");
  if (Inject()) return -1;
  if (g_observer != nullptr && g_observer->Sync(fd)) return 0;
  return real(fd);
}

int fsync(int fd) {
  static auto real = fulei::store::testing::Real<int (*)(int)>("fsync");
  if (Inject()) return -1;
  if (g_observer != nullptr && g_observer->Sync(fd)) return 0;
  return real(fd);
}

}  // extern "C"

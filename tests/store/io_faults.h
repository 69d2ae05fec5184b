// Fault injection at the file-descriptor level, for the store's fault and crash tests.
//
// io_faults.cc defines pwrite, writev, fdatasync and fsync in the test executable. The
// executable's definitions take precedence over libc's for every shared library (the dynamic
// linker searches the executable first), so liblmdb's writes pass through them — no LD_PRELOAD,
// no change to the store. Each call counts as one "write"; an armed fault triggers at the k-th
// write after arming (1-based), either failing it with an errno (nothing written) or killing
// the process with SIGKILL just before it. Disarmed, the calls go straight to libc.
// Not thread-safe: arm and disarm on the test's thread while no other thread writes.
//
// An observer (power_cut.h, the volatile page cache of the power-cut test) can watch the same
// calls: it sees each write just before it is made (after an armed fault), then its outcome, and
// may take over fdatasync/fsync.
#ifndef FULEI_TESTS_STORE_IO_FAULTS_H_
#define FULEI_TESTS_STORE_IO_FAULTS_H_

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>

namespace fulei::store::testing {

// The k-th write from now fails with `err` (once); later writes succeed.
void FailWriteAt(int64_t k, int err);
// The k-th write from now fails with `err`, and so does every write after it.
void FailWritesFrom(int64_t k, int err);
// The process kills itself with SIGKILL just before the k-th write from now.
void KillAtWrite(int64_t k);
void DisarmIoFaults();
// Writes seen since the last arm/disarm.
int64_t WritesSeen();

// Watches pwrite/writev/fdatasync/fsync. BeforeWrite gets the write's file offset (writev: the
// descriptor's position) and length; AfterWrite the same write, its bytes and what it returned;
// Sync returns true when it handled the call itself (libc's is then not called; it returns 0).
// Not owned; nullptr removes it. Set it while no other thread writes.
class WriteObserver {
 public:
  virtual ~WriteObserver() = default;
  virtual void BeforeWrite(int fd, off_t offset, size_t n) = 0;
  virtual void AfterWrite(int fd, off_t offset, const struct iovec* iov, int iovcnt,
                          ssize_t written) = 0;
  virtual bool Sync(int fd) = 0;
};
void SetWriteObserver(WriteObserver* observer);

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_IO_FAULTS_H_

// How an export reaches the disk: a file readable by its owner only, never visible half-written
// under its name, and no plaintext temporary file left behind (docs/export.md, "Files").
//
// PrivateOutput::Create makes a private directory ".fulei-export-XXXXXX" (mkdtemp: 0700) next to
// the target, holds an exclusive flock on it while in use, and creates the file to write in it
// (0600, O_EXCL, O_NOFOLLOW). Libraries that need a temporary directory (libxlsxwriter's
// `tmpdir`) are given the private directory, never /tmp. Publish fsyncs the file, renames it over
// the target (same directory, so the same file system: atomic) and fsyncs the directory. The
// destructor removes the private directory and everything in it, published or not.
// A process killed in the middle leaves its private directory (0700, owner only); the next
// Create in that directory removes such directories once their lock is free (their owner is
// gone).
//
// Internal to programme/. Thread-compatible: one PrivateOutput per export.
#ifndef FULEI_PROGRAMME_INTERNAL_EXPORT_FILE_H_
#define FULEI_PROGRAMME_INTERNAL_EXPORT_FILE_H_

#include <string>
#include <string_view>

#include "crdt/status.h"
#include "programme/export_table.h"

namespace fulei::programme::internal {

// The prefix of the private directories.
inline constexpr std::string_view kPrivateDirPrefix = ".fulei-export-";

// kPermissionDenied unless `table` was redacted for `viewer` (same user, role and unit).
Status CheckMadeFor(const Viewer& viewer, const RedactedTable& table);

class PrivateOutput {
 public:
  // Errors: kInvalidArgument (an empty target or one ending in '/'), kIoError.
  static Result<PrivateOutput> Create(const std::string& target);

  PrivateOutput(PrivateOutput&& other) noexcept;
  PrivateOutput& operator=(PrivateOutput&& other) noexcept;
  PrivateOutput(const PrivateOutput&) = delete;
  PrivateOutput& operator=(const PrivateOutput&) = delete;
  ~PrivateOutput();

  // The private directory (0700), for a library's temporary files.
  const std::string& dir() const { return dir_; }
  // The file to write: exists, empty, 0600.
  const std::string& file() const { return file_; }

  // Replaces the file's contents with `bytes`. kIoError.
  Status Write(std::string_view bytes);
  // Makes the file the target (see the header comment). kIoError: the target is as it was,
  // unless only the final fsync of its directory failed (the rename may then not be durable).
  Status Publish();

 private:
  PrivateOutput() = default;
  void Remove();

  std::string target_;
  std::string dir_;
  std::string file_;
  int lock_fd_ = -1;  // the private directory, flock(LOCK_EX) while this object lives
};

}  // namespace fulei::programme::internal

#endif  // FULEI_PROGRAMME_INTERNAL_EXPORT_FILE_H_

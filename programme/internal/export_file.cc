#include "programme/internal/export_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace fulei::programme::internal {
namespace {

Status Errno(std::string what) { return IoError("export: " + what + ": " + std::strerror(errno)); }

std::string ParentDir(const std::string& target) {
  const size_t slash = target.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return target.substr(0, slash);
}

// Removes every entry of the directory open as `fd` (files only: nothing else is ever made
// there). Errors are ignored: this is cleanup.
void EmptyDir(int fd) {
  const int dup_fd = ::dup(fd);
  if (dup_fd < 0) return;
  DIR* d = ::fdopendir(dup_fd);
  if (d == nullptr) {
    ::close(dup_fd);
    return;
  }
  ::rewinddir(d);  // a dup shares the offset of `fd`, which an earlier read may have moved
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) (void)::unlinkat(fd, name.c_str(), 0);
}

// Removes the private directories of exports whose process is gone: ours (same owner), holding
// a file, and whose flock is free. An empty one holds nothing and is left (its owner may have
// just made it and not locked it yet).
void RemoveStale(const std::string& parent) {
  DIR* d = ::opendir(parent.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.starts_with(kPrivateDirPrefix)) names.emplace_back(name);
  }
  ::closedir(d);
  for (const std::string& name : names) {
    const std::string path = parent + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      const int probe = ::dup(fd);
      DIR* inner = probe >= 0 ? ::fdopendir(probe) : nullptr;
      bool holds_a_file = false;
      if (inner != nullptr) {
        ::rewinddir(inner);
        while (const dirent* e = ::readdir(inner)) {
          const std::string_view n = e->d_name;
          if (n != "." && n != "..") holds_a_file = true;
        }
        ::closedir(inner);
      } else if (probe >= 0) {
        ::close(probe);
      }
      if (holds_a_file) {
        EmptyDir(fd);
        (void)::rmdir(path.c_str());
      }
    }
    ::close(fd);
  }
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status CheckMadeFor(const Viewer& viewer, const RedactedTable& table) {
  if (table.viewer() == viewer) return Status::Ok();
  return PermissionDenied("export: the table '" + table.table().sheet +
                          "' was redacted for another viewer | 导出表格不是为当前用户生成的");
}

Result<PrivateOutput> PrivateOutput::Create(const std::string& target) {
  if (target.empty() || target.back() == '/') {
    return InvalidArgument("export: '" + target + "' is not a file path");
  }
  const std::string parent = ParentDir(target);
  RemoveStale(parent);
  PrivateOutput out;
  out.target_ = target;
  std::string templ = parent + "/" + std::string(kPrivateDirPrefix) + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return Errno("cannot make a directory in " + parent);
  out.dir_ = templ;  // from here on the destructor removes it
  out.lock_fd_ = ::open(out.dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (out.lock_fd_ < 0) return Errno("open " + out.dir_);
  if (::flock(out.lock_fd_, LOCK_EX) != 0) return Errno("lock " + out.dir_);
  out.file_ = out.dir_ + "/export.part";
  const int fd =
      ::open(out.file_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + out.file_);
  ::close(fd);
  return out;
}

PrivateOutput::PrivateOutput(PrivateOutput&& other) noexcept
    : target_(std::move(other.target_)),
      dir_(std::move(other.dir_)),
      file_(std::move(other.file_)),
      lock_fd_(other.lock_fd_) {
  other.dir_.clear();
  other.lock_fd_ = -1;
}

PrivateOutput& PrivateOutput::operator=(PrivateOutput&& other) noexcept {
  if (this != &other) {
    Remove();
    target_ = std::move(other.target_);
    dir_ = std::move(other.dir_);
    file_ = std::move(other.file_);
    lock_fd_ = other.lock_fd_;
    other.dir_.clear();
    other.lock_fd_ = -1;
  }
  return *this;
}

PrivateOutput::~PrivateOutput() { Remove(); }

void PrivateOutput::Remove() {
  if (!dir_.empty()) {
    if (lock_fd_ >= 0) EmptyDir(lock_fd_);
    (void)::rmdir(dir_.c_str());
    dir_.clear();
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

Status PrivateOutput::Write(std::string_view bytes) {
  const int fd = ::open(file_.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno("open " + file_);
  Status s = WriteAll(fd, bytes);
  if (::close(fd) != 0 && s.ok()) s = Errno("close " + file_);
  return s;
}

Status PrivateOutput::Publish() {
  const int fd = ::open(file_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno("open " + file_);
  // A library may have made the file anew with its own mode: owner only, whatever the umask.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    Status s = Errno("sync " + file_);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(file_.c_str(), target_.c_str()) != 0) return Errno("rename to " + target_);
  const std::string parent = ParentDir(target_);
  const int dir_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("open " + parent);
  const int rc = ::fsync(dir_fd);
  ::close(dir_fd);
  if (rc != 0) return Errno("sync " + parent);
  Remove();
  return Status::Ok();
}

}  // namespace fulei::programme::internal

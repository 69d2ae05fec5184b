// TempDir: a fresh, empty directory made with mkdtemp, removed with everything in it when the
// TempDir goes out of scope. The one temporary directory of every test and benchmark:
//
//   fulei::testing::TempDir dir;                      // under $TMPDIR, or /tmp
//   auto store = Store::Open(dir.path(), options);
//   Backup(dir.sub("backup"));                        // dir.path() + "/backup" (not created)
//
// Each TempDir has its own unique name, so tests running in parallel never share one. Aborts
// (with the path) when the directory cannot be made: a test that cannot write its temporary
// directory cannot check anything. Needs no GoogleTest, so benchmarks use it too.
// Thread-compatible; not copyable or movable (the directory belongs to one scope).
#ifndef FULEI_TESTS_SUPPORT_TEMP_DIR_H_
#define FULEI_TESTS_SUPPORT_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace fulei::testing {

class TempDir {
 public:
  // A directory under $TMPDIR, or /tmp when TMPDIR is unset or empty.
  TempDir() : TempDir(DefaultParent()) {}
  // A directory under `parent`, which must exist (e.g. /dev/shm for a benchmark).
  explicit TempDir(const std::string& parent) {
    std::string name = parent + "/fulei-XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) {
      std::fprintf(stderr, "TempDir: cannot create %s\n", name.c_str());
      std::abort();
    }
    path_ = std::move(name);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name; nothing is created.
  std::string sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  static std::string DefaultParent() {
    const char* tmpdir = std::getenv("TMPDIR");
    return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  }

  std::string path_;
};

}  // namespace fulei::testing

#endif  // FULEI_TESTS_SUPPORT_TEMP_DIR_H_

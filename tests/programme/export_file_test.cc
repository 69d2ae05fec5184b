// How exports reach the disk (programme/internal/export_file.h, through WriteCsv and WriteXlsx):
// owner-only files whatever the umask, never written under their final name, no temporary file
// in $TMPDIR (libxlsxwriter's default) nor next to the file, also when the write fails, and the
// leftovers of a killed export removed by the next one. inotify shows every file made.
#include "programme/internal/export_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "programme/export_csv.h"
#include "programme/export_xlsx.h"
#include "tests/programme/export_rows.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

using testing::kBureau;
using testing::kUnits;
using testing::Row;

// Names created in (or moved into) a directory, as inotify reports them.
class Watch {
 public:
  explicit Watch(const std::string& dir) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO), 0);
  }
  ~Watch() { ::close(fd_); }

  struct Event {
    uint32_t mask;
    std::string name;
  };
  std::vector<Event> Take() {
    std::vector<Event> out;
    alignas(inotify_event) char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t p = 0; p < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf + p);
        out.push_back(Event{e->mask, e->len ? std::string(e->name) : std::string()});
        p += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      }
    }
    return out;
  }

 private:
  int fd_ = -1;
};

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.insert(e.path().filename().string());
  }
  return out;
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ExportFileTest, ExportFilesAre0600AndLeaveNoPlaintextTemp) {
  fulei::testing::TempDir out_dir;
  fulei::testing::TempDir tmp_dir;
  const std::string dir = out_dir.path();
  const ScopedEnv tmpdir("TMPDIR", tmp_dir.path());
  const mode_t old_umask = ::umask(022);
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  ASSERT_OK_AND_ASSIGN(RedactedTable table, ChildrenTable(kBureau, rows, kUnits));
  std::vector<RedactedTable> tables{table};
  const std::string csv = dir + "/children.csv";
  const std::string xlsx = dir + "/children.xlsx";
  {
    std::ofstream old(xlsx);  // an older export, readable by all, is replaced
    old << "old";
  }
  ASSERT_EQ(::chmod(xlsx.c_str(), 0644), 0);

  Watch in_dir(dir), in_tmp(tmp_dir.path());
  ASSERT_OK(WriteCsv(kBureau, table, csv));
  ASSERT_OK(WriteXlsx(kBureau, tables, xlsx));
  ::umask(old_umask);

  EXPECT_EQ(Mode(csv), 0600u);
  EXPECT_EQ(Mode(xlsx), 0600u);
  EXPECT_GT(std::filesystem::file_size(xlsx), 100u);
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"children.csv", "children.xlsx"}));
  // Nothing was ever made in $TMPDIR, and the exports appeared under their names only whole
  // (moved in), never created there and written in place.
  EXPECT_TRUE(in_tmp.Take().empty());
  EXPECT_TRUE(Listing(tmp_dir.path()).empty());
  for (const Watch::Event& e : in_dir.Take()) {
    if (e.name == "children.csv" || e.name == "children.xlsx") {
      EXPECT_TRUE(e.mask & IN_MOVED_TO) << e.name << " was created in place";
    } else {
      EXPECT_TRUE(e.name.starts_with(internal::kPrivateDirPrefix)) << e.name;
    }
  }

  // A failed export leaves nothing behind: here the target is a directory.
  const std::string blocked = dir + "/blocked";
  std::filesystem::create_directories(blocked + "/inside");
  EXPECT_EQ(WriteXlsx(kBureau, tables, blocked).code(), StatusCode::kIoError);
  EXPECT_EQ(WriteCsv(kBureau, table, blocked).code(), StatusCode::kIoError);
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"blocked", "children.csv", "children.xlsx"}));
  EXPECT_TRUE(Listing(tmp_dir.path()).empty());

  // A killed export's private directory (its lock gone with its process) is removed by the
  // next export in that directory; one still held is left alone.
  const std::string stale = dir + "/" + std::string(internal::kPrivateDirPrefix) + "stale1";
  std::filesystem::create_directories(stale);
  { std::ofstream(stale + "/export.part") << "王小明"; }
  ASSERT_OK_AND_ASSIGN(internal::PrivateOutput busy, internal::PrivateOutput::Create(csv));
  ASSERT_OK(busy.Write("王小明"));
  ASSERT_OK(WriteCsv(kBureau, table, csv));
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(busy.file()));
  EXPECT_EQ(Mode(busy.dir()), 0700u);
  EXPECT_EQ(Mode(busy.file()), 0600u);
}

}  // namespace
}  // namespace fulei::programme

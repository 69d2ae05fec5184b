// The `fulei` command end to end, as an operator runs it: real processes, real loopback
// sockets, real data directories. A city is made with `init`; a town and a village are
// enrolled with `invite` and `join`; the three daemons run; records and urgent reports go in
// through the CLI and are read back elsewhere; a town is stopped and restarted; a village is
// killed while it writes. Then the bad input: config errors, bad tokens.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/core/data_key_sealer.h"
#include "node/data_dir.h"
#include "store/internal/value_codec.h"
#include "tests/store/raw_lmdb.h"
#include "tests/store/schema_one.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace fulei::node {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using fulei::testing::Background;
using fulei::testing::ProcessResult;

constexpr char kPass[] = "correct horse battery staple\n";

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string Addr(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

constexpr char kChild[] =
    R"({"name":"测试儿童","gender":"female","birth_date":"2015-03-04","category":"left_behind",)"
    R"("consent_on":"2026-01-05"})";

class FuleiCli : public ::testing::Test {
 protected:
  ProcessResult Fulei(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), FULEI_BINARY);
    return fulei::testing::Run(args, input);
  }
  std::string Dir(const std::string& name) const { return (fs::path(tmp_.path()) / name).string(); }
  Background Daemon(const std::string& name) {
    return Background({FULEI_BINARY, "run", "--dir", Dir(name)}, Dir(name + ".log"));
  }
  std::string Log(const std::string& name) const {
    std::ifstream in(Dir(name + ".log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // `fulei status --json` of the node in `name`, parsed ({} when it failed).
  json::object Status(const std::string& name) {
    ProcessResult r = Fulei({"status", "--dir", Dir(name), "--json"});
    if (r.exit_code != 0) return {};
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);
    return ec || !v.is_object() ? json::object{} : v.as_object();
  }
  // Polls `done` every 100 ms for up to `limit`.
  static bool WaitFor(const std::function<bool()>& done,
                      std::chrono::seconds limit = std::chrono::seconds(40)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }
  static bool UpstreamConnected(const json::object& s, size_t k) {
    if (!s.contains("upstreams")) return false;
    const json::array& ups = s.at("upstreams").as_array();
    return k < ups.size() && ups[k].as_object().at("connected").as_bool();
  }
  // `fulei record put` of a test child `id` at the node in `name`: its exit code.
  int PutChild(const std::string& name, const std::string& id) {
    return Fulei({"record", "put", "--dir", Dir(name), "--type", "child", "--id", id, "--fields",
                  kChild})
        .exit_code;
  }
  // The entry of `status --json`'s "peers" for upstream k ({} when there is none).
  static json::object UpstreamPeer(const json::object& s, int64_t k) {
    if (!s.contains("peers")) return {};
    for (const json::value& p : s.at("peers").as_array()) {
      const json::object& o = p.as_object();
      if (o.contains("upstream") && o.at("upstream").to_number<int64_t>() == k) return o;
    }
    return {};
  }
  static uint64_t RecordBytesSent(const json::object& peer) {
    return peer.contains("bytes_sent")
               ? peer.at("bytes_sent").as_object().at("records").to_number<uint64_t>()
               : 0;
  }
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // The city (listening on city_port_), running.
  void MakeCity() {
    city_port_ = FreePort();
    ProcessResult init = Fulei(
        {"init", "--dir", Dir("city"), "--unit", "jinjiang", "--listen", Addr(city_port_)}, kPass);
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  // An enrolled node in `name` for `unit`, invited at `parent`, dialing `upstream`.
  void Enrol(const std::string& parent, const std::string& name, const std::string& unit,
             uint16_t upstream, std::vector<std::string> extra = {}) {
    ProcessResult invite = Fulei({"invite", "--dir", Dir(parent), "--unit", unit}, kPass);
    ASSERT_EQ(invite.exit_code, 0) << invite.err;
    std::vector<std::string> args = {"join",           "--dir",      Dir(name),     "--token",
                                     Trim(invite.out), "--upstream", Addr(upstream)};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult join = Fulei(args);
    ASSERT_EQ(join.exit_code, 0) << join.err;
  }

  fulei::testing::TempDir tmp_;
  uint16_t city_port_ = 0;
};

constexpr char kReport[] =
    R"({"harm":"neglect","reporter_role":"director","reporter_name":"测试报告人",)"
    R"("reporter_phone":"13800000000","description":"测试：独自在家","police_informed":"no",)"
    R"("child_name":"测试儿童"})";

TEST_F(FuleiCli, CityTownAndVillageEnrolSyncAndReportEndToEnd) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); })) << Log("city");
  EXPECT_EQ(Status("city").at("role").as_string(), "city");

  // A town at the city: the invitation needs the root key, handed to the running daemon.
  const uint16_t town_port = FreePort();
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(town_port)}));
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return UpstreamConnected(Status("town"), 0); })) << Log("town");

  // A village at the town (the town's own key certifies it), the city as its fallback.
  ASSERT_NO_FATAL_FAILURE(
      Enrol("town", "v01", "jinjiang/cizao/v01", town_port, {"--fallback", Addr(city_port_)}));
  Background village = Daemon("v01");
  ASSERT_TRUE(WaitFor([&] {
    json::object s = Status("v01");
    return UpstreamConnected(s, 0) && UpstreamConnected(s, 1);
  })) << Log("v01");
  {
    json::object s = Status("v01");
    EXPECT_EQ(s.at("unit").as_string(), "jinjiang/cizao/v01");
    EXPECT_EQ(s.at("role").as_string(), "village");
    EXPECT_TRUE(s.at("upstreams").as_array()[0].as_object().at("full_sync").as_bool());
    EXPECT_FALSE(s.at("upstreams").as_array()[1].as_object().at("full_sync").as_bool());
  }

  // A child put at the village is read at the city.
  ProcessResult put = Fulei(
      {"record", "put", "--dir", Dir("v01"), "--type", "child", "--id", "c1", "--fields", kChild});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ASSERT_TRUE(WaitFor([&] {
    return Fulei({"record", "get", "--dir", Dir("city"), "--type", "child", "--id", "c1", "--unit",
                  "jinjiang/cizao/v01"})
               .exit_code == 0;
  }));
  ProcessResult got = Fulei({"record", "get", "--dir", Dir("city"), "--type", "child", "--id", "c1",
                             "--unit", "jinjiang/cizao/v01"});
  EXPECT_NE(got.out.find("测试儿童"), std::string::npos) << got.out;
  EXPECT_TRUE(WaitFor([&] {
    json::object s = Status("city");
    return s.contains("records") && s.at("records").as_object().contains("child");
  }));
  // The village's status: its town synced, with the record's bytes in the records class.
  EXPECT_TRUE(WaitFor([&] {
    json::object town_peer = UpstreamPeer(Status("v01"), 0);
    return !town_peer.empty() && !town_peer.at("last_sync").is_null() &&
           RecordBytesSent(town_peer) > 0;
  })) << json::serialize(Status("v01"));
  {
    json::object s = Status("v01");
    EXPECT_EQ(UpstreamPeer(s, 0).at("unit").as_string(), "jinjiang/cizao");
    EXPECT_FALSE(s.at("upstreams").as_array()[0].as_object().at("last_sync").is_null());
  }

  // An urgent report at the village: receipts from the town and the city.
  ProcessResult filed = Fulei({"report", "file", "--dir", Dir("v01"), "--fields", kReport});
  ASSERT_EQ(filed.exit_code, 0) << filed.err;
  const std::string r1 = Trim(filed.out);
  auto receipts_from = [&](const std::string& id) {
    std::set<std::string> units;
    ProcessResult show = Fulei({"report", "show", "--dir", Dir("v01"), "--id", id, "--json"});
    if (show.exit_code != 0) return units;
    boost::system::error_code ec;
    json::value v = json::parse(show.out, ec);
    if (ec) return units;
    for (const json::value& r : v.at("receipts").as_array()) {
      units.insert(std::string(r.as_object().at("unit").as_string()));
    }
    return units;
  };
  EXPECT_TRUE(WaitFor([&] {
    return receipts_from(r1) == std::set<std::string>{"jinjiang", "jinjiang/cizao"};
  })) << Log("v01");

  // The town stops cleanly; the next report reaches the city by the fallback.
  ProcessResult town_stop = town.Stop(SIGTERM);
  EXPECT_EQ(town_stop.exit_code, 0);
  EXPECT_NE(Log("town").find("stopped"), std::string::npos);
  EXPECT_TRUE(WaitFor([&] { return !UpstreamConnected(Status("v01"), 0); }));
  {
    // The town is shown as gone, with when it last synced.
    json::object town_peer = UpstreamPeer(Status("v01"), 0);
    ASSERT_FALSE(town_peer.empty());
    EXPECT_FALSE(town_peer.at("connected").as_bool());
    EXPECT_FALSE(town_peer.at("last_sync").is_null());
    EXPECT_FALSE(town_peer.at("closed_at").is_null());
  }
  filed = Fulei({"report", "file", "--dir", Dir("v01"), "--fields", kReport});
  ASSERT_EQ(filed.exit_code, 0) << filed.err;
  const std::string r2 = Trim(filed.out);
  EXPECT_TRUE(WaitFor([&] { return receipts_from(r2).count("jinjiang") == 1; })) << Log("v01");
  EXPECT_EQ(receipts_from(r2).count("jinjiang/cizao"), 0u);

  // The town comes back and converges: it holds the second report and receipts it.
  town = Daemon("town");
  EXPECT_TRUE(WaitFor([&] { return receipts_from(r2).count("jinjiang/cizao") == 1; }))
      << Log("town");
  EXPECT_TRUE(WaitFor([&] { return UpstreamConnected(Status("v01"), 0); }));

  // The village killed while it writes: every write acknowledged (exit 0) is there after.
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 24; ++i) {
    if (i == 8) village.Stop(SIGKILL);  // the next writes open the store themselves
    if (i == 16) village = Daemon("v01");
    const std::string id = "k" + std::to_string(i);
    ProcessResult p = Fulei(
        {"record", "put", "--dir", Dir("v01"), "--type", "child", "--id", id, "--fields", kChild});
    if (p.exit_code == 0) acknowledged.push_back(id);
  }
  EXPECT_GE(acknowledged.size(), 16u);
  village.Stop(SIGKILL);
  village = Daemon("v01");
  ASSERT_TRUE(WaitFor([&] { return Status("v01").contains("uptime_s"); })) << Log("v01");
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(
        Fulei({"record", "get", "--dir", Dir("v01"), "--type", "child", "--id", id}).exit_code, 0)
        << id;
  }
  // And the town, then the city, get them all.
  EXPECT_TRUE(WaitFor([&] {
    return Fulei({"record", "get", "--dir", Dir("city"), "--type", "child", "--id",
                  acknowledged.back(), "--unit", "jinjiang/cizao/v01"})
               .exit_code == 0;
  }));
  ProcessResult check = Fulei({"check", "--dir", Dir("v01")});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // Logs carry ids, never record content.
  for (const char* node : {"city", "town", "v01"}) {
    EXPECT_EQ(Log(node).find("测试"), std::string::npos) << node;
  }
  EXPECT_EQ(village.Stop(SIGTERM).exit_code, 0);
  EXPECT_EQ(town.Stop(SIGINT).exit_code, 0);
  EXPECT_EQ(city.Stop(SIGTERM).exit_code, 0);
}

TEST_F(FuleiCli, BadRecordsAreRefusedWithTheirReasonAndChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  const uint16_t town_port = FreePort();
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); }));
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(town_port)}));
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return Status("town").contains("uptime_s"); }));
  ASSERT_NO_FATAL_FAILURE(Enrol("town", "v01", "jinjiang/cizao/v01", town_port));
  // No daemon at the village: the command opens the store itself, with the same rules.
  ProcessResult missing = Fulei({"record", "put", "--dir", Dir("v01"), "--type", "child", "--id",
                                 "c1", "--fields", R"({"name":"测试"})"});
  EXPECT_EQ(missing.exit_code, 6);
  EXPECT_NE(missing.err.find("gender"), std::string::npos) << missing.err;
  ProcessResult unknown = Fulei({"record", "put", "--dir", Dir("v01"), "--type", "child", "--id",
                                 "c1", "--fields", R"({"favourite_colour":"blue"})"});
  EXPECT_EQ(unknown.exit_code, 6);
  EXPECT_NE(unknown.err.find("favourite_colour"), std::string::npos);
  ProcessResult not_json = Fulei(
      {"record", "put", "--dir", Dir("v01"), "--type", "child", "--id", "c1", "--fields", "{"});
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_EQ(
      Fulei({"record", "get", "--dir", Dir("v01"), "--type", "child", "--id", "c1"}).exit_code, 7);
  ProcessResult status = Fulei({"status", "--dir", Dir("v01"), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find("\"child\""), std::string::npos) << status.out;
}

TEST_F(FuleiCli, ImportReportsBadRowsWritesTheRestOnceAndRefusesRandomBytes) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); }));
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(FreePort())}));
  // The town's list as Excel saves it: a title row, a header, rows (one bad), a signature row.
  const std::string csv = Dir("list.csv");
  {
    std::ofstream out(csv);
    out << "\xEF\xBB\xBF磁灶镇留守儿童花名册（测试）\n"
           "姓名,性别,出生日期,儿童类别,同意日期,所属村（社区）\n"
           "测试甲,女,2015.3.4,留守儿童,2026年1月5日,v01\n"
           "测试乙,男,2016/5/6,留守儿童,2026-01-05,v01\n"
           "测试丙,男,2099-01-01,留守儿童,2026-01-05,v01\n"
           "\n"
           "填表人：测试\n";
  }
  ProcessResult dry = Fulei(
      {"import", "--dir", Dir("town"), "--what", "children", "--file", csv, "--dry-run", "--json"});
  EXPECT_EQ(dry.exit_code, 6) << dry.err;  // a row was rejected
  EXPECT_NE(dry.out.find("\"row\":5"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("\"created\":2"), std::string::npos) << dry.out;
  ProcessResult status = Fulei({"status", "--dir", Dir("town"), "--json"});
  EXPECT_EQ(status.out.find("\"child\""), std::string::npos) << "a dry run wrote";

  ProcessResult first =
      Fulei({"import", "--dir", Dir("town"), "--what", "children", "--file", csv, "--json"});
  EXPECT_EQ(first.exit_code, 6) << first.err;
  EXPECT_NE(first.out.find("\"ops_written\":2"), std::string::npos) << first.out;
  ProcessResult again =
      Fulei({"import", "--dir", Dir("town"), "--what", "children", "--file", csv, "--json"});
  EXPECT_NE(again.out.find("\"created\":0"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("\"ops_written\":0"), std::string::npos) << again.out;
  status = Fulei({"status", "--dir", Dir("town"), "--json"});
  EXPECT_NE(status.out.find("\"child\":2"), std::string::npos) << status.out;

  // 50 MB of random bytes: a clear error, nothing written.
  const std::string junk = Dir("junk.xlsx");
  {
    std::ofstream out(junk, std::ios::binary);
    std::mt19937_64 rng(7);
    std::string block(1 << 20, '\0');
    for (int mb = 0; mb < 50; ++mb) {
      for (char& c : block) c = static_cast<char>(rng());
      out << block;
    }
  }
  ProcessResult bad = Fulei({"import", "--dir", Dir("town"), "--what", "children", "--file", junk});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("错误 error"), std::string::npos) << bad.err;
  status = Fulei({"status", "--dir", Dir("town"), "--json"});
  EXPECT_NE(status.out.find("\"child\":2"), std::string::npos) << status.out;
  // The hand-over copies are gone.
  for (const auto& e : fs::directory_iterator(Dir("town"))) {
    EXPECT_EQ(e.path().filename().string().rfind("import-", 0), std::string::npos) << e.path();
  }
}

TEST_F(FuleiCli, UsersAreAddedByTheirKeepersWithArgon2idPasswords) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); }));
  const uint16_t town_port = FreePort();
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(town_port)}));
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return Status("town").contains("uptime_s"); }));
  ASSERT_NO_FATAL_FAILURE(Enrol("town", "v01", "jinjiang/cizao/v01", town_port));

  ProcessResult add = Fulei({"user", "add", "--dir", Dir("town"), "--login", "wang.director",
                             "--role", "director", "--unit", "jinjiang/cizao/v01"},
                            "a long enough password\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ProcessResult list = Fulei({"user", "list", "--dir", Dir("town"), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("wang.director"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("argon2id"), std::string::npos) << "the hash is shown: " << list.out;
  // The hash is stored (checked through the record's history at the town, which hides it).
  ProcessResult same = Fulei({"user", "add", "--dir", Dir("town"), "--login", "wang.director",
                              "--role", "director", "--unit", "jinjiang/cizao/v02"},
                             "a long enough password\n");
  EXPECT_NE(same.exit_code, 0) << "a second account with one login";
  ProcessResult short_pw = Fulei({"user", "add", "--dir", Dir("town"), "--login", "li.director",
                                  "--role", "director", "--unit", "jinjiang/cizao/v01"},
                                 "short\n");
  EXPECT_EQ(short_pw.exit_code, 6) << short_pw.err;
  ProcessResult wrong_level = Fulei({"user", "add", "--dir", Dir("town"), "--login", "chen",
                                     "--role", "city_bureau", "--unit", "jinjiang/cizao"},
                                    "a long enough password\n");
  EXPECT_EQ(wrong_level.exit_code, 6) << wrong_level.err;
  // A village's operator (a director) adds nobody.
  ProcessResult at_village = Fulei({"user", "add", "--dir", Dir("v01"), "--login", "zhao", "--role",
                                    "director", "--unit", "jinjiang/cizao/v01"},
                                   "a long enough password\n");
  EXPECT_EQ(at_village.exit_code, 6) << at_village.err;
  EXPECT_EQ(Fulei({"user", "disable", "--dir", Dir("town"), "--login", "wang.director"}).exit_code,
            0);
  list = Fulei({"user", "list", "--dir", Dir("town")});
  EXPECT_NE(list.out.find("disabled"), std::string::npos) << list.out;
  EXPECT_EQ(Fulei({"user", "passwd", "--dir", Dir("town"), "--login", "wang.director"},
                  "another long password\n")
                .exit_code,
            0);
  EXPECT_EQ(Fulei({"user", "passwd", "--dir", Dir("town"), "--login", "nobody"},
                  "another long password\n")
                .exit_code,
            7);
}

TEST_F(FuleiCli, ClockResetNeedsTheDaemonStoppedAndSetsTheMarkBack) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  {
    Background city = Daemon("city");
    ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); }));
    EXPECT_EQ(Fulei({"clock", "reset", "--dir", Dir("city")}).exit_code, 4);
    EXPECT_EQ(city.Stop(SIGTERM).exit_code, 0);
  }
  // A mark years ahead (as a clock that jumped would leave it): shown as such, then reset.
  ProcessResult ahead =
      Fulei({"clock", "reset", "--dir", Dir("city"), "--to", "2031-01-01T00:00:00Z"});
  ASSERT_EQ(ahead.exit_code, 0) << ahead.err;
  EXPECT_NE(ahead.out.find("-> 2031-01-01T00:00:00Z"), std::string::npos) << ahead.out;
  ProcessResult show = Fulei({"clock", "show", "--dir", Dir("city")});
  EXPECT_NE(show.out.find("HLC mark 2031-01-01T00:00:00Z"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("AHEAD"), std::string::npos) << show.out;
  ProcessResult reset = Fulei({"clock", "reset", "--dir", Dir("city")});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("2031-01-01T00:00:00Z ->"), std::string::npos) << reset.out;
  show = Fulei({"clock", "show", "--dir", Dir("city")});
  EXPECT_EQ(show.out.find("AHEAD"), std::string::npos) << show.out;
  EXPECT_EQ(
      Fulei({"clock", "reset", "--dir", Dir("city"), "--to", "1999-01-01T00:00:00Z"}).exit_code, 2);
  EXPECT_EQ(Fulei({"clock", "reset", "--dir", Dir("city"), "--to", "soon"}).exit_code, 2);
}

// A village whose writes never reached its town (the town was down), backed up hot and
// offline; the Pi is lost; its backup is restored into a newly enrolled Pi of the same unit,
// which sends those writes on. Every wrong restore is refused and changes nothing.
TEST_F(FuleiCli, BackupRestoresIntoANewNodeThatSendsOnWhatNeverReachedTheTown) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); })) << Log("city");
  const uint16_t town_port = FreePort();
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(town_port)}));
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return Status("town").contains("uptime_s"); })) << Log("town");
  ASSERT_NO_FATAL_FAILURE(Enrol("town", "v01", "jinjiang/cizao/v01", town_port));
  // The replacement Pi, enrolled for the same unit (its daemon not yet run).
  ASSERT_NO_FATAL_FAILURE(Enrol("town", "v01new", "jinjiang/cizao/v01", town_port));
  EXPECT_EQ(town.Stop(SIGTERM).exit_code, 0);

  // The village writes with its town down: c1 through its daemon, a hot backup; then c2 with
  // the daemon stopped, and an offline backup.
  constexpr char kBackupPass[] = "backup passphrase 2026\n";
  {
    Background village = Daemon("v01");
    ASSERT_TRUE(WaitFor([&] { return Status("v01").contains("uptime_s"); })) << Log("v01");
    ASSERT_EQ(PutChild("v01", "c1"), 0);
    ProcessResult hot =
        Fulei({"backup", "--dir", Dir("v01"), "--out", Dir("hot.fulei")}, kBackupPass);
    ASSERT_EQ(hot.exit_code, 0) << hot.err;
    EXPECT_NE(hot.out.find("hot"), std::string::npos) << hot.out;
    EXPECT_EQ(village.Stop(SIGTERM).exit_code, 0);
  }
  ASSERT_EQ(PutChild("v01", "c2"), 0);
  ProcessResult offline =
      Fulei({"backup", "--dir", Dir("v01"), "--out", Dir("v01.fulei")}, kBackupPass);
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(
      fs::status(Dir("v01.fulei")).permissions() & (fs::perms::group_all | fs::perms::others_all),
      fs::perms::none);
  EXPECT_EQ(
      Fulei({"backup", "--dir", Dir("v01"), "--out", Dir("v01.fulei")}, kBackupPass).exit_code, 2)
      << "an existing file is never replaced";
  for (const auto& e : fs::directory_iterator(Dir("v01"))) {
    EXPECT_EQ(e.path().filename().string().find("backup-"), std::string::npos) << e.path();
  }
  // Nothing of the records in the clear.
  {
    std::ifstream in(Dir("v01.fulei"), std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    EXPECT_EQ(bytes.find("测试儿童"), std::string::npos);
  }

  auto listing = [&](const std::string& name) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(Dir(name))) {
      names.insert(e.path().filename().string());
    }
    return names;
  };
  // Refused, changing nothing: a daemon running; the node that made it; another unit; a wrong
  // passphrase; a damaged file.
  {
    Background running = Daemon("v01new");
    ASSERT_TRUE(WaitFor([&] { return Status("v01new").contains("uptime_s"); }));
    EXPECT_EQ(Fulei({"restore", "--dir", Dir("v01new"), "--from", Dir("v01.fulei")}, kBackupPass)
                  .exit_code,
              4);
    EXPECT_EQ(running.Stop(SIGTERM).exit_code, 0);
  }
  const std::set<std::string> before = listing("v01new");
  ProcessResult same =
      Fulei({"restore", "--dir", Dir("v01"), "--from", Dir("v01.fulei")}, kBackupPass);
  EXPECT_EQ(same.exit_code, 6) << same.err;
  EXPECT_NE(same.err.find("this very node"), std::string::npos) << same.err;
  ProcessResult other_unit =
      Fulei({"restore", "--dir", Dir("town"), "--from", Dir("v01.fulei")}, kBackupPass);
  EXPECT_EQ(other_unit.exit_code, 6) << other_unit.err;
  ProcessResult wrong_pass = Fulei({"restore", "--dir", Dir("v01new"), "--from", Dir("v01.fulei")},
                                   "not the passphrase\n");
  EXPECT_EQ(wrong_pass.exit_code, 9) << wrong_pass.err;
  EXPECT_NE(wrong_pass.err.find("wrong passphrase"), std::string::npos) << wrong_pass.err;
  {
    std::ifstream in(Dir("v01.fulei"), std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    bytes[bytes.size() / 2] ^= 0x20;
    std::ofstream(Dir("damaged.fulei"), std::ios::binary) << bytes;
    std::ofstream(Dir("cut.fulei"), std::ios::binary) << bytes.substr(0, bytes.size() - 40);
  }
  for (const char* bad : {"damaged.fulei", "cut.fulei"}) {
    ProcessResult r = Fulei({"restore", "--dir", Dir("v01new"), "--from", Dir(bad)}, kBackupPass);
    EXPECT_EQ(r.exit_code, 9) << bad << r.err;
  }
  std::set<std::string> after = listing("v01new");
  after.erase("lock");
  std::set<std::string> expected = before;
  expected.erase("lock");
  EXPECT_EQ(after, expected);

  // The restore: the new Pi holds the old one's records, sound, under its own identity.
  ProcessResult restored =
      Fulei({"restore", "--dir", Dir("v01new"), "--from", Dir("v01.fulei")}, kBackupPass);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(Fulei({"check", "--dir", Dir("v01new")}).exit_code, 0);
  for (const char* id : {"c1", "c2"}) {
    EXPECT_EQ(
        Fulei({"record", "get", "--dir", Dir("v01new"), "--type", "child", "--id", id}).exit_code,
        0)
        << id;
  }
  // Its own writes carry on under its own identity, and everything reaches the city.
  ASSERT_EQ(PutChild("v01new", "c3"), 0);
  // Having written, it takes no backup any more (it would number its writes again): the child,
  // and the audit log's record of the restore (copied as the node first opened; the old node's
  // entries came with the backup, copied already, and are not copied again).
  ProcessResult again =
      Fulei({"restore", "--dir", Dir("v01new"), "--from", Dir("v01.fulei")}, kBackupPass);
  EXPECT_EQ(again.exit_code, 6) << again.err;
  EXPECT_NE(again.err.find("already written 2 ops"), std::string::npos) << again.err;
  town = Daemon("town");
  Background village = Daemon("v01new");
  for (const char* id : {"c1", "c2", "c3"}) {
    EXPECT_TRUE(WaitFor([&] {
      return Fulei({"record", "get", "--dir", Dir("city"), "--type", "child", "--id", id, "--unit",
                    "jinjiang/cizao/v01"})
                 .exit_code == 0;
    })) << id
        << Log("v01new") << Log("town");
  }
  EXPECT_EQ(village.Stop(SIGTERM).exit_code, 0);
  EXPECT_EQ(town.Stop(SIGTERM).exit_code, 0);
  EXPECT_EQ(city.Stop(SIGTERM).exit_code, 0);
}

// The city server is lost (its disk dead). A new city node is made from the root key, which
// was kept off the server (--root-key-out), and the city's last backup is restored into it; it
// listens where the old one did. The towns take it as their upstream (same root, same unit,
// another node id), what the backup held is there, and what the villages wrote since arrives.
// (A stolen city is another matter: revoking its id also revokes every certificate it issued,
// the towns'; docs/operations.md, section 6.)
TEST_F(FuleiCli, ReplacementCityFromTheRootKeyAndTheLastBackupTakesOverTheTowns) {
  city_port_ = FreePort();
  ProcessResult init = Fulei({"init", "--dir", Dir("city"), "--unit", "jinjiang", "--listen",
                              Addr(city_port_), "--root-key-out", Dir("root.key")},
                             kPass);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); })) << Log("city");
  const std::string old_city_node = Status("city").at("node_id").as_string().c_str();
  // The root key is not on the server: the city invites its town with the key file.
  const uint16_t town_port = FreePort();
  ProcessResult invite = Fulei(
      {"invite", "--dir", Dir("city"), "--unit", "jinjiang/cizao", "--root-key", Dir("root.key")},
      kPass);
  ASSERT_EQ(invite.exit_code, 0) << invite.err;
  ProcessResult join = Fulei({"join", "--dir", Dir("town"), "--token", Trim(invite.out),
                              "--upstream", Addr(city_port_), "--listen", Addr(town_port)});
  ASSERT_EQ(join.exit_code, 0) << join.err;
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return Status("town").contains("uptime_s"); })) << Log("town");
  ASSERT_NO_FATAL_FAILURE(Enrol("town", "v01", "jinjiang/cizao/v01", town_port));
  Background village = Daemon("v01");
  ASSERT_EQ(PutChild("v01", "c1"), 0);
  auto city_holds = [&](const std::string& dir, const char* id) {
    return Fulei({"record", "get", "--dir", Dir(dir), "--type", "child", "--id", id, "--unit",
                  "jinjiang/cizao/v01"})
               .exit_code == 0;
  };
  ASSERT_TRUE(WaitFor([&] { return city_holds("city", "c1"); })) << Log("town");
  constexpr char kBackupPass[] = "backup passphrase 2026\n";
  ProcessResult backup =
      Fulei({"backup", "--dir", Dir("city"), "--out", Dir("city.fulei")}, kBackupPass);
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  // The server is gone.
  EXPECT_EQ(city.Stop(SIGKILL).signal, SIGKILL);
  fs::remove_all(Dir("city"));
  ASSERT_EQ(PutChild("v01", "c2"), 0);  // written while the network has no city

  ProcessResult replacement = Fulei({"init", "--dir", Dir("city2"), "--unit", "jinjiang",
                                     "--listen", Addr(city_port_), "--root-key", Dir("root.key")},
                                    kPass);
  ASSERT_EQ(replacement.exit_code, 0) << replacement.err;
  ProcessResult restored =
      Fulei({"restore", "--dir", Dir("city2"), "--from", Dir("city.fulei")}, kBackupPass);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_TRUE(city_holds("city2", "c1")) << "the backup's records, before any sync";
  Background city2 = Daemon("city2");
  ASSERT_TRUE(WaitFor([&] { return Status("city2").contains("uptime_s"); })) << Log("city2");
  const std::string new_city_node = Status("city2").at("node_id").as_string().c_str();
  EXPECT_NE(new_city_node, old_city_node);
  EXPECT_TRUE(WaitFor([&] { return city_holds("city2", "c2"); })) << Log("town") << Log("city2");
  // The town's open connection upstream is to the new city node (the old one's shows closed).
  EXPECT_TRUE(WaitFor([&] {
    const json::object s = Status("town");
    if (!s.contains("peers")) return false;
    for (const json::value& p : s.at("peers").as_array()) {
      const json::object& o = p.as_object();
      if (o.contains("upstream") && o.at("connected").as_bool()) {
        return o.at("node").as_string() == new_city_node;
      }
    }
    return false;
  })) << json::serialize(Status("town"));

  EXPECT_EQ(village.Stop(SIGTERM).exit_code, 0);
  EXPECT_EQ(town.Stop(SIGTERM).exit_code, 0);
  EXPECT_EQ(city2.Stop(SIGTERM).exit_code, 0);
}

// A data directory whose store the previous schema (1) wrote opens with this release: the
// commands and the daemon read it, it is upgraded once, in place, and stays sound.
TEST_F(FuleiCli, DataDirectoryOfThePreviousSchemaOpensAndUpgrades) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  ASSERT_EQ(Fulei({"user", "add", "--dir", Dir("city"), "--login", "chen.city", "--role",
                   "city_bureau", "--unit", "jinjiang"},
                  "a long enough password\n")
                .exit_code,
            0);
  {
    auto files = DataDir(Dir("city")).Load();
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    DataKeySealer sealer(std::move(files->ring));
    ASSERT_NO_FATAL_FAILURE(store::testing::RewriteAsSchemaOne(
        Dir("city") + "/store", store::internal::ValueCodec(&sealer), /*sealed=*/true));
  }
  auto format = [&] {
    auto f = store::testing::RawGet(Dir("city") + "/store", "meta", "format");
    return f ? f->substr(0, 4) : std::string();
  };
  ASSERT_EQ(format(), std::string("\0\0\0\x01", 4));
  ProcessResult list = Fulei({"user", "list", "--dir", Dir("city")});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("chen.city"), std::string::npos) << list.out;
  EXPECT_EQ(format(), std::string("\0\0\0\x02", 4));
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); })) << Log("city");
  EXPECT_EQ(Fulei({"check", "--dir", Dir("city")}).exit_code, 0);
  EXPECT_EQ(city.Stop(SIGTERM).exit_code, 0);
}

TEST_F(FuleiCli, ConfigErrorsExitThreeNamingFileLineAndKey) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  const std::string path = Dir("city") + "/fulei.toml";
  std::string good;
  {
    std::ifstream in(path);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  struct Case {
    std::string find, replace;  // an edit of the good file
    std::string expect;         // in the error
  };
  const std::vector<Case> cases = {
      {"# window = 4", "window = 0", "sync.window: must be between 1 and 64"},
      {"# window = 4", "window = \"four\"", "sync.window: must be an integer"},
      {"# window = 4", "windoww = 4", "sync.windoww: unknown key"},
      {"[sync]", "[syncc]", "syncc: unknown table"},
      {"# level = \"info\"", "level = \"loud\"", "log.level"},
      {"# [[upstream]]", "[[upstream]]\nendpoints = [\"nowhere\"]", "upstream.endpoints"},
      {"[link]", "[link", "fulei.toml:"},
  };
  for (const Case& c : cases) {
    std::string text = good;
    const size_t at = text.find(c.find);
    ASSERT_NE(at, std::string::npos) << c.find;
    text.replace(at, c.find.size(), c.replace);
    {
      std::ofstream out(path, std::ios::trunc);
      out << text;
    }
    ProcessResult run = Fulei({"run", "--dir", Dir("city")});
    EXPECT_EQ(run.exit_code, 3) << c.replace << run.err;
    EXPECT_NE(run.err.find(c.expect), std::string::npos) << c.replace << run.err;
    EXPECT_NE(run.err.find("fulei.toml:"), std::string::npos) << run.err;
  }
  // The unit must be the certificate's.
  std::string other = good;
  other.replace(other.find("unit = \"jinjiang\""), 17, "unit = \"fuzhou\"");
  {
    std::ofstream out(path, std::ios::trunc);
    out << other;
  }
  ProcessResult run = Fulei({"run", "--dir", Dir("city")});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("node.unit"), std::string::npos) << run.err;
  // No node at all.
  EXPECT_EQ(Fulei({"run", "--dir", Dir("nothing")}).exit_code, 5);
  EXPECT_EQ(Fulei({"status", "--dir", Dir("nothing")}).exit_code, 5);
}

TEST_F(FuleiCli, BadTokensEachHaveTheirOwnExitCodeAndLeaveNothingWritten) {
  ASSERT_NO_FATAL_FAILURE(MakeCity());
  Background city = Daemon("city");
  ASSERT_TRUE(WaitFor([&] { return Status("city").contains("uptime_s"); }));
  const uint16_t town_port = FreePort();
  ASSERT_NO_FATAL_FAILURE(
      Enrol("city", "town", "jinjiang/cizao", city_port_, {"--listen", Addr(town_port)}));
  Background town = Daemon("town");
  ASSERT_TRUE(WaitFor([&] { return UpstreamConnected(Status("town"), 0); }));

  auto invite = [&](const std::string& at, const std::string& unit, const std::string& ttl) {
    ProcessResult r = Fulei({"invite", "--dir", Dir(at), "--unit", unit, "--expires", ttl}, kPass);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Trim(r.out);
  };
  auto join = [&](const std::string& token, uint16_t port) {
    return Fulei({"join", "--dir", Dir("new"), "--token", token, "--upstream", Addr(port),
                  "--timeout", "10"});
  };
  auto nothing_written = [&] { return !fs::exists(Dir("new")); };

  // Edited: one character of the token changed (its checksum catches it).
  std::string edited = invite("town", "jinjiang/cizao/v02", "1h");
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'A' ? 'B' : 'A';
  ProcessResult r = join(edited, town_port);
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_TRUE(nothing_written());

  // Expired.
  const std::string expired = invite("town", "jinjiang/cizao/v03", "1s");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  r = join(expired, town_port);
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_TRUE(nothing_written());

  // Wrong upstream: the town's token taken to the city.
  const std::string towns = invite("town", "jinjiang/cizao/v04", "1h");
  r = join(towns, city_port_);
  EXPECT_EQ(r.exit_code, 14) << r.err;
  EXPECT_TRUE(nothing_written());

  // Reused: it works once, then never again.
  r = join(towns, town_port);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::rename(Dir("new"), Dir("v04"));
  r = join(towns, town_port);
  EXPECT_EQ(r.exit_code, 12) << r.err;
  EXPECT_TRUE(nothing_written());

  // Foreign: a token of another network's city, taken to this one.
  ProcessResult other = Fulei(
      {"init", "--dir", Dir("other"), "--unit", "fuzhou", "--listen", Addr(FreePort())}, kPass);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  Background other_city = Daemon("other");
  ASSERT_TRUE(WaitFor([&] { return Status("other").contains("uptime_s"); }));
  const std::string foreign = invite("other", "fuzhou/gulou/v01", "1h");
  r = join(foreign, town_port);
  EXPECT_EQ(r.exit_code, 13) << r.err;
  EXPECT_TRUE(nothing_written());

  // Unreachable.
  r = join(invite("town", "jinjiang/cizao/v05", "1h"), FreePort());
  EXPECT_EQ(r.exit_code, 15) << r.err;
  EXPECT_TRUE(nothing_written());

  // Not a token at all.
  r = join("hello", town_port);
  EXPECT_EQ(r.exit_code, 10);
  // A village never invites; a town cannot invite a town.
  EXPECT_NE(Fulei({"invite", "--dir", Dir("v04"), "--unit", "jinjiang/cizao/v09"}).exit_code, 0);
  EXPECT_NE(Fulei({"invite", "--dir", Dir("town"), "--unit", "jinjiang/chidian"}).exit_code, 0);
}

}  // namespace
}  // namespace fulei::node

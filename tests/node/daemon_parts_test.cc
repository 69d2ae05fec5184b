// The daemon's parts without processes: fulei.toml (node/config.h), durations and roles of
// units, the writes a `record put` makes (node/operations.h), the data directory
// (node/data_dir.h) and the enrolment desk's rules (node/enrolment.h).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>

#include "admin-web/record_json.h"
#include "crypto/random.h"
#include "node/commands.h"
#include "node/config.h"
#include "node/data_dir.h"
#include "node/enrolment.h"
#include "node/operations.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::node {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

TEST(DaemonConfig, TheCommentedFileReadsBackAsWhatWasWritten) {
  testing::TempDir dir;
  DaemonConfig c;
  c.node.unit = "jinjiang/cizao/v01";
  c.node.upstreams.push_back({{{"192.0.2.1", 7400}, {"::1", 7401}}, ""});
  c.node.upstreams.push_back({{{"192.0.2.9", 7400}}, "jinjiang"});
  c.node.sync_window = 8;
  c.log_level = "debug";
  const fs::path path = fs::path(dir.path()) / "fulei.toml";
  Write(path, ConfigText(c));
  ASSERT_OK_AND_ASSIGN(DaemonConfig back, LoadConfig(path, dir.path()));
  EXPECT_EQ(back.node.unit, c.node.unit);
  ASSERT_EQ(back.node.upstreams.size(), 2u);
  EXPECT_EQ(back.node.upstreams[0].endpoints[1].address, "::1");
  EXPECT_EQ(back.node.upstreams[0].endpoints[1].port, 7401);
  EXPECT_EQ(back.node.upstreams[1].unit, "jinjiang");
  EXPECT_EQ(back.node.sync_window, 8u);
  EXPECT_EQ(back.log_level, "debug");
  EXPECT_FALSE(back.node.listen.has_value());
  // Every default is written commented out, so the defaults hold.
  EXPECT_EQ(back.node.sync_max_batch_ops, NodeConfig{}.sync_max_batch_ops);
  EXPECT_EQ(back.node.link.chunk_bytes, NodeConfig{}.link.chunk_bytes);
}

TEST(DaemonConfig, ErrorsNameTheFileTheLineAndTheKey) {
  testing::TempDir dir;
  const fs::path path = fs::path(dir.path()) / "fulei.toml";
  Write(path, "[node]\nunit = \"jinjiang\"\n\n[link]\nchunk_bytes = 10\n");
  auto bad = LoadConfig(path, dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("fulei.toml:5: link.chunk_bytes: must be between"),
            std::string::npos)
      << bad.status().message();
  Write(path, "[node]\nlisten = \"0.0.0.0:7400\"\n");
  bad = LoadConfig(path, dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("node.unit: required"), std::string::npos);
  Write(path, "[node]\nunit = \"jinjiang\"\nlisten = \"::1:7400\"\n");
  bad = LoadConfig(path, dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fulei.toml:3: node.listen"), std::string::npos);
  auto none = LoadConfig(fs::path(dir.path()) / "none.toml", dir.path());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST(DaemonConfig, Endpoints) {
  ASSERT_OK_AND_ASSIGN(Endpoint v4, ParseEndpoint("10.1.2.3:7400"));
  EXPECT_EQ(v4.address, "10.1.2.3");
  ASSERT_OK_AND_ASSIGN(Endpoint v6, ParseEndpoint("[fe80::1]:80"));
  EXPECT_EQ(v6.address, "fe80::1");
  EXPECT_EQ(FormatEndpoint(v6), "[fe80::1]:80");
  for (const char* bad : {"", "host", ":7400", "h:", "h:70000", "h:-1", "::1:80", "[::1]80"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
}

TEST(DaemonCommands, DurationsAndUnitRoles) {
  EXPECT_EQ(ParseDuration("72h"), 72ull * 3'600'000);
  EXPECT_EQ(ParseDuration("30m"), 30ull * 60'000);
  EXPECT_EQ(ParseDuration("7d"), 7ull * 86'400'000);
  EXPECT_EQ(ParseDuration("1s"), 1000u);
  EXPECT_FALSE(ParseDuration("h"));
  EXPECT_FALSE(ParseDuration("12"));
  EXPECT_FALSE(ParseDuration("1.5h"));
  EXPECT_EQ(RoleOfUnit("jinjiang"), crypto::Role::kCity);
  EXPECT_EQ(RoleOfUnit("jinjiang/cizao"), crypto::Role::kTown);
  EXPECT_EQ(RoleOfUnit("jinjiang/cizao/v01"), crypto::Role::kVillage);
  EXPECT_EQ(OperatorOf("jinjiang/cizao").role, programme::Role::kTownOffice);
  EXPECT_EQ(OperatorOf("jinjiang/cizao/v01").role, programme::Role::kVillageDirector);
}

TEST(DaemonOperations, WritesForMakeTheRecordHoldTheGivenFieldsAndNoMore) {
  using web::WritesFor;
  json::object fields = json::parse(R"({"name":"测试","gender":"male"})").as_object();
  ASSERT_OK_AND_ASSIGN(auto writes, WritesFor("child", std::nullopt, fields));
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].kind, crdt::WriteKind::kSet);

  // Against a state that already holds the name: only the changed field is written.
  crdt::RecordState state;
  crdt::Op op;
  op.key = {"jinjiang/cizao/v01", "child", "c1"};
  op.origin = 7;
  op.seq = 1;
  op.stamp = {1000, 0};
  op.writes = {crdt::FieldWrite{"name", crdt::WriteKind::kSet, "测试", {}}};
  state.Apply(op);
  ASSERT_OK_AND_ASSIGN(writes, WritesFor("child", state, fields));
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].field, "gender");
  // A changed register supersedes the value it replaces.
  ASSERT_OK_AND_ASSIGN(writes,
                       WritesFor("child", state, json::parse(R"({"name":"新"})").as_object()));
  ASSERT_EQ(writes.size(), 1u);
  ASSERT_EQ(writes[0].supersedes.size(), 1u);
  EXPECT_EQ(writes[0].supersedes[0], (crdt::OpId{op.stamp, op.origin}));

  EXPECT_FALSE(WritesFor("child", std::nullopt, json::parse(R"({"nope":"x"})").as_object()).ok());
  EXPECT_FALSE(WritesFor("nope", std::nullopt, fields).ok());
  EXPECT_FALSE(WritesFor("child", std::nullopt, json::parse(R"({"name":["a"]})").as_object()).ok());
  EXPECT_FALSE(WritesFor("child", std::nullopt, json::parse(R"({"name":3})").as_object()).ok());
}

class DeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::Generate(random_));
    city_ = std::make_unique<crypto::NodeIdentity>(crypto::NodeIdentity::Generate(random_));
    ASSERT_OK_AND_ASSIGN(crypto::Certificate cert,
                         crypto::CertifyNode(*city_, crypto::Role::kCity, "jinjiang", 0, kNow * 2,
                                             *root_, /*can_issue=*/true));
    chain_ = {cert};
  }
  static constexpr uint64_t kNow = 1'800'000'000'000;
  crypto::SystemRandom random_;
  testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> root_;
  std::unique_ptr<crypto::NodeIdentity> city_;
  crypto::CertChain chain_;
};

TEST_F(DeskTest, ATownAtTheCityNeedsTheNetworksRootKey) {
  // The desk holds its own copy of the city's identity (loaded from disk, as the daemon does).
  ASSERT_OK(city_->Save(dir_.path(), crypto::KeyProtection::None(), random_));
  ASSERT_OK_AND_ASSIGN(crypto::NodeIdentity copy,
                       crypto::NodeIdentity::Load(dir_.path(), crypto::KeyProtection::None()));
  ASSERT_OK_AND_ASSIGN(auto city_desk,
                       EnrolmentDesk::Open(fs::path(dir_.path()) / "city.ledger", std::move(copy),
                                           chain_, root_->public_key(), random_));
  auto no_root = city_desk->Invite("jinjiang/cizao", 3'600'000, kNow, std::nullopt);
  EXPECT_EQ(no_root.status().code(), StatusCode::kPermissionDenied);
  crypto::SigningKey other = crypto::SigningKey::Generate(random_);
  auto wrong_root = city_desk->Invite("jinjiang/cizao", 3'600'000, kNow, std::move(other));
  EXPECT_EQ(wrong_root.status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(crypto::SigningKey again, crypto::SigningKey::FromSeed(root_->seed()));
  ASSERT_OK(city_desk->Invite("jinjiang/cizao", 3'600'000, kNow, std::move(again)));
  EXPECT_TRUE(city_desk->holds_root_key(kNow));
  // Held no longer than the invitation lasts.
  ASSERT_OK(city_desk->Invite("jinjiang/cizao/v99", 60'000, kNow + 3'600'001, std::nullopt));
  EXPECT_FALSE(city_desk->holds_root_key(kNow + 3'600'001));
  // Villages straight below the city need no root key; nothing outside the city at all.
  ASSERT_OK(city_desk->Invite("jinjiang/cizao/v01", 60'000, kNow, std::nullopt));
  auto outside = city_desk->Invite("fuzhou/gulou", 60'000, kNow, std::nullopt);
  EXPECT_EQ(outside.status().code(), StatusCode::kPermissionDenied);
  auto bad_unit = city_desk->Invite("jinjiang/Bad Unit", 60'000, kNow, std::nullopt);
  EXPECT_EQ(bad_unit.status().code(), StatusCode::kInvalidArgument);
}

TEST(DataDirTest, CreateWritesEveryFilePrivateAndLoadReadsThemBack) {
  testing::TempDir tmp;
  crypto::SystemRandom random;
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity id = crypto::NodeIdentity::Generate(random);
  ASSERT_OK_AND_ASSIGN(
      crypto::Certificate cert,
      crypto::CertifyNode(id, crypto::Role::kCity, "jinjiang", 0, ~0ull >> 1, root, true));
  DataDir data(fs::path(tmp.path()) / "node");
  ASSERT_OK(data.Create(id, {cert}, root.public_key(), "[node]\nunit = \"jinjiang\"\n", random));
  EXPECT_TRUE(data.initialised());
  for (const auto& entry : fs::directory_iterator(data.dir())) {
    EXPECT_EQ(entry.status().permissions() & (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none)
        << entry.path();
  }
  ASSERT_OK_AND_ASSIGN(DataDir::Files files, data.Load());
  EXPECT_EQ(files.identity.node_id(), id.node_id());
  EXPECT_EQ(files.root, root.public_key());
  EXPECT_EQ(files.chain.front(), cert);
  // A second Create is refused and changes nothing.
  EXPECT_EQ(data.Create(id, {cert}, root.public_key(), "x", random).code(),
            StatusCode::kAlreadyExists);
  ASSERT_OK(data.Load());
  // One lock per directory.
  ASSERT_OK_AND_ASSIGN(DirLock lock, DirLock::Acquire(data));
  auto second = DirLock::Acquire(data);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  // A key file readable by others is refused.
  fs::permissions(data.kek(), fs::perms::others_read, fs::perm_options::add);
  auto loose = data.Load();
  EXPECT_EQ(loose.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace fulei::node

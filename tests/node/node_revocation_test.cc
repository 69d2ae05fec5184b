// Revocation over real loopback sessions: the city publishes a root-signed revocation list as a
// record of its own scope; it reaches the town and the villages by ordinary sync; the town
// installs it, closes village B's established session (reason logged), and B's reconnects fail
// their handshake at the town, while village A keeps syncing. A restarted town installs the
// list from its store before any session is up.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crypto/revocation.h"
#include "node/node.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RunUntil;

const std::vector<std::string> kTypes = {"child", "org"};
constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillageA[] = "jinjiang/cizao/v001";
constexpr char kVillageB[] = "jinjiang/cizao/v002";

Status WriteChildren(Node& node, int first, int count) {
  std::vector<store::LocalChange> changes;
  for (int i = first; i < first + count; ++i) {
    store::LocalChange c;
    c.key = {node.unit(), "child", "c" + std::to_string(i)};
    c.author = "tester";
    c.writes.push_back(
        crdt::FieldWrite{"name", crdt::WriteKind::kSet, "child " + std::to_string(i), {}});
    changes.push_back(std::move(c));
  }
  return node.Write(changes).status();
}

size_t RecordCount(Node& node, const std::string& scope) {
  auto records = testing::ScopeRecords(node.store(), scope, kTypes);
  EXPECT_OK(records);
  return records.ok() ? records->size() : 0;
}

class RevocationIntegrationTest : public testing::NetworkTest {
 protected:
  std::unique_ptr<Node> StartNode(NodeConfig config) {
    // Every node dials from 127.0.0.1: lift the per-address handshake budget so that B's
    // refused redials do not delay anyone else's (the limiter has its own tests).
    config.handshakes.per_second = 1000;
    config.handshakes.burst = 1000;
    return NetworkTest::StartNode(std::move(config));
  }

  size_t LogLines(const std::string& needle, bool without_peer_unit = false) const {
    return static_cast<size_t>(
        std::count_if(net_->log().begin(), net_->log().end(), [&](const std::string& line) {
          if (line.find(needle) == std::string::npos) return false;
          return !without_peer_unit || line.find('(') == std::string::npos;
        }));
  }
};

TEST_F(RevocationIntegrationTest, RevokedVillageIsCutOffWhileItsSiblingSyncs) {
  net_->Add(kCity, Role::kCity);
  net_->Add(kTown, Role::kTown);
  net_->Add(kVillageA, Role::kVillage);
  const crdt::NodeId b_id = net_->Add(kVillageB, Role::kVillage).id;

  auto city = StartNode(net_->Config(kCity, true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(kTown, true, city->listen_port()));
  ASSERT_TRUE(town);
  const uint16_t town_port = town->listen_port();
  auto a = StartNode(net_->Config(kVillageA, false, town_port));
  auto b = StartNode(net_->Config(kVillageB, false, town_port));
  ASSERT_TRUE(a && b);
  ASSERT_OK(WriteChildren(*a, 0, 20));
  ASSERT_OK(WriteChildren(*b, 0, 20));
  std::vector<Node*> all = {city.get(), town.get(), a.get(), b.get()};
  ASSERT_TRUE(Converges(
      all, kTypes, seconds(30),
      [&]() -> std::string {
        if (town->connected_peers() == 3 && city->connected_peers() == 1) return "";
        return "not every session is up";
      },
      milliseconds(20)));
  EXPECT_EQ(RecordCount(*city, kVillageB), 20u);

  // Bad input is refused and changes nothing: a town cannot publish, nor can anyone publish a
  // list the root did not sign.
  auto list = crypto::SignRevocationList({1, net_->wall(), {b_id}}, net_->root_key());
  ASSERT_OK(list);
  EXPECT_EQ(town->PublishRevocations(*list).code(), StatusCode::kPermissionDenied);
  std::string forged = *list;
  forged[forged.size() - 1] = static_cast<char>(forged.back() ^ 1);
  EXPECT_EQ(city->PublishRevocations(forged).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(city->revocation_version(), 0u);

  // The city revokes B.
  const uint64_t town_sessions = town->stats().sessions_established;
  ASSERT_OK(city->PublishRevocations(*list));
  EXPECT_EQ(city->revocation_version(), 1u);
  EXPECT_EQ(city->PublishRevocations(*list).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        return town->revocation_version() == 1 && a->revocation_version() == 1 &&
               b->connected_peers() == 0 && town->connected_peers() == 2;
      },
      seconds(20), milliseconds(10)))
      << "town v" << town->revocation_version() << ", A v" << a->revocation_version()
      << ", B peers " << b->connected_peers() << ", town peers " << town->connected_peers();
  // The town closed B's established session and said why.
  EXPECT_GE(LogLines("closing session with " + std::string(kVillageB) + ": PermissionDenied"), 1u);
  EXPECT_GE(LogLines("(node " + std::to_string(b_id) + ") is revoked by revocation list version 1"),
            1u);

  // B keeps redialling; each handshake is refused at the town (the town verifies B's
  // certificate against the installed list) and no session is established.
  const std::string refused = "certificate of node " + std::to_string(b_id) + " is revoked";
  ASSERT_TRUE(RunUntil(
      io_, [&] { return LogLines(refused, /*without_peer_unit=*/true) >= 3; }, seconds(20),
      milliseconds(10)))
      << "B did not redial, or its handshake was not refused for revocation";
  // (B's own side may count a session for an instant: it finishes the XX handshake when it
  // sends its last message, before the town refuses it. It never receives a byte.)
  EXPECT_EQ(town->stats().sessions_established, town_sessions);

  // A keeps syncing both ways; what B writes now goes nowhere, and B gets nothing new.
  ASSERT_OK(WriteChildren(*a, 20, 10));
  ASSERT_OK(WriteChildren(*b, 20, 10));
  store::LocalChange org;
  org.key = {kTown, "org", "o1"};
  org.author = "tester";
  org.writes.push_back(crdt::FieldWrite{"name", crdt::WriteKind::kSet, "town volunteers", {}});
  ASSERT_OK(town->Write({org}));
  ASSERT_TRUE(RunUntil(
      io_, [&] { return RecordCount(*city, kVillageA) == 30; }, seconds(20), milliseconds(10)))
      << "A's new records did not reach the city";
  std::vector<Node*> live = {city.get(), town.get(), a.get()};
  ASSERT_TRUE(Converges(live, kTypes, seconds(20), {}, milliseconds(20)));
  EXPECT_EQ(RecordCount(*a, kTown), 1u);
  EXPECT_EQ(RecordCount(*b, kTown), 0u);
  EXPECT_EQ(RecordCount(*town, kVillageB), 20u);
  EXPECT_EQ(RecordCount(*city, kVillageB), 20u);
  EXPECT_EQ(a->connected_peers(), 1u);
  EXPECT_EQ(city->stats().sync_errors, 0u);
  EXPECT_EQ(town->stats().sync_errors, 0u);

  // A restarted town installs the list from its store before any session is up.
  ASSERT_OK(town->Stop());
  town.reset();
  town = StartNode(net_->Config(kTown, true, city->listen_port(), town_port));
  ASSERT_TRUE(town);
  EXPECT_EQ(town->revocation_version(), 1u);
  const size_t refused_before = LogLines(refused, true);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        return town->connected_peers() == 2 && a->connected_peers() == 1 &&
               LogLines(refused, true) > refused_before;
      },
      seconds(20), milliseconds(10)))
      << "town peers " << town->connected_peers();
  EXPECT_EQ(RecordCount(*town, kVillageB), 20u);

  b.reset();
  a.reset();
  town.reset();
  city.reset();
}

}  // namespace
}  // namespace fulei::node

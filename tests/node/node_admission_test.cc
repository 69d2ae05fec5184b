// Admission under a handshake flood (issue 14, defect 4), between whole nodes on loopback: a
// town listening with the default admission limits, a village that synced with it before, and
// a flood of connections from thousands of loopback addresses (127.10.0.0/16), each silent or
// sending a well-formed first handshake message and then nothing. The village comes back while
// the flood goes on and must get in and sync within a bound of dial attempts — not of time.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "node/node.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
using crypto::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::SeqAt;
using testing::WriteBacklog;

constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

// Connections to `target` from ever new loopback addresses, each used once (so no per-address
// limit ever applies): odd ones send a well-formed first handshake message (a 32-byte Noise
// `e`) and never answer the town's reply, even ones send nothing. A socket the town closes is
// closed here too, so only the connections the town still holds use descriptors.
class Flood {
 public:
  struct Counts {
    uint64_t opened = 0, closed_by_town = 0, failed = 0;
  };

  Flood(asio::io_context& io, Tcp::endpoint target)
      : io_(io), target_(std::move(target)), counts_(std::make_shared<Counts>()) {}
  ~Flood() {
    for (auto& weak : sockets_) {
      if (auto s = weak.lock()) {
        boost::system::error_code ignored;
        s->close(ignored);
      }
    }
  }

  void Open(int n) {
    for (int i = 0; i < n; ++i) {
      const uint32_t k = next_++;
      // 127.10.x.y, y in 1..250: 62,500 addresses, none of them the village's 127.0.0.1.
      const asio::ip::address_v4 from((127u << 24) | (10u << 16) | (((k / 250) % 256) << 8) |
                                      (1 + k % 250));
      auto s = std::make_shared<Tcp::socket>(io_);
      boost::system::error_code ec;
      s->open(Tcp::v4(), ec);
      if (!ec) s->bind(Tcp::endpoint(from, 0), ec);
      if (!ec) s->connect(target_, ec);
      if (!ec && k % 2 == 1) {
        std::string first("\x00\x20", 2);
        first.append(32, static_cast<char>(k));
        asio::write(*s, asio::buffer(first), ec);
      }
      if (ec) {
        ++counts_->failed;
        continue;
      }
      ++counts_->opened;
      std::erase_if(sockets_, [](const auto& w) { return w.expired(); });
      sockets_.push_back(s);
      Watch(s, counts_);
    }
  }
  const Counts& counts() const { return *counts_; }

 private:
  // Reads (and ignores) what the town sends until it closes the connection.
  static void Watch(std::shared_ptr<Tcp::socket> s, std::shared_ptr<Counts> counts) {
    auto buffer = std::make_shared<std::array<char, 512>>();
    s->async_read_some(asio::buffer(*buffer),
                       [s, counts, buffer](boost::system::error_code ec, size_t) {
                         if (!ec) return Watch(s, counts);
                         if (ec != asio::error::operation_aborted) ++counts->closed_by_town;
                         boost::system::error_code ignored;
                         s->close(ignored);
                       });
  }

  asio::io_context& io_;
  Tcp::endpoint target_;
  std::shared_ptr<Counts> counts_;
  std::vector<std::weak_ptr<Tcp::socket>> sockets_;
  uint32_t next_ = 0;
};

class NodeAdmissionTest : public testing::NetworkTest {};

TEST_F(NodeAdmissionTest, FloodFromManyAddressesDoesNotShutOutAVillage) {
  net_->Add(kTown, Role::kTown);
  net_->Add(kVillage, Role::kVillage);
  const crdt::NodeId village_id = net_->site(kVillage).id;
  // The town with the default admission limits (64 pending handshakes from unknown sources,
  // 10 s handshake timeout, 2 s for the first message).
  auto town = StartNode(net_->Config(kTown, true, 0));
  ASSERT_TRUE(town);
  {
    // The village has synced with its town before: the town knows where it comes from.
    auto village = StartNode(net_->Config(kVillage, false, town->listen_port()));
    ASSERT_TRUE(village);
    ASSERT_OK(WriteBacklog(*village, 0, 100));
    ASSERT_TRUE(testing::RunUntil(
        io_, [&] { return SeqAt(*town, kVillage, village_id) == 100; }, seconds(30)));
    ASSERT_OK(village->Stop());
  }

  // The flood: once the town refuses its connections, every handshake slot for unknown
  // sources is taken; it goes on until two thousand were refused.
  Flood flood(io_, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), town->listen_port()));
  ASSERT_TRUE(testing::RunUntil(
      io_,
      [&] {
        flood.Open(32);
        return flood.counts().closed_by_town >= 2000;
      },
      seconds(30)));
  ASSERT_EQ(flood.counts().failed, 0u);

  // The village comes back with 200 more records while the flood goes on.
  auto village = StartNode(net_->Config(kVillage, false, town->listen_port()));
  ASSERT_TRUE(village);
  ASSERT_OK(WriteBacklog(*village, 100, 200));
  const uint64_t closed_before = flood.counts().closed_by_town;
  constexpr uint64_t kMaxDials = 2;
  ASSERT_TRUE(testing::RunUntil(
      io_,
      [&] {
        flood.Open(32);
        return SeqAt(*town, kVillage, village_id) == 300 || village->stats().dials > kMaxDials;
      },
      seconds(60)));
  EXPECT_EQ(SeqAt(*town, kVillage, village_id), 300u);
  EXPECT_LE(village->stats().dials, kMaxDials);
  // The flood was refused all along (it did not simply stop).
  EXPECT_GT(flood.counts().closed_by_town, closed_before);
  EXPECT_EQ(flood.counts().failed, 0u);
  std::printf(
      "flood: %llu connections, one address each, %llu closed by the town; village: %llu "
      "dial(s)\n",
      static_cast<unsigned long long>(flood.counts().opened),
      static_cast<unsigned long long>(flood.counts().closed_by_town),
      static_cast<unsigned long long>(village->stats().dials));
}

}  // namespace
}  // namespace fulei::node

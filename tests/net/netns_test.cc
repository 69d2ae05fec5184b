// A real shaped link: two network namespaces created by this test, joined by a veth pair whose
// both ends are shaped with `tc ... tbf rate 256kbit`. The town listens in one namespace, the
// village dials from the other, a bulk backlog saturates the link and an urgent message must
// arrive before the backlog completes. Namespaces use only addresses assigned inside them
// (192.0.2.0/24, TEST-NET-1) and are deleted at the end, pass or fail.
// Needs root and `ip netns`; otherwise skipped with the reason, or failed under CI=true
// (tests/support/skip.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/dialer.h"
#include "net/listener.h"
#include "tests/net/net_fixture.h"
#include "tests/net/shaped_link.h"
#include "tests/support/skip.h"
#include "tests/support/status_matchers.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using crypto::Role;
using std::chrono::milliseconds;
using sync::Priority;

using testing::InNamespace;
using testing::ShapedLink;

struct Outcome {
  bool ran = false;
  long bulk_after_urgent = -1;  // bulk messages that arrived after the urgent one
  milliseconds latency{0};
};

constexpr int kBulk = 16;  // 128 KiB: about 4 s at 256 kbit/s

// Town listening in namespace A, village dialing from B across the shaped veth; a bulk backlog
// is queued at establishment, the urgent message once two bulk messages have arrived.
Outcome RunAcrossShapedLink(const ShapedLink& link, bool fifo) {
  Outcome out;
  testing::TestPki pki(21);
  testing::TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village = pki.MakeNode("jinjiang/cizao/v003", Role::kVillage, &town);
  crypto::TrustStore trust = pki.Trust();
  crypto::DeterministicRandom town_random(1), village_random(2);
  auto town_handler = std::make_shared<testing::Recorder>();
  auto village_handler = std::make_shared<testing::Recorder>();
  std::vector<std::string> log;
  LinkConfig c;
  c.chunk_bytes = 1024;
  c.send_buffer_bytes = 8 * 1024;
  c.fifo = fifo;
  c.log = testing::CollectLog(&log);

  asio::io_context io;
  InNamespace ns;
  // Sockets belong to the namespace of the thread that creates them: the listener's in A,
  // everything the dialer opens in B.
  EXPECT_TRUE(ns.Enter(link.a()));
  auto listener =
      Listener::Start(io, Tcp::endpoint(asio::ip::make_address("192.0.2.1"), 7100),
                      ListenerConfig{c, {}}, testing::FactoryFor(town, trust, town_random),
                      [&](const Tcp::endpoint&) { return town_handler; });
  EXPECT_OK(listener);
  if (!listener.ok()) return out;
  EXPECT_TRUE(ns.Enter(link.b()));
  village_handler->on_established = [](Link& s) {
    for (int i = 0; i < kBulk; ++i) {
      EXPECT_OK(s.Send(Priority::kBulk, static_cast<uint32_t>(i % 2), std::string(8192, 'b')));
    }
  };
  Dialer dialer(io, {(*listener)->local_endpoint()},
                DialerConfig{c, {milliseconds(50), milliseconds(500)}},
                testing::FactoryFor(village, trust, village_random), village_handler);
  dialer.Start();
  const bool flowing = testing::RunUntil(
      io, [&] { return town_handler->messages.size() >= 2; }, milliseconds(30'000));
  EXPECT_TRUE(flowing);
  if (flowing && village_handler->link) {
    const auto sent = std::chrono::steady_clock::now();
    town_handler->on_message = [&](Link&, const LinkMessage& m) {
      if (m.priority == Priority::kUrgent) {
        out.latency =
            std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - sent);
      }
    };
    EXPECT_OK(village_handler->link->Send(Priority::kUrgent, 9, "强制报告"));
    EXPECT_TRUE(testing::RunUntil(
        io, [&] { return town_handler->messages.size() == kBulk + 1; }, milliseconds(60'000)));
    const auto& got = town_handler->messages;
    auto urgent = std::find_if(got.begin(), got.end(), [](const LinkMessage& m) {
      return m.priority == Priority::kUrgent;
    });
    EXPECT_NE(urgent, got.end());
    if (urgent != got.end()) {
      out.ran = true;
      out.bulk_after_urgent = static_cast<long>(got.end() - urgent) - 1;
    }
  }
  dialer.Stop();
  (*listener)->Stop();
  testing::RunUntil(
      io, [&] { return !town_handler->link && !village_handler->link; }, milliseconds(5000));
  return out;
}

#define SKIP_WITHOUT_NETNS(link)                                  \
  FULEI_SKIP_UNLESS_AVAILABLE(testing::NetnsUnavailableReason()); \
  ShapedLink link;                                                \
  FULEI_SKIP_UNLESS_AVAILABLE(link.ok() ? std::string() : link.error())

TEST(NetnsTest, UrgentCrossesASaturated256kbitLinkAheadOfTheBacklog) {
  SKIP_WITHOUT_NETNS(link);
  Outcome o = RunAcrossShapedLink(link, /*fifo=*/false);
  ASSERT_TRUE(o.ran);
  EXPECT_GE(o.bulk_after_urgent, kBulk / 2);
  std::printf("priority: urgent latency across the tbf link %lld ms, %ld of %d bulk after it\n",
              static_cast<long long>(o.latency.count()), o.bulk_after_urgent, kBulk);
}

// The control: with the classes switched off the same urgent message waits for the backlog,
// so the test above does measure the scheduler and not the setup.
TEST(NetnsTest, FifoControlWaitsBehindTheBacklog) {
  SKIP_WITHOUT_NETNS(link);
  Outcome o = RunAcrossShapedLink(link, /*fifo=*/true);
  ASSERT_TRUE(o.ran);
  EXPECT_EQ(o.bulk_after_urgent, 0);
  std::printf("fifo: urgent latency across the tbf link %lld ms\n",
              static_cast<long long>(o.latency.count()));
}

}  // namespace
}  // namespace fulei::net

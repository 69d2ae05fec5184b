// The gtest fixture shared by the integration tests: a TestNetwork named after the running test,
// the io_context that drives its nodes, and what every such test needs (start a node, wait for
// convergence, count an outbox). test_network.h stays free of gtest for the benchmarks.
#ifndef FULEI_TESTS_NODE_NETWORK_TEST_H_
#define FULEI_TESTS_NODE_NETWORK_TEST_H_

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "node/node.h"
#include "tests/node/test_network.h"
#include "tests/support/status_matchers.h"

namespace fulei::node::testing {

class NetworkTest : public ::testing::Test {
 protected:
  NetworkTest()
      : net_(std::make_unique<TestNetwork>(
            ::testing::UnitTest::GetInstance()->current_test_info()->name())) {}

  // Starts a node on io_; nullptr (and a test failure) when it does not start.
  std::unique_ptr<Node> StartNode(NodeConfig config) {
    auto node = net_->Start(io_, std::move(config));
    EXPECT_OK(node);
    return node.ok() ? std::move(node).value() : nullptr;
  }

  // Drives io_ until `nodes` hold the same records of `types` in every scope they share and
  // `also` (when given) reports no problem; the failure names what still differs.
  ::testing::AssertionResult Converges(
      const std::vector<Node*>& nodes, const std::vector<std::string>& types,
      std::chrono::milliseconds limit, const std::function<std::string()>& also = {},
      std::chrono::milliseconds slice = std::chrono::milliseconds(5)) {
    std::string diff;
    const bool ok = RunUntil(
        io_,
        [&] {
          diff = Divergence(nodes, types);
          if (diff.empty() && also) diff = also();
          return diff.empty();
        },
        limit, slice);
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "no convergence within " << limit.count() << " ms: " << diff;
  }

  // Entries in `node`'s outbox `outbox` (0 when it cannot be read, with a test failure).
  static size_t OutboxSize(Node& node, const std::string& outbox) {
    auto o = node.store().Outbox(outbox);
    EXPECT_OK(o);
    return o.ok() ? o->size() : 0;
  }

  boost::asio::io_context io_;
  std::unique_ptr<TestNetwork> net_;
};

}  // namespace fulei::node::testing

#endif  // FULEI_TESTS_NODE_NETWORK_TEST_H_

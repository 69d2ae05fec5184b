// Helpers for net/ tests over real sockets: a small PKI (tests/crypto/pki_fixture.h), channel
// factories, a handler that records what it sees, and RunUntil, which drives an io_context
// until a condition holds or a deadline passes (no sleeps).
#ifndef FULEI_TESTS_NET_NET_FIXTURE_H_
#define FULEI_TESTS_NET_NET_FIXTURE_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/channel.h"
#include "net/session.h"
#include "net/session_config.h"
#include "tests/crypto/pki_fixture.h"

namespace fulei::net::testing {

using crypto::testing::TestNode;
using crypto::testing::TestPki;

// Drives `io` until done() holds; false when `limit` passed first.
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_one_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return true;
}

// A channel factory for `node`; node, trust and random must outlive the factory.
inline ChannelFactory FactoryFor(const TestNode& node, const crypto::TrustStore& trust,
                                 crypto::Random& random, crypto::PeerExpectation expect = {}) {
  return [&node, &trust, &random, expect](bool initiator) {
    return crypto::Channel::Create(crypto::testing::ConfigFor(node, trust, expect), initiator,
                                   random);
  };
}

// Records every callback; optional hooks run on establishment and on each message.
class Recorder final : public SessionHandler {
 public:
  void OnEstablished(const std::shared_ptr<Session>& s) override {
    ++established;
    session = s;
    if (on_established) on_established(*s);
  }
  void OnMessage(Session& s, Message message) override {
    messages.push_back(message);
    if (on_message) on_message(s, messages.back());
  }
  void OnClosed(Session& s, const Status& reason) override {
    ++closed;
    reasons.push_back(reason);
    if (session.get() == &s) session.reset();
  }

  int established = 0, closed = 0;
  std::shared_ptr<Session> session;  // the latest established one, until it closes
  std::vector<Message> messages;
  std::vector<Status> reasons;
  std::function<void(Session&)> on_established;
  std::function<void(Session&, const Message&)> on_message;
};

// Quiet logs for tests that provoke failures on purpose; collected for assertions.
inline std::function<void(std::string_view)> CollectLog(std::vector<std::string>* lines) {
  return [lines](std::string_view line) { lines->emplace_back(line); };
}

}  // namespace fulei::net::testing

#endif  // FULEI_TESTS_NET_NET_FIXTURE_H_

// Tamper suite of crypto/channel.cc: a recorded session (handshake and transport frames, both
// directions) is replayed into a fresh endpoint with the same seeded randomness, so the
// untouched replay reproduces the session exactly. Then every single-bit flip, every replay of
// an earlier frame, every swap, drop and truncation must be rejected: the endpoint reports an
// error (now or at end of stream), delivers nothing from the damaged point on, and stays closed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/channel.h"
#include "crypto/random.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::ConfigFor;
using testing::TestNode;
using testing::TestPki;

constexpr uint64_t kInitiatorSeed = 11, kResponderSeed = 22;

struct Replay {
  std::vector<std::string> delivered;
  bool error = false;
  bool closed = false;
};

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DeterministicRandom ri(kInitiatorSeed), rr(kResponderSeed);
    auto i = Channel::Create(ConfigFor(village_, trust_), true, ri);
    auto r = Channel::Create(ConfigFor(town_, trust_), false, rr);
    ASSERT_OK(i);
    ASSERT_OK(r);
    std::vector<std::string> sink;
    auto m1 = i->Start();
    ASSERT_OK(m1);
    to_r_.push_back(*m1);
    std::string m2, m3, none;
    ASSERT_OK(r->Feed(*m1, &m2, &sink));
    to_i_.push_back(m2);
    ASSERT_OK(i->Feed(m2, &m3, &sink));
    to_r_.push_back(m3);
    ASSERT_OK(r->Feed(m3, &none, &sink));
    ASSERT_TRUE(i->established() && r->established());
    for (int n = 0; n < 4; ++n) {
      std::string msg =
          "visit note " + std::to_string(n) + std::string(static_cast<size_t>(n), '#');
      to_r_.push_back(*i->Seal(msg));
      to_r_messages_.push_back(msg);
    }
    for (int n = 0; n < 3; ++n) {
      std::string msg = "receipt " + std::to_string(n);
      to_i_.push_back(*r->Seal(msg));
      to_i_messages_.push_back(msg);
    }
  }

  // Feeds `chunks` to a fresh endpoint (responder when to_responder) and then ends the stream.
  Replay Run(bool to_responder, const std::vector<std::string>& chunks) {
    DeterministicRandom rnd(to_responder ? kResponderSeed : kInitiatorSeed);
    auto ch = to_responder ? Channel::Create(ConfigFor(town_, trust_), false, rnd)
                           : Channel::Create(ConfigFor(village_, trust_), true, rnd);
    EXPECT_OK(ch);
    Replay out;
    if (!to_responder) {
      EXPECT_OK(ch->Start());
    }
    for (const std::string& c : chunks) {
      std::string reply;
      if (!ch->Feed(c, &reply, &out.delivered).ok()) {
        out.error = true;
        break;
      }
    }
    if (!out.error && !ch->Finish().ok()) out.error = true;
    out.closed = ch->closed();
    return out;
  }

  // Messages carried by the first `n` chunks of a direction (handshake chunks carry none).
  std::vector<std::string> Prefix(bool to_responder, size_t n) {
    size_t handshake = to_responder ? 2 : 1;
    const auto& all = to_responder ? to_r_messages_ : to_i_messages_;
    size_t k = n > handshake ? n - handshake : 0;
    return std::vector<std::string>(all.begin(), all.begin() + static_cast<long>(k));
  }

  void ExpectRejected(bool to_responder, const std::vector<std::string>& chunks, size_t damaged_at,
                      const std::string& what) {
    Replay r = Run(to_responder, chunks);
    EXPECT_TRUE(r.error) << what;
    EXPECT_TRUE(r.closed) << what;
    EXPECT_EQ(r.delivered, Prefix(to_responder, damaged_at)) << what;
  }

  TestPki pki_{3};
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown);
  TestNode village_ = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  TrustStore trust_ = pki_.Trust();
  std::vector<std::string> to_r_, to_i_, to_r_messages_, to_i_messages_;
};

TEST_F(TamperTest, UntouchedReplayReproducesTheSession) {
  Replay r = Run(true, to_r_);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.delivered, to_r_messages_);
  Replay i = Run(false, to_i_);
  EXPECT_FALSE(i.error);
  EXPECT_EQ(i.delivered, to_i_messages_);
}

TEST_F(TamperTest, EverySingleBitFlipIsRejected) {
  size_t cases = 0;
  for (bool to_responder : {true, false}) {
    const auto& chunks = to_responder ? to_r_ : to_i_;
    for (size_t c = 0; c < chunks.size(); ++c) {
      for (size_t bit = 0; bit < chunks[c].size() * 8; ++bit) {
        std::vector<std::string> t = chunks;
        t[c][bit / 8] = static_cast<char>(t[c][bit / 8] ^ (1 << (bit % 8)));
        Replay r = Run(to_responder, t);
        ++cases;
        if (!r.error || !r.closed || r.delivered != Prefix(to_responder, c)) {
          ADD_FAILURE() << "bit " << bit << " of chunk " << c << " toward "
                        << (to_responder ? "responder" : "initiator") << " was not rejected";
          return;
        }
      }
    }
  }
  EXPECT_GT(cases, 4000u);
}

TEST_F(TamperTest, EveryReplayOfAnEarlierChunkIsRejected) {
  for (bool to_responder : {true, false}) {
    const auto& chunks = to_responder ? to_r_ : to_i_;
    for (size_t j = 0; j < chunks.size(); ++j) {
      for (size_t at = j + 1; at <= chunks.size(); ++at) {
        std::vector<std::string> t = chunks;
        t.insert(t.begin() + static_cast<long>(at), chunks[j]);
        ExpectRejected(to_responder, t, at,
                       "replay of chunk " + std::to_string(j) + " at " + std::to_string(at));
      }
    }
  }
}

TEST_F(TamperTest, ReorderedAndDroppedFramesAreRejected) {
  for (bool to_responder : {true, false}) {
    const auto& chunks = to_responder ? to_r_ : to_i_;
    for (size_t j = 0; j + 1 < chunks.size(); ++j) {
      std::vector<std::string> swapped = chunks;
      std::swap(swapped[j], swapped[j + 1]);
      ExpectRejected(to_responder, swapped, j, "swap at " + std::to_string(j));
      std::vector<std::string> dropped = chunks;
      dropped.erase(dropped.begin() + static_cast<long>(j));
      ExpectRejected(to_responder, dropped, j, "drop of " + std::to_string(j));
    }
  }
}

TEST_F(TamperTest, EveryTruncationIsRejected) {
  for (bool to_responder : {true, false}) {
    const auto& chunks = to_responder ? to_r_ : to_i_;
    for (size_t c = 0; c < chunks.size(); ++c) {
      // Cutting a chunk to zero bytes is a clean end of stream between frames (a peer may always
      // hang up); every cut inside a frame or handshake message must be caught.
      for (size_t len = 1; len < chunks[c].size(); ++len) {
        std::vector<std::string> t(chunks.begin(), chunks.begin() + static_cast<long>(c) + 1);
        t[c].resize(len);
        ExpectRejected(to_responder, t, c,
                       "chunk " + std::to_string(c) + " cut to " + std::to_string(len));
      }
    }
  }
}

TEST_F(TamperTest, OversizedLengthFieldIsRejectedAtOnce) {
  std::vector<std::string> t(to_r_.begin(), to_r_.begin() + 2);
  t.push_back(std::string("\x00\x01\x00\x11", 4));  // 65553 > max frame + tag
  Replay r = Run(true, t);
  EXPECT_TRUE(r.error);
  EXPECT_TRUE(r.delivered.empty());
}

}  // namespace
}  // namespace fulei::crypto

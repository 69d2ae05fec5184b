// The Noise engine against the cacophony test vectors (tests/vectors/, public domain): every
// handshake and transport message, and the handshake hash, byte for byte, for all twelve
// patterns; plus the engine's failure behaviour.
#include "crypto/noise.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "tests/crypto/test_util.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto::noise {
namespace {

using testing::FromHex;
using testing::ToHex;

const char kVectors[] = FULEI_SOURCE_DIR "/tests/vectors/noise-25519-chachapoly-blake2b.json";

boost::json::array LoadVectors() {
  std::string text;
  try {
    text = testing::ReadFileOrThrow(kVectors);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << " — the Noise vectors must be in the repository";
    return {};
  }
  return boost::json::parse(text).as_object().at("vectors").as_array();
}

std::string Str(const boost::json::object& o, const char* key) {
  return std::string(o.at(key).as_string().c_str());
}

std::optional<KeyPair> KeyFrom(const boost::json::object& o, const char* key) {
  if (!o.contains(key)) return std::nullopt;
  std::string priv = FromHex(Str(o, key));
  return KeyPair::FromPrivate(reinterpret_cast<const uint8_t*>(priv.data()));
}

std::optional<PublicKey> PublicFrom(const boost::json::object& o, const char* key) {
  if (!o.contains(key)) return std::nullopt;
  std::string pub = FromHex(Str(o, key));
  PublicKey pk;
  std::memcpy(pk.data(), pub.data(), pk.size());
  return pk;
}

class NoRandom final : public Random {
 public:
  void Fill(uint8_t*, size_t) override { ADD_FAILURE() << "vectors use fixed ephemerals"; }
};

void RunVector(const boost::json::object& v) {
  std::string name = Str(v, "protocol_name");
  SCOPED_TRACE(name);
  auto pattern = PatternFromProtocolName(name);
  ASSERT_OK(pattern);
  NoRandom no_random;

  HandshakeConfig ic;
  ic.pattern = *pattern;
  ic.initiator = true;
  ic.prologue = FromHex(Str(v, "init_prologue"));
  ic.static_keys = KeyFrom(v, "init_static");
  ic.remote_static = PublicFrom(v, "init_remote_static");
  ic.fixed_ephemeral = KeyFrom(v, "init_ephemeral");
  HandshakeConfig rc;
  rc.pattern = *pattern;
  rc.initiator = false;
  rc.prologue = FromHex(Str(v, "resp_prologue"));
  rc.static_keys = KeyFrom(v, "resp_static");
  rc.remote_static = PublicFrom(v, "resp_remote_static");
  rc.fixed_ephemeral = KeyFrom(v, "resp_ephemeral");

  auto init = HandshakeState::Create(std::move(ic), no_random);
  auto resp = HandshakeState::Create(std::move(rc), no_random);
  ASSERT_OK(init);
  ASSERT_OK(resp);

  const auto& messages = v.at("messages").as_array();
  ASSERT_GT(messages.size(), pattern->messages.size());
  std::optional<SplitResult> isplit, rsplit;
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    const auto& m = messages[i].as_object();
    std::string payload = FromHex(Str(m, "payload"));
    std::string expected = FromHex(Str(m, "ciphertext"));
    bool from_initiator = i % 2 == 0;
    std::string wire, read;
    if (i < pattern->messages.size()) {
      HandshakeState& writer = from_initiator ? *init : *resp;
      HandshakeState& reader = from_initiator ? *resp : *init;
      ASSERT_OK(writer.WriteMessage(payload, &wire));
      EXPECT_EQ(ToHex(wire), ToHex(expected));
      ASSERT_OK(reader.ReadMessage(wire, &read));
      EXPECT_EQ(ToHex(read), ToHex(payload));
      if (i + 1 == pattern->messages.size()) {
        ASSERT_TRUE(init->finished());
        ASSERT_TRUE(resp->finished());
        auto a = init->Split();
        auto b = resp->Split();
        ASSERT_OK(a);
        ASSERT_OK(b);
        isplit = std::move(a).value();
        rsplit = std::move(b).value();
        std::string hh(reinterpret_cast<const char*>(isplit->handshake_hash.data()), kHashLen);
        EXPECT_EQ(ToHex(hh), Str(v, "handshake_hash"));
        EXPECT_EQ(isplit->handshake_hash, rsplit->handshake_hash);
      }
    } else {
      ASSERT_TRUE(isplit && rsplit);
      CipherState& send = from_initiator ? isplit->send : rsplit->send;
      CipherState& recv = from_initiator ? rsplit->receive : isplit->receive;
      ASSERT_OK(send.EncryptWithAd("", payload, &wire));
      EXPECT_EQ(ToHex(wire), ToHex(expected));
      ASSERT_OK(recv.DecryptWithAd("", wire, &read));
      EXPECT_EQ(ToHex(read), ToHex(payload));
    }
  }
}

TEST(NoiseVectorsTest, AllTwelvePatternsReproduceByteForByte) {
  boost::json::array vectors = LoadVectors();
  ASSERT_EQ(vectors.size(), 12u) << "expected the twelve patterns of " << kVectors;
  for (const auto& v : vectors) RunVector(v.as_object());
}

TEST(NoiseVectorsTest, XXIsPresentAndReproduces) {
  boost::json::array vectors = LoadVectors();
  int found = 0;
  for (const auto& v : vectors) {
    if (Str(v.as_object(), "protocol_name") == "Noise_XX_25519_ChaChaPoly_BLAKE2b") {
      ++found;
      RunVector(v.as_object());
    }
  }
  EXPECT_EQ(found, 1);
}

// A flipped bit in any XX handshake message makes the handshake fail before it completes (the
// unencrypted first message is caught by the transcript hash when the next message is read).
TEST(NoiseHandshakeTest, TamperedHandshakeMessageFails) {
  SystemRandom random;
  for (size_t victim = 0; victim < 3; ++victim) {
    HandshakeConfig ic{*PatternByName("XX"), true, "p", KeyPair::Generate(random), {}, {}};
    HandshakeConfig rc{*PatternByName("XX"), false, "p", KeyPair::Generate(random), {}, {}};
    auto a = HandshakeState::Create(std::move(ic), random);
    auto b = HandshakeState::Create(std::move(rc), random);
    ASSERT_OK(a);
    ASSERT_OK(b);
    bool failed = false;
    for (size_t i = 0; i < 3 && !failed; ++i) {
      HandshakeState& w = i % 2 == 0 ? *a : *b;
      HandshakeState& r = i % 2 == 0 ? *b : *a;
      std::string msg, payload;
      ASSERT_OK(w.WriteMessage("hello", &msg));
      if (i == victim) msg[msg.size() - 1] ^= 1;
      if (!r.ReadMessage(msg, &payload).ok()) {
        EXPECT_TRUE(r.failed());
        EXPECT_EQ(r.ReadMessage(msg, &payload).code(),
                  StatusCode::kFailedPrecondition);  // stays failed
        failed = true;
      }
    }
    EXPECT_TRUE(failed) << "tampering with message " << victim << " went unnoticed";
  }
}

TEST(NoiseHandshakeTest, LowOrderEphemeralRejected) {
  SystemRandom random;
  HandshakeConfig rc{*PatternByName("XX"), false, "", KeyPair::Generate(random), {}, {}};
  auto b = HandshakeState::Create(std::move(rc), random);
  ASSERT_OK(b);
  std::string zero_e(32, '\0');  // the all-zero point: DH output is zero
  std::string payload;
  ASSERT_OK(b->ReadMessage(zero_e, &payload));  // -> e alone does no DH
  std::string reply;
  EXPECT_EQ(b->WriteMessage("", &reply).code(),
            StatusCode::kUnauthenticated);  // <- e, ee: low-order DH refused
  EXPECT_TRUE(b->failed());
}

TEST(NoiseHandshakeTest, UnknownPatternAndMissingKeys) {
  SystemRandom random;
  EXPECT_EQ(PatternByName("XY").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PatternFromProtocolName("Noise_XX_448_AESGCM_SHA512").status().code(),
            StatusCode::kInvalidArgument);
  HandshakeConfig ic{*PatternByName("XX"), true, "", std::nullopt, {}, {}};
  EXPECT_EQ(HandshakeState::Create(std::move(ic), random).status().code(),
            StatusCode::kInvalidArgument);
  HandshakeConfig kc{*PatternByName("IK"), true, "", KeyPair::Generate(random), std::nullopt, {}};
  EXPECT_EQ(HandshakeState::Create(std::move(kc), random).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(NoiseCipherTest, RekeyChangesKeyOnBothSides) {
  uint8_t key[32] = {7};
  CipherState a, b;
  a.InitializeKey(key);
  b.InitializeKey(key);
  std::string c1, p1;
  ASSERT_OK(a.EncryptWithAd("", "x", &c1));
  a.Rekey();
  std::string c2, p2;
  ASSERT_OK(a.EncryptWithAd("", "x", &c2));
  ASSERT_OK(b.DecryptWithAd("", c1, &p1));
  EXPECT_EQ(b.DecryptWithAd("", c2, &p2).code(), StatusCode::kCorruption);  // b has not rekeyed
  b.Rekey();
  ASSERT_OK(b.DecryptWithAd("", c2, &p2));
  EXPECT_EQ(p2, "x");
}

}  // namespace
}  // namespace fulei::crypto::noise

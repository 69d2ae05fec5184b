// Sealed streams (crypto/sealed_stream.cc): frames come back in order; a wrong passphrase, a
// stream of another purpose, every kind of damage and a stream cut short are each refused; an
// unfinished writer leaves nothing behind. And the streamed BLAKE2b-256 that backups use.
#include "crypto/sealed_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/signing.h"
#include "tests/crypto/test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::crypto {
namespace {

namespace fs = std::filesystem;
using testing::kFastArgon2;

class SealedStreamTest : public ::testing::Test {
 protected:
  // A stream of three frames: "one", 1 MiB of 'x', and "last" (FINAL).
  fs::path Write(const std::string& name, std::string_view pass = "pass") {
    const fs::path path = dir_ / name;
    auto w = SealedStreamWriter::Create(path, "fulei-test", pass, random_, kFastArgon2);
    EXPECT_OK(w.status());
    EXPECT_OK(w->Append("one"));
    EXPECT_OK(w->Append(std::string(kSealedStreamMaxFrame, 'x')));
    EXPECT_OK(w->Finish("last"));
    return path;
  }
  static std::string Bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void Put(const fs::path& p, const std::string& bytes) {
    fs::remove(p);
    std::ofstream(p, std::ios::binary) << bytes;
  }
  // Reads the whole stream; the first error.
  static Status ReadAll(const fs::path& p, std::vector<std::string>* frames = nullptr,
                        std::string_view pass = "pass") {
    auto r = SealedStreamReader::Open(p, "fulei-test", pass);
    if (!r.ok()) return r.status();
    for (;;) {
      auto f = r->Next();
      if (!f.ok()) return f.status();
      if (!*f) return Status::Ok();
      if (frames) frames->push_back(std::move(**f));
    }
  }

  fulei::testing::TempDir tmp_;
  const fs::path dir_{tmp_.path()};
  DeterministicRandom random_{7};
};

TEST_F(SealedStreamTest, FramesComeBackInOrder) {
  const fs::path p = Write("a");
  std::vector<std::string> frames;
  ASSERT_OK(ReadAll(p, &frames));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], "one");
  EXPECT_EQ(frames[1], std::string(kSealedStreamMaxFrame, 'x'));
  EXPECT_EQ(frames[2], "last");
  EXPECT_EQ(fs::status(p).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  // Nothing in the clear: the 1 MiB frame of 'x' would show as a run of them. (Not "one": three
  // given bytes turn up by chance somewhere in a megabyte of ciphertext about once in 30 files.)
  EXPECT_EQ(Bytes(p).find(std::string(32, 'x')), std::string::npos);
  EXPECT_EQ(
      SealedStreamWriter::Create(p, "fulei-test", "pass", random_, kFastArgon2).status().code(),
      StatusCode::kAlreadyExists);
}

TEST_F(SealedStreamTest, WrongPassphraseAndOtherPurposeRefused) {
  const fs::path p = Write("a");
  EXPECT_EQ(ReadAll(p, nullptr, "wrong").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(SealedStreamReader::Open(p, "fulei-backup", "pass").status().code(),
            StatusCode::kInvalidArgument);
  Put(dir_ / "junk", "not a stream at all");
  EXPECT_EQ(ReadAll(dir_ / "junk").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadAll(dir_ / "missing").code(), StatusCode::kNotFound);
}

TEST_F(SealedStreamTest, EveryFlippedByteIsRefused) {
  const fs::path p = Write("a");
  const std::string good = Bytes(p);
  // Every byte of the header and the first and last frames, and a sample of the middle one.
  for (size_t i = 0; i < good.size(); i += (i < 200 || i + 200 > good.size()) ? 1 : 4099) {
    std::string bad = good;
    bad[i] ^= 0x01;
    Put(dir_ / "bad", bad);
    EXPECT_FALSE(ReadAll(dir_ / "bad").ok()) << "byte " << i;
  }
}

TEST_F(SealedStreamTest, CutShortOrExtendedIsCorruption) {
  const fs::path p = Write("a");
  const std::string good = Bytes(p);
  for (size_t cut : {good.size() - 1, good.size() - 30, good.size() / 2, size_t{80}}) {
    Put(dir_ / "cut", good.substr(0, cut));
    const Status s = ReadAll(dir_ / "cut");
    EXPECT_FALSE(s.ok()) << cut;
    if (cut > 100) {
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << cut;
    }
  }
  Put(dir_ / "long", good + "x");
  EXPECT_EQ(ReadAll(dir_ / "long").code(), StatusCode::kCorruption);
}

TEST_F(SealedStreamTest, FramesSwappedOrDroppedAreRefused) {
  // Three equal-sized message frames, then a FINAL one.
  const fs::path p = dir_ / "eq";
  auto w = SealedStreamWriter::Create(p, "fulei-test", "pass", random_, kFastArgon2);
  ASSERT_OK(w.status());
  ASSERT_OK(w->Append("AAAA"));
  ASSERT_OK(w->Append("BBBB"));
  ASSERT_OK(w->Append("CCCC"));
  ASSERT_OK(w->Finish("DDDD"));
  const std::string good = Bytes(p);
  const size_t frame = 4 + 4 + 17;
  const size_t start = good.size() - 4 * frame;
  std::string swapped = good;
  swapped.replace(start + frame, frame, good.substr(start + 2 * frame, frame));
  swapped.replace(start + 2 * frame, frame, good.substr(start + frame, frame));
  Put(dir_ / "swapped", swapped);
  EXPECT_EQ(ReadAll(dir_ / "swapped").code(), StatusCode::kCorruption);
  std::string dropped = good;
  dropped.erase(start + frame, frame);
  Put(dir_ / "dropped", dropped);
  EXPECT_EQ(ReadAll(dir_ / "dropped").code(), StatusCode::kCorruption);
}

TEST_F(SealedStreamTest, AnUnfinishedWriterLeavesNothing) {
  {
    auto w = SealedStreamWriter::Create(dir_ / "u", "fulei-test", "pass", random_, kFastArgon2);
    ASSERT_OK(w.status());
    ASSERT_OK(w->Append("partial"));
  }
  EXPECT_FALSE(fs::exists(dir_ / "u"));
  EXPECT_FALSE(fs::exists(dir_ / "u.tmp"));
}

// The checksum of a backup's store copy: BLAKE2b-256 over pieces equals it over the whole.
TEST(Blake2b256Stream, PiecesGiveTheDigestOfTheWhole) {
  std::string whole(3000, 'a');
  whole.append("fulei").append(70000, '\x07');
  Blake2b256Stream s;
  for (size_t at = 0; at < whole.size(); at += 4093)
    s.Update(std::string_view(whole).substr(at, 4093));
  EXPECT_EQ(s.Final(), Blake2b256(whole));
  Blake2b256Stream other;
  other.Update(whole.substr(1));
  EXPECT_NE(other.Final(), Blake2b256(whole));
}

}  // namespace
}  // namespace fulei::crypto

#include "crdt/untrusted_capnp.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>
#include <kj/exception.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace fulei::crdt {
namespace {

constexpr CapnpLimits kGenerous{
    .max_bytes = 1 << 20, .traversal_per_word = 4, .traversal_slack = 64, .nesting_limit = 16};

// A message whose root is a struct of `data_words` data words (all bytes 0x01), no pointers.
void InitRoot(capnp::MallocMessageBuilder& m, uint16_t data_words) {
  for (kj::byte& b :
       m.initRoot<capnp::AnyPointer>().initAsAnyStruct(data_words, 0).getDataSection()) {
    b = 1;
  }
}

std::string ToString(kj::ArrayPtr<const kj::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// With a segment table (capnp::messageToFlatArray).
std::string FlatArray(uint16_t data_words) {
  capnp::MallocMessageBuilder m;
  InitRoot(m, data_words);
  return ToString(capnp::messageToFlatArray(m).asBytes());
}

// Canonical form: one segment, no segment table.
std::string SingleSegment(uint16_t data_words) {
  capnp::MallocMessageBuilder m;
  InitRoot(m, data_words);
  return ToString(
      m.getRoot<capnp::AnyPointer>().asReader().getAs<capnp::AnyStruct>().canonicalize().asBytes());
}

Status ReadRoot(capnp::MessageReader& reader) {
  (void)reader.getRoot<capnp::AnyStruct>().getDataSection();
  return Status::Ok();
}

TEST(UntrustedCapnp, ReadsBothFramings) {
  EXPECT_OK(
      ReadUntrustedCapnp(FlatArray(3), CapnpFraming::kFlatArray, kGenerous, "test", ReadRoot));
  size_t data_bytes = 0;
  EXPECT_OK(ReadUntrustedCapnp(SingleSegment(3), CapnpFraming::kSingleSegment, kGenerous, "test",
                               [&](capnp::MessageReader& reader) {
                                 data_bytes =
                                     reader.getRoot<capnp::AnyStruct>().getDataSection().size();
                                 return Status::Ok();
                               }));
  EXPECT_EQ(data_bytes, 3u * 8);
}

TEST(UntrustedCapnp, RefusesOversizedInputBeforeParsing) {
  CapnpLimits limits = kGenerous;
  const std::string bytes = FlatArray(3);
  limits.max_bytes = bytes.size() - 8;
  bool called = false;
  Status st = ReadUntrustedCapnp(bytes, CapnpFraming::kFlatArray, limits, "test",
                                 [&](capnp::MessageReader&) {
                                   called = true;
                                   return Status::Ok();
                                 });
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("test of " + std::to_string(bytes.size()) + " bytes exceeds the"),
            std::string::npos)
      << st.ToString();
  EXPECT_FALSE(called);
  limits.max_bytes = bytes.size();  // the limit itself is allowed
  EXPECT_OK(ReadUntrustedCapnp(bytes, CapnpFraming::kFlatArray, limits, "test", ReadRoot));
}

TEST(UntrustedCapnp, RefusesEmptyAndUnalignedInput) {
  for (const std::string& bytes : {std::string(), std::string(7, '\0'), std::string(12, '\0')}) {
    Status st =
        ReadUntrustedCapnp(bytes, CapnpFraming::kSingleSegment, kGenerous, "test", ReadRoot);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << bytes.size();
    EXPECT_NE(st.message().find("not a positive multiple of 8"), std::string::npos)
        << st.ToString();
  }
}

TEST(UntrustedCapnp, ReadsFromUnalignedMemory) {
  const std::string bytes = FlatArray(2);
  std::string shifted = " " + bytes;  // the message starts at an odd address
  EXPECT_OK(ReadUntrustedCapnp(std::string_view(shifted).substr(1), CapnpFraming::kFlatArray,
                               kGenerous, "test", ReadRoot));
}

TEST(UntrustedCapnp, AppliesTheTraversalLimit) {
  CapnpLimits tight = kGenerous;
  tight.traversal_per_word = 0;
  tight.traversal_slack = 1;  // fewer words than the root struct holds
  Status st = ReadUntrustedCapnp(FlatArray(8), CapnpFraming::kFlatArray, tight, "test", ReadRoot);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("test does not decode: "), std::string::npos) << st.ToString();
}

TEST(UntrustedCapnp, TurnsDamageIntoCorruption) {
  // A segment table claiming one segment of 1000 words, followed by one word.
  std::string bytes(16, '\0');
  bytes[4] = static_cast<char>(1000 & 0xff);
  bytes[5] = static_cast<char>(1000 >> 8);
  Status st = ReadUntrustedCapnp(bytes, CapnpFraming::kFlatArray, kGenerous, "test", ReadRoot);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("test does not decode: "), std::string::npos) << st.ToString();
}

TEST(UntrustedCapnp, ExceptionsAndStatusesOfTheReaderComeBack) {
  const std::string bytes = FlatArray(1);
  Status thrown = ReadUntrustedCapnp(bytes, CapnpFraming::kFlatArray, kGenerous, "test",
                                     [](capnp::MessageReader&) -> Status {
                                       KJ_FAIL_REQUIRE("bad field");
                                       return Status::Ok();
                                     });
  EXPECT_EQ(thrown.code(), StatusCode::kCorruption);
  EXPECT_NE(thrown.message().find("bad field"), std::string::npos) << thrown.ToString();
  Status returned = ReadUntrustedCapnp(
      bytes, CapnpFraming::kFlatArray, kGenerous, "test",
      [](capnp::MessageReader&) { return InvalidArgument("not a thing we know"); });
  EXPECT_EQ(returned, InvalidArgument("not a thing we know"));
}

}  // namespace
}  // namespace fulei::crdt

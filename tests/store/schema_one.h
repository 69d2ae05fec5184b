// A store rewritten the way schema 1 wrote it (states in the packed canonical encoding; meta
// "format" 1), for the tests of the migration at open: tests/store/batch_test.cc (the store) and
// tests/node/fulei_cli_test.cc (a node's data directory).
#ifndef FULEI_TESTS_STORE_SCHEMA_ONE_H_
#define FULEI_TESTS_STORE_SCHEMA_ONE_H_

#include <gtest/gtest.h>

#include <string>

#include "crdt/record.h"
#include "store/internal/keys.h"
#include "store/internal/value_codec.h"
#include "tests/store/raw_lmdb.h"
#include "tests/support/status_matchers.h"

namespace fulei::store::testing {

// Rewrites the store in `dir` the way schema 1 wrote it, with `codec` (same sealing).
inline void RewriteAsSchemaOne(const std::string& dir, const internal::ValueCodec& codec,
                               bool sealed, const std::string& corrupt_key = "") {
  testing::RawEdit(dir, "state", [&](testing::RawRows& rows) {
    for (auto& [key, value] : rows) {
      auto plain = codec.Unwrap("state", key, value, internal::Packing::kAsIs);
      ASSERT_OK(plain);
      auto decoded = crdt::RecordState::DecodeCompact(*plain);
      ASSERT_OK(decoded);
      value = codec.Wrap("state", key, decoded->Encode());  // packed canonical
      if (key == corrupt_key) value[value.size() / 2] ^= 0x40;
    }
  });
  testing::RawEdit(dir, "meta", [&](testing::RawRows& rows) {
    std::string format;
    internal::AppendU32(&format, 1);
    format.push_back(sealed ? '\x01' : '\x00');
    rows = {{"format", internal::Checked("meta", "format", format)}};
  });
}

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_SCHEMA_ONE_H_

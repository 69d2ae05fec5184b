// Reading a store's bytes behind its back, for tests that check what is on disk.
#ifndef FULEI_TESTS_STORE_RAW_LMDB_H_
#define FULEI_TESTS_STORE_RAW_LMDB_H_

#include <gtest/gtest.h>
#include <lmdb.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fulei::store::testing {

// The stored bytes of `key` in database `db` of the (closed) store in `dir`, as LMDB holds them;
// nullopt when absent. Fails the test on any LMDB error.
inline std::optional<std::string> RawGet(const std::string& dir, const char* db,
                                         const std::string& key) {
  std::optional<std::string> out;
  MDB_env* env = nullptr;
  EXPECT_EQ(mdb_env_create(&env), 0);
  EXPECT_EQ(mdb_env_set_maxdbs(env, 64), 0);
  if (mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0600) != 0) {
    ADD_FAILURE() << "cannot open " << dir;
    mdb_env_close(env);
    return out;
  }
  MDB_txn* txn = nullptr;
  MDB_dbi dbi;
  EXPECT_EQ(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn), 0);
  EXPECT_EQ(mdb_dbi_open(txn, db, 0, &dbi), 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v;
  if (mdb_get(txn, dbi, &k, &v) == 0) out.emplace(static_cast<char*>(v.mv_data), v.mv_size);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return out;
}

using RawRows = std::vector<std::pair<std::string, std::string>>;

// Reads every (key, value) of database `db` of the (closed) store in `dir`, lets `edit` change
// the values, and writes them back in one transaction. Fails the test on any LMDB error.
inline void RawEdit(const std::string& dir, const char* db,
                    const std::function<void(RawRows& rows)>& edit) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 64), 0);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi;
  ASSERT_EQ(mdb_dbi_open(txn, db, 0, &dbi), 0);
  RawRows rows;
  MDB_cursor* cur = nullptr;
  ASSERT_EQ(mdb_cursor_open(txn, dbi, &cur), 0);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    rows.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                      std::string(static_cast<char*>(v.mv_data), v.mv_size));
  }
  mdb_cursor_close(cur);
  edit(rows);
  for (auto& [key, value] : rows) {
    MDB_val k2{key.size(), key.data()}, v2{value.size(), value.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &k2, &v2, 0), 0);
  }
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

// Flips one bit in the middle of the value of `key` in database `db` of the (closed) store in
// `dir`: bit rot under a store. Fails the test when `db` holds no such key.
inline void RawFlip(const std::string& dir, const char* db, const std::string& key) {
  bool found = false;
  RawEdit(dir, db, [&](RawRows& rows) {
    for (auto& [k, v] : rows) {
      if (k != key || v.empty()) continue;
      v[v.size() / 2] = static_cast<char>(v[v.size() / 2] ^ 0x10);
      found = true;
    }
  });
  EXPECT_TRUE(found) << db << " holds no such key";
}

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_RAW_LMDB_H_

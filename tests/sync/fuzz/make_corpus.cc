// Writes the seed corpus of sync_message_decode_fuzz (protocol v2) into <dir>:
//   sync_fuzz_make_corpus tests/sync/fuzz/corpus/message
// Built on demand (not a test); its output is checked in. One file per message kind, ops
// batches of real signed ops in the shapes the codec distinguishes (one run, several origins
// with gaps, erased, tampered and verbatim ops, urgent flags, certificates), and a few damaged
// batches.
#include <cstdio>
#include <fstream>
#include <string>

#include "crypto/op_chain.h"
#include "sync/messages.h"
#include "tests/sync/fuzz/random_batch.h"

using namespace fulei;
using namespace fulei::sync;

namespace {

std::string dir;
int written = 0;

void Write(const std::string& name, const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out << bytes;
  ++written;
}

OpsBatch Batch(uint64_t seed, const testing::BatchShape& shape, bool urgent = false) {
  const testing::RandomBatch r = testing::MakeRandomBatch(seed, shape);
  OpsBatch b;
  b.batch = seed;
  b.scope = testing::kScope;
  b.ops = r.bytes;
  for (const testing::Run& run : r.runs) b.heads.push_back(crypto::EncodeSignedHead(run.head));
  b.urgent = urgent;
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  dir = argv[1];
  Write("hello", EncodeMessage(Hello{kProtocolVersion, 0x1234, "jinjiang/cizao", 1764000000000}));
  Write("digest", EncodeMessage(Digest{{ScopeDigest{"jinjiang", {1, 2, 3}},
                                        ScopeDigest{"jinjiang/cizao/v012", {}}}}));
  Write("vectors",
        EncodeMessage(Vectors{{ScopeVector{"jinjiang/cizao", {VvEntry{1, 9}, VvEntry{2, 3}}},
                               ScopeVector{"jinjiang", {VvEntry{0xdeadbeef, 70000}}}}}));
  Write("ack", EncodeMessage(Ack{7, "jinjiang/cizao/v012", {VvEntry{1, 2}, VvEntry{5, 9}}}));
  Write("urgent_ack", EncodeMessage(UrgentAck{8, {VvEntry{5, 6}}, "jinjiang/cizao/v012"}));
  Write("ops_empty", EncodeMessage(OpsBatch{1, "jinjiang/cizao/v012", {}, {}, {}, false}));

  testing::BatchShape one;
  one.origins = 1;
  one.ops = 6;
  one.erase = 0;
  one.gaps = false;
  one.long_values = 0;
  one.max_writes = 2;
  Write("ops_one_run", EncodeMessage(Batch(1, one)));
  OpsBatch with_cert = Batch(2, one, true);
  with_cert.certs.push_back(std::string(200, 'c'));
  Write("ops_urgent_with_cert", EncodeMessage(with_cert));

  testing::BatchShape multi;
  multi.origins = 3;
  multi.ops = 14;
  multi.erase = 0.25;
  multi.long_values = 0;
  multi.max_writes = 3;
  for (uint64_t seed = 3; seed < 7; ++seed) {
    Write("ops_multi_run_" + std::to_string(seed), EncodeMessage(Batch(seed, multi)));
  }
  testing::BatchShape erased = one;
  erased.erase = 0.6;
  Write("ops_erased", EncodeMessage(Batch(7, erased)));
  testing::BatchShape tampered = multi;
  tampered.tamper = 0.5;
  tampered.erase = 0;
  Write("ops_tampered", EncodeMessage(Batch(8, tampered)));
  testing::BatchShape scopes = multi;
  scopes.second_scope = true;
  Write("ops_two_scopes", EncodeMessage(Batch(9, scopes)));
  testing::BatchShape sups = one;
  sups.ops = 4;
  sups.max_writes = 5;
  Write("ops_supersedes", EncodeMessage(Batch(10, sups)));

  OpsBatch verbatim = Batch(11, one);
  verbatim.ops.insert(verbatim.ops.begin() + 1, "not an op");
  verbatim.ops.push_back(std::string());
  Write("ops_verbatim", EncodeMessage(verbatim));

  // Damaged: cut short, and a flipped byte inside the packed ops.
  const std::string good = EncodeMessage(Batch(12, multi));
  Write("damaged_cut", good.substr(0, good.size() / 2 / 8 * 8));
  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x10);
  Write("damaged_flip", flipped);
  std::printf("%d corpus files written to %s\n", written, dir.c_str());
  return 0;
}

// crypto/ benchmarks. Run: build-crypto/bench/crypto/crypto_bench
//   BM_Handshake            full Noise XX handshake with certificate chains checked (items/s =
//                           handshakes/s, both ends on this core)
//   BM_Channel/<size>       one message sealed into a frame and fed to the peer (MB/s)
//   BM_RawXChaCha/<size>    raw crypto_aead_xchacha20poly1305_ietf encrypt + decrypt, same sizes
//   BM_Ed25519Sign/Verify   signatures per second
//   BM_VerifyChain/<ops>    a signed batch of ops verified (items/s = ops/s)
//   BM_DataKeySeal/<size>   sealing at rest
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "crdt/op.h"
#include "crypto/channel.h"
#include "crypto/data_key.h"
#include "crypto/op_chain.h"
#include "tests/crypto/fuzz/fuzz_world.h"

namespace fulei::crypto {
namespace {

using fuzzing::TheWorld;

void BM_Handshake(benchmark::State& state) {
  fuzzing::World& w = TheWorld();
  SystemRandom random;
  std::vector<std::string> sink;
  for (auto _ : state) {
    auto i = Channel::Create(fuzzing::Config(w.village), true, random);
    auto r = Channel::Create(fuzzing::Config(w.town), false, random);
    std::string m1 = *i->Start(), m2, m3, none;
    if (!r->Feed(m1, &m2, &sink).ok() || !i->Feed(m2, &m3, &sink).ok() ||
        !r->Feed(m3, &none, &sink).ok() || !r->established()) {
      state.SkipWithError("handshake failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Handshake);

void BM_Channel(benchmark::State& state) {
  fuzzing::World& w = TheWorld();
  SystemRandom random;
  auto i = Channel::Create(fuzzing::Config(w.village), true, random);
  auto r = Channel::Create(fuzzing::Config(w.town), false, random);
  std::vector<std::string> got;
  std::string m1 = *i->Start(), m2, m3, none;
  if (!r->Feed(m1, &m2, &got).ok() || !i->Feed(m2, &m3, &got).ok() ||
      !r->Feed(m3, &none, &got).ok()) {
    state.SkipWithError("handshake failed");
    return;
  }
  std::string msg(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto frame = i->Seal(msg);
    got.clear();
    if (!frame.ok() || !r->Feed(*frame, &none, &got).ok() || got.size() != 1) {
      state.SkipWithError("channel failed");
      break;
    }
    benchmark::DoNotOptimize(got.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Channel)->Arg(256)->Arg(4096)->Arg(65536);

void BM_RawXChaCha(benchmark::State& state) {
  EnsureSodium();
  size_t n = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, 7);
  std::vector<uint8_t> nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, 0);
  std::vector<uint8_t> msg(n, 'x'), ct(n + crypto_aead_xchacha20poly1305_ietf_ABYTES), pt(n);
  uint64_t counter = 0;
  for (auto _ : state) {
    ++counter;
    std::memcpy(nonce.data(), &counter, sizeof counter);
    unsigned long long clen = 0, mlen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &clen, msg.data(), n, nullptr, 0, nullptr,
                                               nonce.data(), key.data());
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt.data(), &mlen, nullptr, ct.data(), clen,
                                                   nullptr, 0, nonce.data(), key.data()) != 0) {
      state.SkipWithError("decrypt failed");
      break;
    }
    benchmark::DoNotOptimize(pt.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RawXChaCha)->Arg(256)->Arg(4096)->Arg(65536);

void BM_Ed25519Sign(benchmark::State& state) {
  SystemRandom random;
  SigningKey key = SigningKey::Generate(random);
  std::string msg(100, 'm');
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(msg));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  SystemRandom random;
  SigningKey key = SigningKey::Generate(random);
  std::string msg(100, 'm');
  Signature sig = key.Sign(msg);
  for (auto _ : state) {
    if (!VerifySignature(key.public_key(), msg, sig)) state.SkipWithError("bad signature");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify);

void BM_VerifyChain(benchmark::State& state) {
  fuzzing::World& w = TheWorld();
  const std::string scope = w.village.chain.front().org_unit;
  ChainBuilder b(w.village.identity.signing_key(), scope, 0, crdt::Hash{});
  std::vector<crdt::Op> ops;
  for (int64_t i = 0; i < state.range(0); ++i) {
    crdt::Op op;
    op.stamp = crdt::Stamp{1'764'000'000'000u + static_cast<uint64_t>(i), 0};
    op.author = "u-1";
    op.key = crdt::RecordKey{scope, "contact", "c-" + std::to_string(i)};
    op.writes.push_back({"note", crdt::WriteKind::kSet, std::string(120, 'n'), {}});
    if (!b.Append(&op).ok()) state.SkipWithError("append failed");
    ops.push_back(std::move(op));
  }
  SignedHead head = b.SignHead();
  for (auto _ : state) {
    if (!VerifyChain(w.village.chain.front(), 0, crdt::Hash{}, ops, head).ok()) {
      state.SkipWithError("verify failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VerifyChain)->Arg(1)->Arg(100)->Arg(1000);

void BM_DataKeySeal(benchmark::State& state) {
  SystemRandom random;
  DataKey key = DataKey::Generate(1, random);
  std::string msg(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(key.Seal(msg, "child/c-1/name"));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DataKeySeal)->Arg(64)->Arg(4096);

}  // namespace
}  // namespace fulei::crypto

BENCHMARK_MAIN();

// Writes the seed corpora of the crypto/ fuzz targets from real sessions of fuzz_world.h:
//   crypto_fuzz_make_corpus <handshake-dir> <frame-dir>
// Built on demand (not a test); its output is checked in under tests/crypto/fuzz/corpus/.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/crypto/fuzz/fuzz_world.h"

using namespace fulei::crypto;

namespace {
void Write(const std::string& path, char mode, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.put(mode);
  out << bytes;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <handshake-dir> <frame-dir>\n", argv[0]);
    return 2;
  }
  std::string hs = argv[1], fr = argv[2];
  fuzzing::World& w = fuzzing::TheWorld();
  DeterministicRandom ri(fuzzing::kInitiatorSeed), rr(fuzzing::kResponderSeed);
  auto i = Channel::Create(fuzzing::Config(w.village), true, ri);
  auto r = Channel::Create(fuzzing::Config(w.town), false, rr);
  if (!i.ok() || !r.ok()) return 1;
  std::string m1 = *i->Start(), m2, m3, none;
  std::vector<std::string> sink;
  if (!r->Feed(m1, &m2, &sink).ok() || !i->Feed(m2, &m3, &sink).ok() ||
      !r->Feed(m3, &none, &sink).ok() || !r->established()) {
    return 1;
  }
  std::string f1 = *i->Seal("hello"), f2 = *i->Seal(std::string(300, 'x'));
  std::string g1 = *r->Seal("receipt");
  // Leading byte after the mode is the split point; 0 keeps the stream in one piece.
  Write(hs + "/responder_full", 0, std::string(1, '\0') + m1 + m3 + f1 + f2);
  Write(hs + "/responder_msg1", 0, std::string(1, '\0') + m1);
  Write(hs + "/initiator_msg2", 1, std::string(1, '\0') + m2 + g1);
  Write(hs + "/parsers_chain", 3, EncodeChain(w.village.chain));
  // An unenrolled joiner against a responder that allows it.
  DeterministicRandom rj(fuzzing::kInitiatorSeed), rr2(fuzzing::kResponderSeed);
  ChannelConfig jc = fuzzing::Config(w.village);
  jc.certificates.clear();
  auto j = Channel::Create(std::move(jc), true, rj);
  auto r2 = Channel::Create(fuzzing::Config(w.town, true), false, rr2);
  std::string j1 = *j->Start(), j2, j3;
  if (!r2->Feed(j1, &j2, &sink).ok() || !j->Feed(j2, &j3, &sink).ok()) return 1;
  Write(hs + "/unenrolled_full", 2, std::string(1, '\0') + j1 + j3);
  // Frames from a sender with the fuzz target's fixed keys.
  Transport sender = fuzzing::MakeTransport(true);
  std::string frames;
  for (int n = 0; n < 5; ++n) frames += *sender.Seal(std::string(static_cast<size_t>(n * 40), 'a'));
  Write(fr + "/five_frames_whole", 0, frames);
  Write(fr + "/five_frames_by7", 7, frames);
  Write(fr + "/one_frame", 0, frames.substr(0, 20));
  Write(fr + "/truncated", 0, frames.substr(0, frames.size() - 3));
  std::printf("corpus written\n");
  return 0;
}

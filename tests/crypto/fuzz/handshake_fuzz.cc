// libFuzzer target: the handshake side of the channel, which reads unauthenticated bytes.
// Input: one mode byte, then bytes fed as the peer's stream.
//   mode % 4 == 0: to a town responder (expects -> e, then -> s, se with a chain)
//   mode % 4 == 1: to a village initiator after Start (expects <- e, ee, s, es with a chain)
//   mode % 4 == 2: to a town responder that accepts an unenrolled peer
//   mode % 4 == 3: certificate chain, join token and enrolment request parsers
// Invariants checked: a channel that failed stays closed and never delivers a message; a
// session is only established with a verified peer (or an allowed unenrolled one).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/crypto/fuzz/fuzz_world.h"

using namespace fulei::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  fuzzing::World& w = fuzzing::TheWorld();
  uint8_t mode = data[0] % 4;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode == 3) {
    auto chain = DecodeChain(in);
    if (chain.ok()) (void)w.trust.VerifyChain(*chain, fuzzing::kNow);
    (void)DecodeCertificate(in);
    (void)ParseJoinToken(in);
    MemoryTokenLedger ledger;
    Enroller enroller(w.town.identity.signing_key(), w.town.chain, w.root.public_key(), ledger);
    noise::Hash binding{};
    (void)enroller.HandleRequest(in, binding, w.village.identity.dh_key().public_key,
                                 fuzzing::kNow);
    return 0;
  }
  bool initiator = mode == 1;
  DeterministicRandom random(initiator ? fuzzing::kInitiatorSeed : fuzzing::kResponderSeed);
  auto ch = Channel::Create(fuzzing::Config(initiator ? w.village : w.town, mode == 2), initiator,
                            random);
  if (!ch.ok()) std::abort();
  if (initiator && !ch->Start().ok()) std::abort();
  // Feed in two pieces split at a point chosen by the input, to exercise reassembly.
  size_t cut = in.empty() ? 0 : static_cast<uint8_t>(in[0]) % (in.size() + 1);
  std::vector<std::string> messages;
  std::string out;
  bool failed = false;
  for (std::string_view piece : {in.substr(0, cut), in.substr(cut)}) {
    size_t before = messages.size();
    fulei::Status s = ch->Feed(piece, &out, &messages);
    if (failed && (s.ok() || messages.size() != before)) std::abort();  // closed must stay closed
    if (!s.ok()) {
      failed = true;
      if (!ch->closed()) std::abort();
    }
  }
  if (ch->established()) {
    bool verified = ch->peer_certificate().has_value();
    if (!verified && mode != 2) std::abort();
    if (verified && ch->peer_certificate()->dh_key != ch->peer_static_key()) std::abort();
  } else if (!messages.empty()) {
    std::abort();  // no application byte before the session is established
  }
  return 0;
}

// libFuzzer target: DecodeOp and RecordState::Decode on arbitrary bytes.
// Properties: never crash; an accepted op validates and re-encodes to bytes that decode to the
// same op; an accepted state re-encodes to bytes that decode to the same state; the store's
// decode without the canonical check (require_canonical = false) accepts at least what the
// strict one does and gives the same state for it; the compact form (the store's) round-trips
// every state, and compact bytes it accepts are the one compact form of a usable state.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crdt/codec.h"
#include "crdt/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto op = fulei::crdt::DecodeOp(bytes);
  if (op.ok()) {
    if (!fulei::crdt::ValidateOp(*op).ok()) std::abort();
    auto again = fulei::crdt::DecodeOp(fulei::crdt::EncodeOp(*op));
    if (!again.ok() || !(*again == *op)) std::abort();
    fulei::crdt::RecordState state;
    state.Apply(*op);
  }
  auto state = fulei::crdt::RecordState::Decode(bytes);
  auto lenient = fulei::crdt::RecordState::Decode(bytes, /*require_canonical=*/false);
  if (state.ok()) {
    auto again = fulei::crdt::RecordState::Decode(state->Encode());
    if (!again.ok() || again->Encode() != state->Encode()) std::abort();
    if (!lenient.ok() || lenient->Encode() != state->Encode()) std::abort();
  }
  if (lenient.ok()) {
    auto again = fulei::crdt::RecordState::Decode(lenient->Encode());  // a usable state
    if (!again.ok()) std::abort();
    auto compact = fulei::crdt::RecordState::DecodeCompact(lenient->EncodeCompact());
    if (!compact.ok() || compact->Encode() != lenient->Encode()) std::abort();
  }
  auto compact = fulei::crdt::RecordState::DecodeCompact(bytes);
  if (compact.ok()) {
    if (compact->EncodeCompact() != bytes) std::abort();
    if (!fulei::crdt::RecordState::Decode(compact->Encode()).ok()) std::abort();
  }
  return 0;
}

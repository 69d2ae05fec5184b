// How the store frames every value it writes to LMDB (layout: docs/store.md).
//
//   sealed    Sealer::Seal(Pack(plaintext), ad), ad = db name, 0x00, key bytes.
//   checked   Pack(plaintext), then CRC-32C over (ad, packed bytes), 4 bytes big-endian.
// (Pack: packing.h; Packing::kAsIs leaves it out.) The free functions Checked/Unchecked below frame
// small structural values without packing.
//
// A store opened with a Sealer seals the values that may hold a person's data (ops, pending,
// state, meta identity, peers, audit); one opened without (benchmarks and tools only) uses the
// checked frame for them. Structural values (vv, heads, outbox, index entries, meta counters)
// are always checked. Either way a torn, flipped or misplaced value is reported as kCorruption,
// never returned. Thread-safe (the sealer is stateless per call).
#ifndef FULEI_STORE_INTERNAL_VALUE_CODEC_H_
#define FULEI_STORE_INTERNAL_VALUE_CODEC_H_

#include <string>
#include <string_view>

#include "crdt/status.h"
#include "store/sealer.h"

namespace fulei::store::internal {

// Checked frame.
std::string Checked(std::string_view db, std::string_view key, std::string_view plaintext);
// The plaintext inside a checked frame (a view into `stored`), or kCorruption.
Result<std::string_view> Unchecked(std::string_view db, std::string_view key,
                                   std::string_view stored);

// Whether a sealed or checked payload is packed first (Pack, packing.h). Pointer-rich encodings
// (the canonical crdt ones) are; the compact record-state form has few zero bytes and is not.
enum class Packing { kPacked, kAsIs };

class ValueCodec {
 public:
  // `sealer` may be null (checked frames instead); not owned, must outlive the codec.
  explicit ValueCodec(const Sealer* sealer) : sealer_(sealer) {}

  bool sealed() const { return sealer_ != nullptr; }
  std::string Wrap(std::string_view db, std::string_view key, std::string_view plaintext,
                   Packing packing = Packing::kPacked) const;
  Result<std::string> Unwrap(std::string_view db, std::string_view key, std::string_view stored,
                             Packing packing = Packing::kPacked) const;

 private:
  const Sealer* sealer_;
};

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_VALUE_CODEC_H_

// Canonical encoding of ops with Cap'n Proto (schema: crdt/op.capnp; format: docs/formats.md).
//
// EncodeOp() writes the canonical form of a Cap'n Proto message (capnp::canonicalize), so the
// same op always gives the same bytes; hashes and signatures are computed over them.
// DecodeOp() reads untrusted bytes with explicit ReaderOptions limits (crdt/untrusted_capnp.h),
// then ValidateOp(); bad bytes give kCorruption or kInvalidArgument, never a crash.
// Thread-safe (no shared state).
#ifndef FULEI_CRDT_CODEC_H_
#define FULEI_CRDT_CODEC_H_

#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"

namespace fulei::crdt {

// The whole op: header, the body unless the op is erased, and the erasure authorisation of an
// erased op that carries one.
std::string EncodeOp(const Op& op);
Result<Op> DecodeOp(std::string_view bytes);

// Header alone (what the hash chain covers) and body alone (what body_hash covers).
std::string EncodeOpHeader(const Op& op);
std::string EncodeOpBody(const Op& op);

// Largest encoded op DecodeOp accepts.
inline constexpr size_t kMaxEncodedOpBytes = 8u << 20;

class RecordState;
namespace internal {
// EncodeOp and RecordState::Encode write canonical bytes directly (one pass); these build the
// same messages with capnp::MallocMessageBuilder and capnp::canonicalize instead. They are the
// reference the direct writer is tested against (tests/crdt/codec_test.cc); not for other use.
// (EncodeRecordWithBuilder is defined with the record codec, in crdt/record_codec.cc.)
std::string EncodeOpWithBuilder(const Op& op);
std::string EncodeRecordWithBuilder(const RecordState& state);
}  // namespace internal

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_CODEC_H_

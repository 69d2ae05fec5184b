# Canonical encoding of fulei ops and record states. Format described in docs/formats.md.
# Field ordinals are never reused: add new fields at the end with new ordinals.
#
# CHANGE THE HAND-WRITTEN WRITER WITH THIS SCHEMA. The canonical bytes are not written with
# Cap'n Proto's builder but directly, by CanonicalWriter (crdt/internal/canonical.h, which lists
# each struct's data and pointer word counts) driven by EncodeOp / WriteHeader / WriteBody in
# crdt/codec.cc and RecordCodec::Encode in crdt/record_codec.cc. They hard-code every struct's
# layout and field order as compiled from this file: a new or changed field must be added there
# too, or encodings silently drop it. tests/crdt/codec_test.cc compares them with
# capnp::canonicalize of the builder (the Fill* functions, which follow the schema).
@0xb7c1f4a3d2e56f01;

$import "/capnp/c++.capnp".namespace("fulei::crdt::schema");

struct OpId {
  stampMs @0 :UInt64;
  stampLogical @1 :UInt32;
  origin @2 :UInt64;
}

enum WriteKind {
  set @0;
  add @1;
  remove @2;
  append @3;
}

struct FieldWrite {
  field @0 :Text;
  kind @1 :WriteKind;
  value @2 :Data;
  supersedes @3 :List(OpId);
}

# What the hash chain covers. Kept forever, also after an erasure.
struct OpHeader {
  origin @0 :UInt64;
  seq @1 :UInt64;
  stampMs @2 :UInt64;
  stampLogical @3 :UInt32;
  author @4 :Text;
  scope @5 :Text;
  type @6 :Text;
  id @7 :Text;
  flags @8 :UInt32;
  prevHash @9 :Data;   # 32 bytes
  bodyHash @10 :Data;  # 32 bytes
}

struct OpBody {
  writes @0 :List(FieldWrite);
}

struct Op {
  header @0 :OpHeader;
  body @1 :OpBody;     # absent when erased
  erased @2 :Bool;
  erasure @3 :Data;    # erased only: the signed erasure authorisation (crypto/erasure.h,
                       # docs/crypto.md#erasure-authorisation); not covered by the chain
}

struct Entry {
  id @0 :OpId;
  kind @1 :WriteKind;
  value @2 :Data;
}

struct Tombstone {
  id @0 :OpId;
  key @1 :Data;
}

struct Field {
  name @0 :Text;
  entries @1 :List(Entry);
  tombstones @2 :List(Tombstone);
}

struct RecordState {
  fields @0 :List(Field);
  created @1 :OpId;
  updated @2 :OpId;
}

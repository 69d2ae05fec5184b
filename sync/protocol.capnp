# fulei sync protocol messages. Documented in docs/protocol.md.
# Field ordinals are never reused: add new fields at the end with new ordinals.
@0xd4a6e1f0c2b38a57;

$import "/capnp/c++.capnp".namespace("fulei::sync::schema");

struct VvEntry {
  origin @0 :UInt64;
  seq @1 :UInt64;
}

struct ScopeDigest {
  scope @0 :Text;
  hash @1 :Data;       # 16 bytes: BLAKE2b-128 of the scope's version vector, see protocol.md
}

struct ScopeVector {
  scope @0 :Text;
  entries @1 :List(VvEntry);
}

struct Hello {
  version @0 :UInt32;          # the lowest protocol version the sender speaks
  node @1 :UInt64;
  unit @2 :Text;
  wallMs @3 :UInt64;           # the sender's clock (ms since 1970): a child adopts its parent's
  maxVersion @4 :UInt32;       # the highest it speaks; 0 (absent: a one-version node) = version
}

struct Digest {
  scopes @0 :List(ScopeDigest);
}

struct Vectors {
  scopes @0 :List(ScopeVector);
}

struct OpsBatch {
  batch @0 :UInt64;            # sender's batch number in this session
  scope @1 :Text;
  ops @2 :List(Data);          # protocol v1 only (canonical op bytes); absent in v2
  heads @3 :List(Data);        # signed chain heads covering the ops (crypto/op_chain.h)
  certs @4 :List(Data);        # certificate chains of origins not yet sent in this session
  urgent @5 :Bool;             # sent from the outbox: receiver acknowledges with UrgentAck
  packedOps @6 :Data;          # v2 only: the ops, ordered by (origin, seq), in the compact encoding
                               # of docs/protocol.md#packed-ops (sync/op_pack.h)
}

struct Ack {
  batch @0 :UInt64;
  scope @1 :Text;
  held @2 :List(VvEntry);      # receiver's durable vector for the origins of the batch
}

struct UrgentAck {
  batch @0 :UInt64;
  ops @1 :List(VvEntry);       # (origin, seq) of each urgent op now durably held
  scope @2 :Text;
  revoked @3 :List(VvEntry);   # (origin, seq) of each urgent op refused for good: its origin is
                               # revoked at the receiver (the sender drops it from its outbox)
}

struct Message {
  union {
    hello @0 :Hello;
    digest @1 :Digest;
    vectors @2 :Vectors;
    ops @3 :OpsBatch;
    ack @4 :Ack;
    urgentAck @5 :UrgentAck;
  }
}

#include "sync/messages.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "crdt/untrusted_capnp.h"
#include "sync/op_pack.h"
#include "sync/protocol.capnp.h"

namespace fulei::sync {

namespace s = ::fulei::sync::schema;

namespace {

// Bounds of DecodeMessage (docs/protocol.md): a flat-array message of at most kMaxMessageBytes.
constexpr crdt::CapnpLimits kMessageLimits{.max_bytes = kMaxMessageBytes,
                                           .traversal_per_word = 4,
                                           .traversal_slack = 64,
                                           .nesting_limit = 8};

kj::ArrayPtr<const kj::byte> Bytes(std::string_view v) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(v.data()), v.size());
}
std::string Str(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

template <typename ListBuilder>
void FillEntries(ListBuilder list, const std::vector<VvEntry>& entries) {
  for (unsigned i = 0; i < entries.size(); ++i) {
    list[i].setOrigin(entries[i].origin);
    list[i].setSeq(entries[i].seq);
  }
}

template <typename ListReader>
std::vector<VvEntry> ReadEntries(ListReader list) {
  if (list.size() > kMaxVectorEntries) KJ_FAIL_REQUIRE("too many vector entries");
  std::vector<VvEntry> out;
  out.reserve(list.size());
  for (auto e : list) out.push_back(VvEntry{e.getOrigin(), e.getSeq()});
  return out;
}

// Scopes and units follow the record-key rules of crdt::ValidateOp: 1..256 bytes, no control
// characters (NUL included), no '|'.
std::string ReadUnit(capnp::Text::Reader t, bool allow_empty) {
  if ((t.size() == 0 && !allow_empty) || t.size() > kMaxScopeBytes) {
    KJ_FAIL_REQUIRE("bad scope length");
  }
  std::string out(t.cStr(), t.size());
  for (char c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '|') KJ_FAIL_REQUIRE("bad scope character");
  }
  return out;
}
std::string ReadScope(capnp::Text::Reader t) { return ReadUnit(t, false); }

template <typename ListBuilder>
void FillData(ListBuilder list, const std::vector<std::string>& items) {
  for (unsigned i = 0; i < items.size(); ++i) list.set(i, Bytes(items[i]));
}

template <typename ListReader>
std::vector<std::string> ReadData(ListReader list, size_t max) {
  if (list.size() > max) KJ_FAIL_REQUIRE("list too long");
  std::vector<std::string> out;
  out.reserve(list.size());
  for (auto d : list) out.push_back(Str(d));
  return out;
}

struct Encoder {
  s::Message::Builder m;
  uint32_t version;
  void operator()(const Hello& v) {
    auto b = m.initHello();
    b.setVersion(v.version);
    b.setNode(v.node);
    b.setUnit(v.unit);
    b.setWallMs(v.wall_ms);
    b.setMaxVersion(v.max_version);
  }
  void operator()(const Digest& v) {
    auto list = m.initDigest().initScopes(static_cast<unsigned>(v.scopes.size()));
    for (unsigned i = 0; i < v.scopes.size(); ++i) {
      list[i].setScope(v.scopes[i].scope);
      list[i].setHash(kj::arrayPtr(v.scopes[i].hash.data(), v.scopes[i].hash.size()));
    }
  }
  void operator()(const Vectors& v) {
    auto list = m.initVectors().initScopes(static_cast<unsigned>(v.scopes.size()));
    for (unsigned i = 0; i < v.scopes.size(); ++i) {
      list[i].setScope(v.scopes[i].scope);
      FillEntries(list[i].initEntries(static_cast<unsigned>(v.scopes[i].entries.size())),
                  v.scopes[i].entries);
    }
  }
  void operator()(const OpsBatch& v) {
    auto b = m.initOps();
    b.setBatch(v.batch);
    b.setScope(v.scope);
    if (version >= 2) {
      // The compact encoding of sync/op_pack.h; the v1 list stays absent.
      b.setPackedOps(Bytes(PackOps(v.ops)));
    } else {
      FillData(b.initOps(static_cast<unsigned>(v.ops.size())), v.ops);
    }
    FillData(b.initHeads(static_cast<unsigned>(v.heads.size())), v.heads);
    FillData(b.initCerts(static_cast<unsigned>(v.certs.size())), v.certs);
    b.setUrgent(v.urgent);
  }
  void operator()(const Ack& v) {
    auto b = m.initAck();
    b.setBatch(v.batch);
    b.setScope(v.scope);
    FillEntries(b.initHeld(static_cast<unsigned>(v.held.size())), v.held);
  }
  void operator()(const UrgentAck& v) {
    auto b = m.initUrgentAck();
    b.setBatch(v.batch);
    b.setScope(v.scope);
    FillEntries(b.initOps(static_cast<unsigned>(v.ops.size())), v.ops);
    if (!v.revoked.empty()) {
      FillEntries(b.initRevoked(static_cast<unsigned>(v.revoked.size())), v.revoked);
    }
  }
};

}  // namespace

std::string EncodeMessage(const Message& message, uint32_t version) {
  capnp::MallocMessageBuilder builder;
  std::visit(Encoder{builder.initRoot<s::Message>(), version}, message);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<Message> DecodeMessage(std::string_view bytes, uint32_t version) {
  std::optional<Message> out;
  auto read = [&](capnp::MessageReader& reader) -> Status {
    auto m = reader.getRoot<s::Message>();
    switch (m.which()) {
      case s::Message::HELLO: {
        auto h = m.getHello();
        const uint32_t max = h.getMaxVersion();
        out = Hello{h.getVersion(), h.getNode(), ReadUnit(h.getUnit(), true), h.getWallMs(),
                    max == 0 ? h.getVersion() : max};
        break;
      }
      case s::Message::DIGEST: {
        auto list = m.getDigest().getScopes();
        if (list.size() > kMaxScopesPerMessage) KJ_FAIL_REQUIRE("too many scopes");
        Digest d;
        for (auto sd : list) {
          ScopeDigest x;
          x.scope = ReadScope(sd.getScope());
          auto h = sd.getHash();
          if (h.size() != x.hash.size()) KJ_FAIL_REQUIRE("digest hash must be 16 bytes");
          std::memcpy(x.hash.data(), h.begin(), x.hash.size());
          d.scopes.push_back(std::move(x));
        }
        out = std::move(d);
        break;
      }
      case s::Message::VECTORS: {
        auto list = m.getVectors().getScopes();
        if (list.size() > kMaxScopesPerMessage) KJ_FAIL_REQUIRE("too many scopes");
        // The entries of all its scopes together, not only of each: a session keeps at most
        // this many of the peer's (sync/session.h).
        size_t entries = 0;
        for (auto sv : list) entries += sv.getEntries().size();
        if (entries > kMaxVectorEntries) KJ_FAIL_REQUIRE("too many vector entries");
        Vectors v;
        for (auto sv : list) {
          v.scopes.push_back(ScopeVector{ReadScope(sv.getScope()), ReadEntries(sv.getEntries())});
        }
        out = std::move(v);
        break;
      }
      case s::Message::OPS: {
        auto b = m.getOps();
        OpsBatch o;
        o.batch = b.getBatch();
        o.scope = ReadScope(b.getScope());
        if (version >= 2) {
          if (b.hasOps()) KJ_FAIL_REQUIRE("ops batch carries a protocol v1 op list");
          auto packed = b.getPackedOps();
          auto unpacked = UnpackOps(
              std::string_view(reinterpret_cast<const char*>(packed.begin()), packed.size()));
          if (!unpacked.ok()) {
            return Status(unpacked.status().code(),
                          "sync ops batch: " + unpacked.status().message());
          }
          o.ops = std::move(unpacked).value();
        } else {
          if (b.hasPackedOps()) KJ_FAIL_REQUIRE("ops batch of protocol v1 carries packed ops");
          o.ops = ReadData(b.getOps(), kMaxOpsPerBatch);
        }
        o.heads = ReadData(b.getHeads(), kMaxOpsPerBatch);
        o.certs = ReadData(b.getCerts(), 1024);
        o.urgent = b.getUrgent();
        out = std::move(o);
        break;
      }
      case s::Message::ACK: {
        auto b = m.getAck();
        out = Ack{b.getBatch(), ReadScope(b.getScope()), ReadEntries(b.getHeld())};
        break;
      }
      case s::Message::URGENT_ACK: {
        auto b = m.getUrgentAck();
        out = UrgentAck{b.getBatch(), ReadEntries(b.getOps()), ReadScope(b.getScope()),
                        ReadEntries(b.getRevoked())};
        break;
      }
      default:
        KJ_FAIL_REQUIRE("unknown message kind");
    }
    return Status::Ok();
  };
  FULEI_RETURN_IF_ERROR(crdt::ReadUntrustedCapnp(bytes, crdt::CapnpFraming::kFlatArray,
                                                 kMessageLimits, "sync message", read));
  return std::move(*out);
}

Result<uint32_t> NegotiateVersion(const Hello& peer, uint32_t min, uint32_t max) {
  const uint32_t high = std::min(max, peer.max_version);
  if (peer.version <= peer.max_version && high >= std::max(min, peer.version)) return high;
  auto range = [](uint32_t lo, uint32_t hi) {
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi);
  };
  return FailedPrecondition("peer speaks protocol version " +
                            range(peer.version, peer.max_version) + ", this node " +
                            range(min, max) + " (docs/operations.md, upgrades)");
}

std::string_view MessageName(const Message& message) {
  static constexpr std::string_view kNames[] = {"hello", "digest", "vectors",
                                                "ops",   "ack",    "urgent_ack"};
  return kNames[message.index()];
}

}  // namespace fulei::sync

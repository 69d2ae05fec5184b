#include "sync/receipts.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>

#include "sync/scopes.h"

namespace fulei::sync {
namespace {

bool ParseU64(std::string_view s, int base, uint64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string NodeHex(crdt::NodeId id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
  return buf;
}

bool WantsReceipt(const crdt::Op& op, crdt::NodeId self, std::string_view self_unit) {
  // An erased op carries no body: a receipt would tell the reporter that a report is held
  // when only its header is.
  return op.urgent() && !op.erased && op.origin != self && op.key.type != kReceiptType &&
         MayWrite(self_unit, op.key.scope);
}

crdt::RecordKey ReceiptKey(const crdt::Op& op, crdt::NodeId self) {
  return crdt::RecordKey{op.key.scope, kReceiptType,
                         NodeHex(op.origin) + "." + std::to_string(op.seq) + "@" + NodeHex(self)};
}

store::LocalChange ReceiptChange(const crdt::Op& op, crdt::NodeId self, std::string_view self_unit,
                                 uint64_t received_ms) {
  store::LocalChange c;
  c.key = ReceiptKey(op, self);
  c.author = "node:" + NodeHex(self);
  c.flags = crdt::kOpFlagUrgent;
  auto set = [&](const char* field, std::string value) {
    c.writes.push_back(crdt::FieldWrite{field, crdt::WriteKind::kSet, std::move(value), {}});
  };
  set("report_type", op.key.type);
  set("report_id", op.key.id);
  set("origin", NodeHex(op.origin));
  set("seq", std::to_string(op.seq));
  set("node", NodeHex(self));
  set("unit", std::string(self_unit));
  set("received_ms", std::to_string(received_ms));
  return c;
}

Result<std::vector<Receipt>> ReceiptsFor(store::Store& store, std::string_view scope,
                                         std::string_view type, std::string_view id) {
  std::vector<Receipt> out;
  FULEI_RETURN_IF_ERROR(store.ForEach(
      kReceiptType, scope, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        if (key.scope != scope) return true;
        if (state.Get("report_type") != type || state.Get("report_id") != id) return true;
        Receipt r;
        r.report_type = std::string(type);
        r.report_id = std::string(id);
        auto origin = state.Get("origin");
        auto seq = state.Get("seq");
        auto node = state.Get("node");
        auto unit = state.Get("unit");
        auto received = state.Get("received_ms");
        if (!origin || !seq || !node || !unit || !received) return true;
        if (!ParseU64(*origin, 16, &r.origin) || !ParseU64(*seq, 10, &r.seq) ||
            !ParseU64(*node, 16, &r.node) || !ParseU64(*received, 10, &r.received_ms)) {
          return true;
        }
        r.unit = *unit;
        out.push_back(std::move(r));
        return true;
      }));
  std::sort(out.begin(), out.end(), [](const Receipt& a, const Receipt& b) {
    return std::tie(a.received_ms, a.unit, a.node, a.origin, a.seq) <
           std::tie(b.received_ms, b.unit, b.node, b.origin, b.seq);
  });
  return out;
}

}  // namespace fulei::sync

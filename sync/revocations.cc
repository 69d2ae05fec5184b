#include "sync/revocations.h"

#include <algorithm>
#include <optional>
#include <span>
#include <utility>

#include "crdt/record.h"
#include "crypto/revocation.h"

namespace fulei::sync {
namespace {

// The live register values of the revocation field (oldest id first); empty when none.
std::vector<std::string> LiveValues(const std::optional<crdt::RecordState>& state) {
  std::vector<std::string> out;
  if (!state) return out;
  const crdt::FieldState* field = state->Field(kRevocationField);
  if (field == nullptr) return out;
  for (const crdt::Entry* e : field->values()) out.push_back(e->value);
  return out;
}

struct Best {
  uint64_t version = 0;  // 0: no valid value
  const std::string* bytes = nullptr;
  std::vector<std::string> rejected;
};

// Verifies each value that claims a version above `floor` (a value claiming no more could not
// be installed or published over anyway, so its costly verification is skipped).
Best Scan(const std::vector<std::string>& values, const crypto::SigningPublicKey& root,
          uint64_t floor) {
  Best best;
  for (size_t i = 0; i < values.size(); ++i) {
    Result<uint64_t> claimed = crypto::PeekRevocationVersion(values[i]);
    if (claimed.ok() && *claimed <= floor) continue;
    Result<crypto::RevocationList> list = crypto::VerifyRevocationList(values[i], root);
    if (!list.ok()) {
      best.rejected.push_back("value " + std::to_string(i + 1) + " of " +
                              std::to_string(values.size()) + ": " + list.status().ToString());
      continue;
    }
    if (list->version > best.version) {
      best.version = list->version;
      best.bytes = &values[i];
    }
  }
  return best;
}

}  // namespace

std::string RootScope(std::string_view unit) { return std::string(unit.substr(0, unit.find('/'))); }

crdt::RecordKey RevocationKey(std::string_view root_scope) {
  return crdt::RecordKey{std::string(root_scope), kRevocationType, kRevocationId};
}

Result<std::vector<crdt::Op>> PublishRevocations(store::Store& store, LocalWriter& writer,
                                                 std::string_view self_unit,
                                                 const crypto::TrustStore& trust,
                                                 std::string_view signed_list, uint64_t wall_ms,
                                                 std::string_view author) {
  if (self_unit.empty() || RootScope(self_unit) != self_unit) {
    return PermissionDenied("only the city (the root unit) publishes revocations, not '" +
                            std::string(self_unit) + "'");
  }
  FULEI_ASSIGN_OR_RETURN(crypto::RevocationList list,
                         crypto::VerifyRevocationList(signed_list, trust.root()));
  const crdt::RecordKey key = RevocationKey(self_unit);
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state, store.Get(key));
  const Best held = Scan(LiveValues(state), trust.root(), trust.revocation_version());
  const uint64_t newest = std::max(held.version, trust.revocation_version());
  if (list.version <= newest) {
    return AlreadyExists("revocation list version " + std::to_string(list.version) +
                         " is not newer than version " + std::to_string(newest) + " already held");
  }
  store::LocalChange change;
  change.key = key;
  change.author = std::string(author);
  change.writes.push_back(crdt::SetWrite(state.value_or(crdt::RecordState()), kRevocationField,
                                         std::string(signed_list)));
  return writer.Write(std::span<const store::LocalChange>(&change, 1), wall_ms);
}

Result<RevocationInstall> InstallRevocationsFromStore(store::Store& store,
                                                      std::string_view root_scope,
                                                      crypto::TrustStore& trust) {
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state,
                         store.Get(RevocationKey(root_scope)));
  const std::vector<std::string> values = LiveValues(state);
  Best best = Scan(values, trust.root(), trust.revocation_version());
  RevocationInstall out;
  out.values = values.size();
  out.rejected = std::move(best.rejected);
  if (best.bytes != nullptr && best.version > trust.revocation_version()) {
    Status installed = trust.InstallRevocations(*best.bytes);
    if (installed.ok()) {
      out.installed = true;
    } else {  // cannot happen for a value that just verified; report it rather than abort
      out.rejected.push_back("installing version " + std::to_string(best.version) + ": " +
                             installed.ToString());
    }
  }
  out.version = trust.revocation_version();
  return out;
}

}  // namespace fulei::sync

#include "node/core/outboxes.h"

#include <algorithm>
#include <set>

#include "crdt/org_unit.h"
#include "sync/scopes.h"
#include "sync/session.h"

namespace fulei::node {

std::string UpstreamOutbox(size_t k) {
  return k == 0 ? std::string(kUpstreamOutbox) : "up:" + std::to_string(k);
}

std::vector<std::string> RouteUrgent(const std::vector<store::LocalChange>& changes,
                                     const std::vector<std::string>& requested,
                                     std::string_view self_unit, size_t upstream_count) {
  std::vector<std::string> outboxes;
  for (const std::string& name : requested) {
    if (name == kUpstreamOutbox) {
      for (size_t k = 0; k < upstream_count; ++k) outboxes.push_back(UpstreamOutbox(k));
    } else {
      outboxes.push_back(name);
    }
  }
  std::set<std::string_view> urgent_scopes;
  for (const store::LocalChange& c : changes) {
    if ((c.flags & crdt::kOpFlagUrgent) != 0) urgent_scopes.insert(c.key.scope);
  }
  if (urgent_scopes.size() == 1) {
    const std::string_view scope = *urgent_scopes.begin();
    std::string down = sync::DownOutbox(scope);
    if (sync::HeldBelow(self_unit, scope) && !down.empty()) {
      outboxes.push_back(std::move(down));
    }
  }
  std::sort(outboxes.begin(), outboxes.end());
  outboxes.erase(std::unique(outboxes.begin(), outboxes.end()), outboxes.end());
  return outboxes;
}

}  // namespace fulei::node

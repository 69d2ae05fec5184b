// The outboxes a node keeps urgent ops in until a peer acknowledges them (store/store.h,
// "Outbox"): one per upstream, and one per scope below the node (sync::DownOutbox) for urgent
// ops travelling back down towards their origin. Pure functions; thread-safe.
#ifndef FULEI_NODE_CORE_OUTBOXES_H_
#define FULEI_NODE_CORE_OUTBOXES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace fulei::node {

// The outbox of the urgent ops bound for this node's upstream. Passed to a write, it stands for
// every upstream's outbox (UpstreamOutbox(k) for each configured upstream k).
inline constexpr char kUpstreamOutbox[] = "up";
// The outbox of upstream k (0: kUpstreamOutbox, k >= 1: "up:<k>").
std::string UpstreamOutbox(size_t k);

// The outboxes a local write of `changes` queues its urgent ops in, sorted and without
// duplicates: `requested` with kUpstreamOutbox replaced by the outbox of each of
// `upstream_count` upstreams, plus, when every urgent change has the same scope and a node below
// `self_unit` holds that scope (sync::HeldBelow: below it, and not its own office scope), that
// scope's downstream outbox (a town's status change of a village's report goes down to the
// village at once).
std::vector<std::string> RouteUrgent(const std::vector<store::LocalChange>& changes,
                                     const std::vector<std::string>& requested,
                                     std::string_view self_unit, size_t upstream_count);

}  // namespace fulei::node

#endif  // FULEI_NODE_CORE_OUTBOXES_H_

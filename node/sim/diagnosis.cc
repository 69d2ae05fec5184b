#include "node/sim/diagnosis.h"

#include <cstdio>
#include <sstream>

#include "sync/scopes.h"

namespace fulei::node::sim {

void Diagnosis::NoteClose(std::string_view why) {
  close_reasons_[std::string(why.substr(0, 120))]++;
}

std::string Diagnosis::DescribeScope(Nodes& nodes, const std::string& scope) const {
  std::ostringstream out;
  for (const NodeInfo& n : nodes.info()) {
    NodeCore* core = nodes.core(n.index);
    if (core == nullptr || !sync::Holds(n.unit, scope)) continue;
    auto vv = core->store().GetVersionVector(scope);
    out << "\n  " << n.unit << ":";
    if (vv.ok()) {
      for (auto [origin, seq] : *vv) out << " " << std::hex << origin << std::dec << "=" << seq;
    }
  }
  for (const auto& [why, count] : close_reasons_) out << "\n  closed " << count << "x: " << why;
  return out.str();
}

void Diagnosis::PrintTally() const {
  for (const auto& [why, count] : close_reasons_) {
    std::fprintf(stderr, "closed %dx: %s\n", count, why.c_str());
  }
}

}  // namespace fulei::node::sim

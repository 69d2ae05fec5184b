// Diagnosis: what the simulator keeps only to explain a failed run — why connections closed
// (tallied by reason) and, for a scope that differs between nodes, each holder's version vector.
// FULEI_SIM_DEBUG=1 prints the tally at the end of every run. Not thread-safe.
#ifndef FULEI_NODE_SIM_DIAGNOSIS_H_
#define FULEI_NODE_SIM_DIAGNOSIS_H_

#include <map>
#include <string>
#include <string_view>

#include "node/sim/nodes.h"

namespace fulei::node::sim {

class Diagnosis {
 public:
  void NoteClose(std::string_view why);
  // "\n  <unit>: <origin>=<seq> ..." for every node holding `scope`, then the close tally.
  std::string DescribeScope(Nodes& nodes, const std::string& scope) const;
  void PrintTally() const;

 private:
  std::map<std::string, int> close_reasons_;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_DIAGNOSIS_H_

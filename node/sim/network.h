// SimNetwork: the simulated links between the city's nodes, and the faults that live on them.
//
// A connection is made when a node's core asks to dial its upstream k (Dial). Both ends get a
// real Noise channel from their own core (NodeCore::MakeChannel); the handshake and every
// message cross a link with delay, jitter and a bandwidth limit that sends the highest traffic
// class waiting first (as net/ does), and each message is sealed when the link picks it, so the
// channel's counter nonces follow the order frames actually leave in. Each end's core hears
// OnConnected once its channel is established, then OnMessage for each message, then OnClosed;
// a dial that never establishes ends in OnDialFailed at the dialling end.
//
// Faults (while set_faults(true)): frames dropped (the connection then dies by the dead-peer
// timeout), duplicated or reordered (the channel detects each); partitions of one child's link
// to one upstream (SetLinkUp); and towns that tamper with the ops they relay (the receiver's
// checks must refuse the batch). Node crashes are the fault schedule's (faults.h): they close
// the node's connections here (CloseAllOf).
//
// Not thread-safe. REQUIRES: config, loop, dice, nodes and diagnosis outlive the network.
#ifndef FULEI_NODE_SIM_NETWORK_H_
#define FULEI_NODE_SIM_NETWORK_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "crdt/status.h"
#include "crypto/channel.h"
#include "node/core/action.h"
#include "node/sim/config.h"
#include "node/sim/diagnosis.h"
#include "node/sim/event_loop.h"
#include "node/sim/nodes.h"
#include "sync/priority.h"

namespace fulei::node::sim {

// What a tampering relay writes into the ops it alters; a store holding it accepted a forgery.
inline constexpr char kForged[] = "FORGED";

class SimNetwork {
 public:
  struct Stats {
    uint64_t connections = 0;
    uint64_t established = 0;        // connections established at both ends
    uint64_t closed_by_faults = 0;   // closed by a fault, not by a node's decision
    uint64_t tampered_batches = 0;   // batches a relay altered
    uint64_t frames = 0, bytes = 0;  // on the links, handshakes included
    uint64_t max_frame_bytes = 0;
  };

  SimNetwork(const SimConfig& config, EventLoop& loop, Dice& dice, Nodes& nodes,
             Diagnosis& diagnosis);

  void set_faults(bool on) { faults_ = on; }
  // Called whenever a connection is established at both ends (child, parent).
  void set_on_established(std::function<void(int child, int parent)> fn) {
    on_established_ = std::move(fn);
  }
  // Node `child` tries once to connect to its upstream k (its core's kDial).
  void Dial(int child, size_t k);
  // Node `from` sends one message on `conn` (its core's kSend). Ignored once closed.
  void Send(ConnId conn, int from, sync::Priority priority, std::string message);
  // Closes `conn`; both ends hear of it (OnClosed, or OnDialFailed at a dialling end whose
  // channel was not yet up). `by_fault`: a fault closed it, not one of the two nodes.
  void Close(ConnId conn, const Status& why, bool by_fault);
  // Closes every connection of `node` (a crash); the other ends hear of it.
  void CloseAllOf(int node, const char* why);
  // Partitions (false) or heals (true) the link between `child` and its upstream k; a
  // partition closes the connection on it.
  void SetLinkUp(int child, size_t k, bool up);
  bool link_up(int child, size_t k) const;
  // Connections of `node` established at both ends and not closed.
  size_t established_of(int node) const;
  const Stats& stats() const { return stats_; }

 private:
  // A message waiting for the link: application messages wait as plaintext and are sealed when
  // the link picks them; handshake bytes arrive already framed.
  struct Frame {
    sync::Priority priority;
    uint64_t order;
    std::string bytes;
    bool sealed = false;
  };
  struct FrameLess {
    bool operator()(const Frame& a, const Frame& b) const {
      if (a.priority != b.priority) return a.priority > b.priority;  // lower enum = higher class
      return a.order > b.order;
    }
  };
  struct Direction {
    std::deque<std::string> raw;  // handshake bytes: always first, in order
    std::priority_queue<Frame, std::vector<Frame>, FrameLess> queue;
    bool busy = false;
    uint64_t last_delivery = 0;
  };
  struct Conn {
    int child = -1, parent = -1;
    size_t k = 0;                               // which of the child's upstreams
    std::optional<crypto::Channel> channel[2];  // 0: the child's end, 1: the parent's
    bool established[2] = {false, false};       // the end's core heard OnConnected
    uint64_t epoch[2] = {0, 0};                 // each end's node epoch when it was made
    Direction dir[2];                           // dir[s]: frames from end s to end 1-s
  };

  int NodeOf(const Conn& c, int side) const { return side == 0 ? c.child : c.parent; }
  // True when events of a connection of `child` need not keep the network busy (the child is
  // revoked: its retries go on for ever).
  bool Background(int child) const;
  // Node `child`'s dial of upstream k failed (at once, or when a connection died unborn).
  void DialFailed(int child, size_t k, const Status& why, uint64_t at);
  void TransmitRaw(ConnId id, int side, std::string bytes);
  // The link sends one frame at a time, highest class first, at the link's bandwidth.
  void Kick(ConnId id, int side);
  void Deliver(ConnId id, int side, const std::string& bytes);
  // A compromised relay alters the body of an op it forwards (one it did not write).
  bool Tamper(int node, std::string* message);

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  Diagnosis& diagnosis_;
  bool faults_ = false;
  std::function<void(int, int)> on_established_;
  std::map<ConnId, Conn> conns_;                       // open connections
  std::map<int, std::vector<ConnId>> of_;              // node -> its open connections
  std::map<std::pair<int, size_t>, bool> down_links_;  // (child, k) partitioned
  ConnId next_conn_ = 1;
  uint64_t next_frame_ = 0;
  Stats stats_;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_NETWORK_H_

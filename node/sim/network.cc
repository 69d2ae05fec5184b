#include "node/sim/network.h"

#include <algorithm>
#include <variant>

#include "crdt/codec.h"
#include "sync/messages.h"

namespace fulei::node::sim {

SimNetwork::SimNetwork(const SimConfig& config, EventLoop& loop, Dice& dice, Nodes& nodes,
                       Diagnosis& diagnosis)
    : config_(config), loop_(loop), dice_(dice), nodes_(nodes), diagnosis_(diagnosis) {}

bool SimNetwork::Background(int child) const { return nodes_.revoked(child); }

bool SimNetwork::link_up(int child, size_t k) const {
  return down_links_.find({child, k}) == down_links_.end();
}

size_t SimNetwork::established_of(int node) const {
  size_t n = 0;
  auto it = of_.find(node);
  if (it == of_.end()) return 0;
  for (ConnId id : it->second) {
    const Conn& c = conns_.at(id);
    n += c.established[0] && c.established[1] ? 1 : 0;
  }
  return n;
}

void SimNetwork::DialFailed(int child, size_t k, const Status& why, uint64_t at) {
  const uint64_t epoch = nodes_.epoch(child);
  loop_.At(
      at,
      [this, child, k, why, epoch] {
        NodeCore* core = nodes_.core(child);
        if (core == nullptr || nodes_.epoch(child) != epoch) return;
        core->OnDialFailed(k, why, nodes_.Wall(child));
        nodes_.Drive(child);
      },
      Background(child));
}

void SimNetwork::Dial(int child, size_t k) {
  const NodeInfo& c = nodes_.info()[static_cast<size_t>(child)];
  const int parent = c.ups[k];
  NodeCore* child_core = nodes_.core(child);
  NodeCore* parent_core = nodes_.core(parent);
  if (child_core == nullptr) return;
  if (parent_core == nullptr || !link_up(child, k)) {
    // Refused or unanswered: the attempt fails after a round trip.
    return DialFailed(child, k, Unavailable("no route to the upstream"),
                      loop_.now() + 2 * config_.link_delay_ms);
  }
  const ConnId id = next_conn_++;
  Conn& conn = conns_[id];
  conn.child = child;
  conn.parent = parent;
  conn.k = k;
  of_[child].push_back(id);
  of_[parent].push_back(id);
  stats_.connections++;
  for (int side = 0; side < 2; ++side) {
    const int node = NodeOf(conn, side);
    conn.epoch[side] = nodes_.epoch(node);
    NodeCore* core = nodes_.core(node);
    auto channel = core->MakeChannel(side == 0 ? static_cast<int>(k) : -1, nodes_.Wall(node));
    if (!channel.ok()) return loop_.Fail(channel.status());
    conn.channel[side].emplace(std::move(*channel));
  }
  auto first = conn.channel[0]->Start();
  if (!first.ok()) return loop_.Fail(first.status());
  TransmitRaw(id, 0, std::move(*first));
}

void SimNetwork::Send(ConnId id, int from, sync::Priority priority, std::string message) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  const int side = it->second.child == from ? 0 : 1;
  if (faults_ && nodes_.info()[static_cast<size_t>(from)].role == crypto::Role::kTown &&
      dice_.Chance(config_.tamper_probability)) {
    if (Tamper(from, &message)) stats_.tampered_batches++;
  }
  it->second.dir[side].queue.push(Frame{priority, next_frame_++, std::move(message)});
  Kick(id, side);
}

void SimNetwork::TransmitRaw(ConnId id, int side, std::string bytes) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.dir[side].raw.push_back(std::move(bytes));
  Kick(id, side);
}

void SimNetwork::Kick(ConnId id, int side) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& conn = it->second;
  Direction& d = conn.dir[side];
  if (d.busy || (d.raw.empty() && d.queue.empty())) return;
  Frame f;
  if (!d.raw.empty()) {
    f = Frame{sync::Priority::kControl, 0, std::move(d.raw.front()), true};
    d.raw.pop_front();
  } else {
    f = d.queue.top();
    d.queue.pop();
  }
  if (!f.sealed) {
    auto sealed = conn.channel[side]->Seal(f.bytes);
    if (!sealed.ok()) return Close(id, Internal("seal: " + sealed.status().ToString()), true);
    f.bytes = std::move(*sealed);
  }
  const bool background = Background(conn.child);
  d.busy = true;
  stats_.frames++;
  stats_.bytes += f.bytes.size();
  stats_.max_frame_bytes = std::max<uint64_t>(stats_.max_frame_bytes, f.bytes.size());
  const auto tx =
      static_cast<uint64_t>(static_cast<double>(f.bytes.size()) / config_.link_bytes_per_ms) + 1;
  const uint64_t now = loop_.now();
  uint64_t arrive = now + tx + config_.link_delay_ms + dice_.Uniform(0, config_.link_jitter_ms);
  arrive = std::max(arrive, d.last_delivery);  // TCP keeps order
  d.last_delivery = arrive;
  loop_.At(
      now + tx,
      [this, id, side] {
        auto c = conns_.find(id);
        if (c == conns_.end()) return;
        c->second.dir[side].busy = false;
        Kick(id, side);
      },
      background);
  int copies = 1;
  if (faults_ && dice_.Chance(config_.frame_fault_probability)) {
    switch (dice_.Uniform(0, 2)) {
      case 0:  // dropped: the peer sees a gap (or, if it was the last frame, times out)
        copies = 0;
        loop_.At(
            now + 30'000,
            [this, id] { Close(id, Unavailable("dead-peer timeout after a lost frame"), true); },
            background);
        break;
      case 1:  // duplicated
        copies = 2;
        break;
      default:  // reordered: overtaken by later frames
        arrive += 5'000;
        break;
    }
  }
  for (int k = 0; k < copies; ++k) {
    loop_.At(
        arrive + static_cast<uint64_t>(k),
        [this, id, side, bytes = f.bytes] { Deliver(id, 1 - side, bytes); }, background);
  }
}

void SimNetwork::Deliver(ConnId id, int side, const std::string& bytes) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& conn = it->second;
  const int node = NodeOf(conn, side);
  std::string to_send;
  std::vector<std::string> messages;
  Status st = conn.channel[side]->Feed(bytes, &to_send, &messages);
  if (!to_send.empty()) TransmitRaw(id, side, std::move(to_send));
  if (!st.ok()) return Close(id, Status(st.code(), "channel: " + st.message()), true);
  NodeCore* core = nodes_.core(node);
  if (core == nullptr) return;  // (a crashed node's connections are already closed)
  if (conn.channel[side]->established() && !conn.established[side]) {
    const auto& cert = conn.channel[side]->peer_certificate();
    if (!cert) return Close(id, PermissionDenied("peer has no certificate"), true);
    conn.established[side] = true;
    if (conn.established[1 - side]) {
      stats_.established++;
      if (on_established_) on_established_(conn.child, conn.parent);
    }
    core->OnConnected(id, side == 0 ? static_cast<int>(conn.k) : -1, *cert, nodes_.Wall(node));
    nodes_.Drive(node);
  }
  for (const std::string& m : messages) {
    // Driving a core may have closed the connection.
    auto open = conns_.find(id);
    if (open == conns_.end()) return;
    if (!open->second.established[side]) return Close(id, Internal("message before session"), true);
    core->OnMessage(id, m, nodes_.Wall(node));
    nodes_.Drive(node);
  }
}

void SimNetwork::Close(ConnId id, const Status& why, bool by_fault) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn conn = std::move(it->second);
  conns_.erase(it);
  for (int node : {conn.child, conn.parent}) std::erase(of_[node], id);
  if (by_fault) stats_.closed_by_faults++;
  diagnosis_.NoteClose(why.ToString());
  // Each end hears of it on the loop, as a real end learns of a closed socket.
  const bool background = Background(conn.child);
  for (int side = 0; side < 2; ++side) {
    const int node = NodeOf(conn, side);
    if (conn.established[side]) {
      const uint64_t epoch = conn.epoch[side];
      loop_.At(
          loop_.now(),
          [this, node, epoch, id, why] {
            NodeCore* core = nodes_.core(node);
            if (core == nullptr || nodes_.epoch(node) != epoch) return;
            core->OnClosed(id, why, nodes_.Wall(node));
            nodes_.Drive(node);
          },
          background);
    } else if (side == 0 && nodes_.epoch(node) == conn.epoch[0]) {
      DialFailed(node, conn.k, why, loop_.now());
    }
  }
}

void SimNetwork::CloseAllOf(int node, const char* why) {
  const std::vector<ConnId> ids = of_[node];
  for (ConnId id : ids) Close(id, Unavailable(why), true);
}

void SimNetwork::SetLinkUp(int child, size_t k, bool up) {
  if (up) {
    down_links_.erase({child, k});
    return;
  }
  down_links_[{child, k}] = true;
  const std::vector<ConnId> ids = of_[child];
  for (ConnId id : ids) {
    const Conn& c = conns_.at(id);
    if (c.child == child && c.k == k) Close(id, Unavailable("partition"), true);
  }
}

bool SimNetwork::Tamper(int node, std::string* message) {
  auto m = sync::DecodeMessage(*message);
  if (!m.ok() || !std::holds_alternative<sync::OpsBatch>(*m)) return false;
  sync::OpsBatch& batch = std::get<sync::OpsBatch>(*m);
  const NodeInfo& self = nodes_.info()[static_cast<size_t>(node)];
  for (std::string& bytes : batch.ops) {
    auto op = crdt::DecodeOp(bytes);
    if (!op.ok() || op->origin == self.id || op->writes.empty()) continue;
    op->writes[0].value = std::string(kForged) + " by " + self.unit;
    if (op->writes[0].kind == crdt::WriteKind::kRemove) op->writes[0].kind = crdt::WriteKind::kSet;
    bytes = crdt::EncodeOp(*op);
    *message = sync::EncodeMessage(*m);
    return true;
  }
  return false;
}

}  // namespace fulei::node::sim

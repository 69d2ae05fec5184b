#include "sync/local_writer.h"

#include "crypto/op_chain.h"

namespace fulei::sync {

Result<std::vector<crdt::Op>> LocalWriter::Write(std::span<const store::LocalChange> changes,
                                                 uint64_t wall_ms,
                                                 const std::vector<std::string>& outbox_peers) {
  store::LocalOptions options;
  options.outbox_peers = outbox_peers;
  options.link = [](const crdt::Op* previous, crdt::Op& op) -> Status {
    op.prev_hash = previous == nullptr ? crdt::Hash{} : crypto::OpHeaderHash(*previous);
    op.body_hash = crypto::OpBodyHash(op);
    return Status::Ok();
  };
  // The previous op unreadable on disk (store.h): its header hash is in the head signed for it.
  options.link_after_head = [](std::string_view previous_head, crdt::Op& op) -> Status {
    FULEI_ASSIGN_OR_RETURN(crypto::SignedHead head, crypto::DecodeSignedHead(previous_head));
    if (head.origin != op.origin || head.scope != op.key.scope || head.seq + 1 != op.seq) {
      return Corruption("the head held for the previous op is not its own");
    }
    op.prev_hash = head.head;
    op.body_hash = crypto::OpBodyHash(op);
    return Status::Ok();
  };
  options.sign_head = [this](const crdt::Op& last) -> Result<std::string> {
    crypto::ChainBuilder chain(key_, last.key.scope, last.seq, crypto::OpHeaderHash(last));
    return crypto::EncodeSignedHead(chain.SignHead());
  };
  return store_.WriteLocal(changes, clock_, wall_ms, options);
}

}  // namespace fulei::sync

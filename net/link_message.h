// LinkMessage: one whole application message as a net::Link delivers it, with the class and
// stream the sender tagged it with. A plain value type. (A sync::Message travels encoded in
// `body`.)
#ifndef FULEI_NET_LINK_MESSAGE_H_
#define FULEI_NET_LINK_MESSAGE_H_

#include <cstdint>
#include <string>

#include "sync/priority.h"

namespace fulei::net {

struct LinkMessage {
  sync::Priority priority = sync::Priority::kNormal;
  uint32_t stream = 0;
  std::string body;
};

}  // namespace fulei::net

#endif  // FULEI_NET_LINK_MESSAGE_H_

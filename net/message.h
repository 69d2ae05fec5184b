// Message: one whole application message as the session delivers it, with the class and stream
// the sender tagged it with. A plain value type.
#ifndef FULEI_NET_MESSAGE_H_
#define FULEI_NET_MESSAGE_H_

#include <cstdint>
#include <string>

#include "sync/priority.h"

namespace fulei::net {

struct Message {
  sync::Priority priority = sync::Priority::kNormal;
  uint32_t stream = 0;
  std::string body;
};

}  // namespace fulei::net

#endif  // FULEI_NET_MESSAGE_H_

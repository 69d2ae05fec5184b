// Log: where net/ reports a closed link, a failed accept or a stopped dialer — to
// LinkConfig::log when the application set one, else to stderr as "fulei net: <line>".
// As thread-safe as `log` is; net/ calls it on the event loop only.
#ifndef FULEI_NET_INTERNAL_LOG_H_
#define FULEI_NET_INTERNAL_LOG_H_

#include <functional>
#include <string_view>

namespace fulei::net::internal {

void Log(const std::function<void(std::string_view)>& log, std::string_view line);

}  // namespace fulei::net::internal

#endif  // FULEI_NET_INTERNAL_LOG_H_

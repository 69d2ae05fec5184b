#include "net/internal/log.h"

#include <iostream>

namespace fulei::net::internal {

void Log(const std::function<void(std::string_view)>& log, std::string_view line) {
  if (log) {
    log(line);
  } else {
    std::cerr << "fulei net: " << line << "\n";
  }
}

}  // namespace fulei::net::internal

// fulei.toml: the configuration of one node's daemon (`fulei run --dir DIR` reads DIR/fulei.toml).
// Every key, its type, its default and its range are in docs/config.md and in the commented file
// `fulei init` / `fulei join` write (ConfigText). Reading is strict: an unknown key, a value of
// the wrong type or out of range, or a missing required key is refused with the file, the line,
// the key and the reason, and nothing starts (the command exits with code 3, docs/cli.md).
// Parsed with toml++ (Debian's libtomlplusplus-dev). Plain functions; thread-safe.
#ifndef FULEI_NODE_CONFIG_H_
#define FULEI_NODE_CONFIG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "node/node.h"

namespace fulei::node {

inline constexpr char kConfigFileName[] = "fulei.toml";

// What the daemon runs with: the node's own config and what lies around it.
struct DaemonConfig {
  NodeConfig node;                 // unit, listen, upstreams, link, sync, store, escalation
  std::optional<Endpoint> web;     // the admin web's address (none: no admin web)
  std::string log_level = "info";  // trace, debug, info, warn, error
  std::string web_certificate;     // PEM files of the admin web's TLS (empty: the ones init made)
  std::string web_private_key;
};

// "host:port", "[v6]:port" or "v6-literal:port" is not accepted (brackets are required for
// IPv6). kInvalidArgument naming what is wrong.
Result<Endpoint> ParseEndpoint(std::string_view text);
std::string FormatEndpoint(const Endpoint& e);

// Reads `path`. `data_dir` becomes node.data_dir. Errors (kInvalidArgument): "<file>:<line>:
// <key>: <reason>" for the first problem found; kNotFound when the file does not exist;
// kIoError when it cannot be read.
Result<DaemonConfig> LoadConfig(const std::filesystem::path& path,
                                const std::filesystem::path& data_dir);

// The commented fulei.toml for `config`: every key with its default, the set ones uncommented.
std::string ConfigText(const DaemonConfig& config);

}  // namespace fulei::node

#endif  // FULEI_NODE_CONFIG_H_

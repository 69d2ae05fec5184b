#include "node/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <sstream>

namespace fulei::node {
namespace {

// One scalar key of the file: where it lives, what it means, its default, and how it is read.
struct Key {
  std::string_view table;  // "" for the top level
  std::string_view name;
  std::string_view doc;
  // Reads the value into the config; returns the reason when it is not acceptable.
  std::function<std::optional<std::string>(const toml::node&, DaemonConfig&)> read;
  // The value as TOML text, from a config (the default one for the commented file).
  std::function<std::string(const DaemonConfig&)> show;
};

std::optional<std::string> Integer(const toml::node& n, int64_t lo, int64_t hi, int64_t* out) {
  auto v = n.value<int64_t>();
  if (!n.is_integer() || !v) return "must be an integer";
  if (*v < lo || *v > hi) {
    return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
           std::to_string(*v) + ")";
  }
  *out = *v;
  return std::nullopt;
}

template <typename T>
std::function<std::optional<std::string>(const toml::node&, DaemonConfig&)> IntKey(
    int64_t lo, int64_t hi, std::function<void(DaemonConfig&, T)> set) {
  return [lo, hi, set](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
    int64_t v = 0;
    if (auto why = Integer(n, lo, hi, &v)) return why;
    set(c, static_cast<T>(v));
    return std::nullopt;
  };
}

std::optional<std::string> Bool(const toml::node& n, bool* out) {
  if (!n.is_boolean()) return "must be true or false";
  *out = *n.value<bool>();
  return std::nullopt;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::optional<std::string> EndpointValue(const toml::node& n, Endpoint* out) {
  if (!n.is_string()) return "must be a string \"host:port\"";
  auto e = ParseEndpoint(*n.value<std::string>());
  if (!e.ok()) return e.status().message();
  *out = *e;
  return std::nullopt;
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"node", "unit",
       "this node's org unit, as its certificate names it: \"jinjiang\" (the city), "
       "\"jinjiang/cizao\" (a town), \"jinjiang/cizao/v012\" (a village). Required.",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         if (!n.is_string()) return "must be a string";
         c.node.unit = *n.value<std::string>();
         if (c.node.unit.empty()) return "must not be empty";
         return std::nullopt;
       },
       [](const DaemonConfig& c) { return Quote(c.node.unit); }},
      {"node", "listen",
       "where towns and the city listen for their children (\"0.0.0.0:7400\", \"[::]:7400\"). "
       "Leave unset on a village.",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         Endpoint e;
         if (auto why = EndpointValue(n, &e)) return why;
         c.node.listen = e;
         return std::nullopt;
       },
       [](const DaemonConfig& c) {
         return c.node.listen ? Quote(FormatEndpoint(*c.node.listen)) : std::string();
       }},
      {"web", "listen",
       "the admin web's address (HTTPS; plain HTTP only on loopback). Unset: no admin web.",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         Endpoint e;
         if (auto why = EndpointValue(n, &e)) return why;
         c.web = e;
         return std::nullopt;
       },
       [](const DaemonConfig& c) { return c.web ? Quote(FormatEndpoint(*c.web)) : std::string(); }},
      {"web", "certificate",
       "PEM certificate chain of the admin web (default: the self-signed one in the data "
       "directory, made by `fulei init`)",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         if (!n.is_string()) return "must be a string (a file path)";
         c.web_certificate = *n.value<std::string>();
         return std::nullopt;
       },
       [](const DaemonConfig& c) {
         return c.web_certificate.empty() ? std::string() : Quote(c.web_certificate);
       }},
      {"web", "private_key", "PEM private key of the admin web (default: as certificate)",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         if (!n.is_string()) return "must be a string (a file path)";
         c.web_private_key = *n.value<std::string>();
         return std::nullopt;
       },
       [](const DaemonConfig& c) {
         return c.web_private_key.empty() ? std::string() : Quote(c.web_private_key);
       }},
      {"sync", "window", "unacknowledged op batches in flight per peer",
       IntKey<size_t>(1, 64, [](DaemonConfig& c, size_t v) { c.node.sync_window = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.sync_window); }},
      {"sync", "max_batch_ops", "ops per batch at most",
       IntKey<size_t>(1, 100'000, [](DaemonConfig& c, size_t v) { c.node.sync_max_batch_ops = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.sync_max_batch_ops); }},
      {"link", "chunk_bytes",
       "bytes of one frame on the wire; about 1024 on a slow 4G link (docs/net.md#tuning)",
       IntKey<size_t>(512, 16'384, [](DaemonConfig& c, size_t v) { c.node.link.chunk_bytes = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.link.chunk_bytes); }},
      {"link", "send_buffer_bytes",
       "SO_SNDBUF; 0 leaves it to the kernel. About 8192 on a slow link.",
       IntKey<int>(0, 16 << 20, [](DaemonConfig& c, int v) { c.node.link.send_buffer_bytes = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.link.send_buffer_bytes); }},
      {"link", "pacing_bytes_per_second",
       "SO_MAX_PACING_RATE; 0 leaves pacing to the kernel. Just below a slow link's rate keeps "
       "urgent frames ahead of the modem's queue.",
       IntKey<uint32_t>(
           0, 1'000'000'000,
           [](DaemonConfig& c, uint32_t v) { c.node.link.pacing_bytes_per_second = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.link.pacing_bytes_per_second); }},
      {"link", "keepalive_seconds", "a keepalive frame after this long without sending; 0: none",
       IntKey<int64_t>(0, 3600,
                       [](DaemonConfig& c, int64_t v) {
                         c.node.link.keepalive_interval = std::chrono::seconds(v);
                       }),
       [](const DaemonConfig& c) {
         return std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(c.node.link.keepalive_interval)
                 .count());
       }},
      {"link", "dead_peer_seconds", "a link silent this long is closed; 0: never",
       IntKey<int64_t>(0, 86'400,
                       [](DaemonConfig& c, int64_t v) {
                         c.node.link.dead_peer_timeout = std::chrono::seconds(v);
                       }),
       [](const DaemonConfig& c) {
         return std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(c.node.link.dead_peer_timeout)
                 .count());
       }},
      {"link", "connect_timeout_seconds", "a dial that does not connect within this fails",
       IntKey<int64_t>(
           1, 600,
           [](DaemonConfig& c, int64_t v) { c.node.connect_timeout = std::chrono::seconds(v); }),
       [](const DaemonConfig& c) {
         return std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(c.node.connect_timeout).count());
       }},
      {"link", "redial_initial_ms", "first redial delay ceiling (exponential, full jitter)",
       IntKey<int64_t>(10, 600'000,
                       [](DaemonConfig& c, int64_t v) {
                         c.node.backoff.initial = std::chrono::milliseconds(v);
                       }),
       [](const DaemonConfig& c) { return std::to_string(c.node.backoff.initial.count()); }},
      {"link", "redial_max_ms", "largest redial delay ceiling",
       IntKey<int64_t>(
           10, 3'600'000,
           [](DaemonConfig& c, int64_t v) { c.node.backoff.max = std::chrono::milliseconds(v); }),
       [](const DaemonConfig& c) { return std::to_string(c.node.backoff.max.count()); }},
      {"store", "initial_map_mb", "LMDB map size at start (it grows when full)",
       IntKey<size_t>(1, 1 << 20,
                      [](DaemonConfig& c, size_t v) { c.node.initial_map_bytes = v << 20; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.initial_map_bytes >> 20); }},
      {"store", "reserve_mb",
       "disk kept free for urgent reports: ordinary writes stop before the disk is this full",
       IntKey<uint64_t>(0, 1 << 20,
                        [](DaemonConfig& c, uint64_t v) { c.node.reserve_bytes = v << 20; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.reserve_bytes >> 20); }},
      {"escalation", "enabled",
       "the city flags urgent cases nobody at the town acknowledged in time (city only)",
       [](const toml::node& n, DaemonConfig& c) { return Bool(n, &c.node.escalate); },
       [](const DaemonConfig& c) { return std::string(c.node.escalate ? "true" : "false"); }},
      {"escalation", "report_deadline_minutes", "强制报告: minutes until a report is overdue",
       IntKey<int64_t>(1, 7 * 24 * 60,
                       [](DaemonConfig& c, int64_t v) { c.node.report_deadline_minutes = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.report_deadline_minutes); }},
      {"escalation", "help_request_deadline_minutes",
       "求助: minutes until a help request is overdue",
       IntKey<int64_t>(
           1, 7 * 24 * 60,
           [](DaemonConfig& c, int64_t v) { c.node.help_request_deadline_minutes = v; }),
       [](const DaemonConfig& c) { return std::to_string(c.node.help_request_deadline_minutes); }},
      {"escalation", "interval_seconds", "how often the city checks",
       IntKey<int64_t>(1, 86'400,
                       [](DaemonConfig& c, int64_t v) {
                         c.node.escalation_interval = std::chrono::seconds(v);
                       }),
       [](const DaemonConfig& c) {
         return std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(c.node.escalation_interval).count());
       }},
      {"log", "level", "trace, debug, info, warn or error",
       [](const toml::node& n, DaemonConfig& c) -> std::optional<std::string> {
         if (!n.is_string()) return "must be a string";
         const std::string v = *n.value<std::string>();
         for (const char* ok : {"trace", "debug", "info", "warn", "error"}) {
           if (v == ok) {
             c.log_level = v;
             return std::nullopt;
           }
         }
         return "must be trace, debug, info, warn or error (got \"" + v + "\")";
       },
       [](const DaemonConfig& c) { return Quote(c.log_level); }},
  };
  return keys;
}

const char* const kTables[] = {"node", "web", "sync", "link", "store", "escalation", "log"};

std::string Where(const std::filesystem::path& file, const toml::source_region& at) {
  return file.string() + ":" + std::to_string(at.begin.line);
}

Status Bad(const std::filesystem::path& file, const toml::source_region& at, std::string_view key,
           std::string_view reason) {
  return InvalidArgument(Where(file, at) + ": " + std::string(key) + ": " + std::string(reason));
}

Status ReadUpstreams(const std::filesystem::path& file, const toml::node& node, DaemonConfig& c) {
  const toml::array* list = node.as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    return Bad(file, node.source(), "upstream", "must be [[upstream]] tables");
  }
  for (const toml::node& item : *list) {
    const toml::table& t = *item.as_table();
    Upstream up;
    for (const auto& [k, v] : t) {
      const std::string key = "upstream." + std::string(k.str());
      if (k.str() == "unit") {
        if (!v.is_string()) return Bad(file, v.source(), key, "must be a string");
        up.unit = *v.value<std::string>();
      } else if (k.str() == "endpoints") {
        const toml::array* eps = v.as_array();
        if (eps == nullptr) return Bad(file, v.source(), key, "must be a list of \"host:port\"");
        for (const toml::node& e : *eps) {
          Endpoint endpoint;
          if (auto why = EndpointValue(e, &endpoint)) return Bad(file, e.source(), key, *why);
          up.endpoints.push_back(std::move(endpoint));
        }
      } else {
        return Bad(file, v.source(), key, "unknown key (known: unit, endpoints)");
      }
    }
    if (up.endpoints.empty()) {
      return Bad(file, item.source(), "upstream.endpoints", "at least one \"host:port\" is needed");
    }
    c.node.upstreams.push_back(std::move(up));
  }
  return Status::Ok();
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("\"" + std::string(text) + "\" is not \"[address]:port\"");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return InvalidArgument("\"" + std::string(text) +
                             "\" is not \"host:port\" (write IPv6 addresses as \"[::1]:7400\")");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return InvalidArgument("\"" + std::string(text) + "\": the port must be 0..65535");
  }
  return Endpoint{std::string(host), static_cast<uint16_t>(value)};
}

std::string FormatEndpoint(const Endpoint& e) {
  if (e.address.find(':') != std::string::npos) {
    return "[" + e.address + "]:" + std::to_string(e.port);
  }
  return e.address + ":" + std::to_string(e.port);
}

Result<DaemonConfig> LoadConfig(const std::filesystem::path& path,
                                const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound(path.string() + ": no such file (run `fulei init` or `fulei join` first)");
  }
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    return InvalidArgument(Where(path, e.source()) + ": " + std::string(e.description()));
  }
  DaemonConfig c;
  c.node.data_dir = data_dir.string();
  bool unit_seen = false;
  for (const auto& [table_key, table_node] : root) {
    const std::string table(table_key.str());
    if (table == "upstream") {
      FULEI_RETURN_IF_ERROR(ReadUpstreams(path, table_node, c));
      continue;
    }
    if (std::find(std::begin(kTables), std::end(kTables), table) == std::end(kTables)) {
      return Bad(path, table_node.source(), table,
                 "unknown table (known: node, web, upstream, sync, link, store, escalation, log)");
    }
    const toml::table* t = table_node.as_table();
    if (t == nullptr)
      return Bad(path, table_node.source(), table, "must be a table [" + table + "]");
    for (const auto& [k, v] : *t) {
      const std::string name(k.str());
      const Key* key = nullptr;
      for (const Key& candidate : Keys()) {
        if (candidate.table == table && candidate.name == name) key = &candidate;
      }
      if (key == nullptr) return Bad(path, v.source(), table + "." + name, "unknown key");
      if (auto why = key->read(v, c)) return Bad(path, v.source(), table + "." + name, *why);
      if (table == "node" && name == "unit") unit_seen = true;
    }
  }
  if (!unit_seen) {
    return InvalidArgument(path.string() + ":1: node.unit: required (this node's org unit)");
  }
  if (c.node.backoff.initial > c.node.backoff.max) {
    return InvalidArgument(path.string() +
                           ": link.redial_initial_ms: must not exceed link.redial_max_ms");
  }
  return c;
}

std::string ConfigText(const DaemonConfig& config) {
  static const DaemonConfig defaults;
  std::ostringstream out;
  out << "# fulei.toml — the configuration of this node (docs/config.md lists every key).\n"
      << "# Lines starting with # show a key's default; remove the # to change it.\n"
      << "# Reload what can change safely with `systemctl reload fulei` (SIGHUP).\n";
  std::string_view table;
  for (const Key& key : Keys()) {
    if (key.table != table) {
      table = key.table;
      out << "\n[" << table << "]\n";
      if (table == "web") {
        // Upstreams go between [node] and the rest, as arrays of tables must.
      }
    }
    const std::string set = key.show(config);
    const std::string def = key.show(defaults);
    out << "# " << key.doc << "\n";
    if (!set.empty() && set != def) {
      out << key.name << " = " << set << "\n";
    } else {
      out << "# " << key.name << " = " << (def.empty() ? "\"\"" : def) << "\n";
    }
  }
  out << "\n# Upstreams in order of preference: a town names the city; a village its town, then\n"
      << "# the city as a fallback for urgent reports.\n";
  if (config.node.upstreams.empty()) {
    out << "# [[upstream]]\n# unit = \"jinjiang\"\n# endpoints = [\"192.0.2.1:7400\"]\n";
  }
  for (const Upstream& up : config.node.upstreams) {
    out << "[[upstream]]\nunit = " << Quote(up.unit) << "\nendpoints = [";
    for (size_t i = 0; i < up.endpoints.size(); ++i) {
      out << (i ? ", " : "") << Quote(FormatEndpoint(up.endpoints[i]));
    }
    out << "]\n";
  }
  return out.str();
}

}  // namespace fulei::node

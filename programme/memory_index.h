// MemoryIndex: an in-memory IndexWriter and CounterReader over a sorted map — for tests,
// benchmarks and the simulator, where an index needs no durability. Not thread-safe.
// Views passed to Scan callbacks are valid during the callback only.
#ifndef FULEI_PROGRAMME_MEMORY_INDEX_H_
#define FULEI_PROGRAMME_MEMORY_INDEX_H_

#include <map>
#include <string>

#include "programme/aggregate.h"
#include "store/index.h"

namespace fulei::programme {

class MemoryIndex : public store::IndexWriter, public CounterReader {
 public:
  Status Put(std::string_view key, std::string_view value) override {
    entries_[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  Status Delete(std::string_view key) override {
    auto it = entries_.find(key);
    if (it != entries_.end()) entries_.erase(it);
    return Status::Ok();
  }
  Result<std::optional<std::string>> Get(std::string_view key) override {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
      if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
      if (!fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_MEMORY_INDEX_H_

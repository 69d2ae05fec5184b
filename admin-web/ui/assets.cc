#include "admin-web/assets.h"

#include <algorithm>

#include "admin-web/ui/assets_table.h"

namespace fulei::web {

std::span<const Asset> Assets() { return {internal::kAssets, internal::kAssetCount}; }

const Asset* FindAsset(std::string_view path) {
  const std::span<const Asset> all = Assets();
  const auto it = std::lower_bound(all.begin(), all.end(), path,
                                   [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == all.end() || it->path != path) return nullptr;
  return &*it;
}

}  // namespace fulei::web

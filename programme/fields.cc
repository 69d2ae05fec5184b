#include "programme/fields.h"

namespace fulei::programme {

std::optional<std::string_view> One(const Fields& f, std::string_view name) {
  auto it = f.find(name);
  if (it == f.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second.front());
}

std::string_view OneOr(const Fields& f, std::string_view name, std::string_view fallback) {
  auto v = One(f, name);
  return v ? *v : fallback;
}

const std::vector<std::string>& All(const Fields& f, std::string_view name) {
  static const std::vector<std::string> kEmpty;
  auto it = f.find(name);
  return it == f.end() ? kEmpty : it->second;
}

std::optional<Fields> ReadFields(const crdt::RecordState& state) {
  if (state.deleted()) return std::nullopt;
  Fields out;
  for (const auto& [name, field] : state.fields()) {
    if (!name.empty() && name[0] == '$') continue;
    std::vector<std::string> values;
    if (const crdt::Entry* w = field.Winner()) values.push_back(w->value);
    for (std::string& e : field.Elements()) values.push_back(std::move(e));
    for (const crdt::Entry* e : field.LogEntries()) {
      if (!field.Covered(*e)) values.push_back(e->value);
    }
    if (!values.empty()) out.emplace(name, std::move(values));
  }
  return out;
}

}  // namespace fulei::programme

#include "admin-web/record_json.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "programme/schema.h"

namespace fulei::web {
namespace json = boost::json;

json::object FieldsJson(const programme::Fields& fields, std::string_view type) {
  const programme::RecordTypeSpec* spec = programme::FindRecordType(type);
  json::object out;
  for (const auto& [name, values] : fields) {
    const programme::FieldSpec* f = spec ? spec->Find(name) : nullptr;
    if (f != nullptr && f->shape == programme::FieldShape::kRegister && values.size() == 1) {
      out[name] = values.front();
    } else {
      json::array a;
      for (const std::string& v : values) a.emplace_back(v);
      out[name] = std::move(a);
    }
  }
  return out;
}

json::object RecordJson(const programme::ViewedRecord& r) {
  json::array hidden;
  for (const std::string& h : r.hidden) hidden.emplace_back(h);
  return json::object{{"unit", r.key.scope},
                      {"type", r.key.type},
                      {"id", r.key.id},
                      {"fields", FieldsJson(r.fields, r.key.type)},
                      {"hidden", std::move(hidden)}};
}

Result<std::vector<crdt::FieldWrite>> WritesFor(std::string_view type,
                                                const std::optional<crdt::RecordState>& current,
                                                const json::object& fields) {
  const programme::RecordTypeSpec* spec = programme::FindRecordType(type);
  if (spec == nullptr)
    return InvalidArgument("未知记录类型 / unknown record type: " + std::string(type));
  const crdt::RecordState empty;
  const crdt::RecordState& state = current ? *current : empty;
  std::vector<crdt::FieldWrite> out;
  for (const auto& [name_sv, value] : fields) {
    const std::string name(name_sv);
    const programme::FieldSpec* f = spec->Find(name);
    if (f == nullptr) {
      return InvalidArgument("未知字段 / unknown field " + std::string(type) + "." + name);
    }
    std::vector<std::string> values;
    if (value.is_string()) {
      values.emplace_back(value.as_string());
    } else if (value.is_array() && f->shape != programme::FieldShape::kRegister) {
      for (const json::value& v : value.as_array()) {
        if (!v.is_string()) return InvalidArgument(name + ": list items must be strings");
        values.emplace_back(v.as_string());
      }
    } else if (value.is_null() && f->shape == programme::FieldShape::kRegister) {
      const crdt::FieldState* fs = state.Field(name);
      if (fs != nullptr && !fs->values().empty()) out.push_back(crdt::ClearWrite(state, name));
      continue;
    } else {
      return InvalidArgument(name + (f->shape == programme::FieldShape::kRegister
                                         ? ": 应为文本 / must be a string"
                                         : ": 应为文本列表 / must be a list of strings"));
    }
    const crdt::FieldState* fs = state.Field(name);
    switch (f->shape) {
      case programme::FieldShape::kRegister: {
        const bool same = fs != nullptr && fs->values().size() == 1 &&
                          fs->values().front()->value == values.front();
        if (!same) out.push_back(crdt::SetWrite(state, name, values.front()));
        break;
      }
      case programme::FieldShape::kSet: {
        std::set<std::string> want(values.begin(), values.end());
        std::vector<std::string> have = fs ? fs->Elements() : std::vector<std::string>{};
        for (const std::string& h : have) {
          if (want.count(h) == 0) {
            if (auto w = crdt::RemoveWrite(state, name, h)) out.push_back(std::move(*w));
          }
        }
        for (const std::string& w : want) {
          if (std::find(have.begin(), have.end(), w) == have.end()) {
            out.push_back(crdt::AddWrite(name, w));
          }
        }
        break;
      }
      case programme::FieldShape::kLog: {
        std::set<std::string> have;
        if (fs != nullptr) {
          for (const crdt::Entry* e : fs->LogEntries()) have.insert(e->value);
        }
        for (const std::string& v : values) {
          if (have.insert(v).second) out.push_back(crdt::AppendWrite(name, v));
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace fulei::web

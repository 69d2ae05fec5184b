// Records as JSON, for the admin web's API and the node's control socket (docs/web-api.md,
// docs/cli.md): a record's fields as the viewer may see them, and the writes that take a record
// to hold the fields a person sent. Pure functions; thread-safe.
#ifndef FULEI_ADMIN_WEB_RECORD_JSON_H_
#define FULEI_ADMIN_WEB_RECORD_JSON_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/fields.h"
#include "programme/reader.h"

namespace fulei::web {

// `fields` of a record of `type`: a register field with one value as a string, every other
// field (a set, a log, a register in conflict) as a list of strings.
boost::json::object FieldsJson(const programme::Fields& fields, std::string_view type);

// {"unit": scope, "type", "id", "fields": FieldsJson, "hidden": [names removed for the viewer]}.
boost::json::object RecordJson(const programme::ViewedRecord& r);

// Builds the writes that take the record from `current` to hold `fields` (JSON: a string for a
// register field, a list for a set or log field): registers set (superseding what is there),
// sets made equal, log entries appended when not already there. kInvalidArgument for an unknown
// type or field, or a value of the wrong JSON kind.
Result<std::vector<crdt::FieldWrite>> WritesFor(std::string_view type,
                                                const std::optional<crdt::RecordState>& current,
                                                const boost::json::object& fields);

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_RECORD_JSON_H_

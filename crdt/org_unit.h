// Org units: the tree of the programme's administrative units, written as paths of segments
// separated by '/': "jinjiang" (city), "jinjiang/cizao" (town), "jinjiang/cizao/v012" (village).
// A record's scope, a certificate's org unit and a viewer's unit are all such paths; these are
// the one place that decides whether one lies at or below another.
//
// The functions compare paths as written, segment by segment; they do not validate them
// (crypto::ValidateOrgUnit does, for certificates).
//
// The empty unit is the root of NOTHING: no path, not even "", is at or below "". A missing or
// unset unit therefore grants no scope, no subtree and no authority. A caller that means "no
// constraint" by an empty unit (crypto::PeerExpectation::subtree) says so at its call site.
//
// Pure functions; thread-safe.
#ifndef FULEI_CRDT_ORG_UNIT_H_
#define FULEI_CRDT_ORG_UNIT_H_

#include <string_view>

namespace fulei::crdt {

// True when `path` equals `unit` or lies below it: "a/b" and "a" are at or below "a"; "a/bc" is
// not below "a/b"; "ab" is not below "a". False whenever `unit` is empty.
bool IsAtOrBelow(std::string_view path, std::string_view unit);

// True when `path` lies strictly below `unit` (at or below it, and not equal to it). False
// whenever `unit` is empty.
bool IsBelow(std::string_view path, std::string_view unit);

// The unit one level up: "a/b/c" -> "a/b", "a" -> "" (a top-level unit has no parent), "" -> "".
// The result views the characters of `unit` and is valid as long as they are.
std::string_view ParentUnit(std::string_view unit);

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_ORG_UNIT_H_

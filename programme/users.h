// User accounts: the people who log in to the admin web and use the CLI (`fulei user
// add|list|disable|passwd`). An account is a record of type "user" (schema.h; docs/programme.md,
// "`user` — 用户"): login, name, role (redact.h Role codes), the unit the person works at, for a
// caring parent their helper record, the password hash, and whether it is disabled.
//
// Where an account lives: in the scope of its own unit (a registry, never an office scope), so
// that it replicates DOWN to every node below that unit and up to the town and the city: a
// village director logs in at the village node, a town's staff at the town or any of its
// villages, the city bureau anywhere. The record id is UserId(login), so a login is unique within
// its unit by construction and never changes; uniqueness across the network is checked when a
// user is written (write_policy.h WriteContext::login_taken, answered by LoginTaken here) and,
// for two accounts made with one login on two nodes cut off from each other, refused at login
// (FindUser: kFailedPrecondition) until a keeper deletes one.
//
// Passwords: libsodium's crypto_pwhash_str with argon2id at OPSLIMIT_INTERACTIVE /
// MEMLIMIT_INTERACTIVE (2 passes over 64 MiB: a 1 GB Raspberry Pi hashes one in well under a
// second, and can afford it at each login). The hash string carries its own salt and costs, so
// raising the costs later needs no migration: PasswordNeedsRehash says when a login should store
// a fresh hash. Passwords are read from a terminal or stdin by the CLI, never argv; nothing here
// logs or keeps them.
//
// Who may write accounts and who sees them: write_policy.h and redact.h (the hash is shown to
// nobody). Pure functions apart from the store reads of FindUser and LoginTaken; thread-safe
// (the store's threading rules apply to those). Returned values own their data.
#ifndef FULEI_PROGRAMME_USERS_H_
#define FULEI_PROGRAMME_USERS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/fields.h"
#include "programme/redact.h"
#include "store/store.h"

namespace fulei::programme {

// The shortest password accepted, in characters (Unicode code points), and the longest, in bytes.
inline constexpr size_t kMinPasswordChars = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;

// Whether `password` may be set: well-formed UTF-8, at least kMinPasswordChars characters, at
// most kMaxPasswordBytes bytes. kInvalidArgument with a "中文 / English" reason otherwise.
Status CheckNewPassword(std::string_view password);

// The crypto_pwhash_str string ("$argon2id$v=19$m=65536,t=2,p=1$...") of `password`, with a fresh
// random salt. Errors: those of CheckNewPassword; kResourceExhausted when the memory for the hash
// cannot be had.
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `hash` (crypto_pwhash_str_verify: the comparison is constant-time).
// False for any hash that is not an argon2id string, including "".
bool VerifyPassword(std::string_view hash, std::string_view password);

// Whether `hash` was made with other costs than HashPassword's current ones (or is not an
// argon2id string): the caller should store HashPassword(password) after a successful login.
bool PasswordNeedsRehash(std::string_view hash);

// Whether `login` is 3..32 of [a-z0-9._-]. kInvalidArgument ("中文 / English") otherwise.
Status ValidateLogin(std::string_view login);

// The record id of `login`'s account: "u-" and 16 hex digits of a BLAKE2b hash of the login (a
// record id is never a person's name: crdt/op.h). REQUIRES: nothing; any bytes give an id.
std::string UserId(std::string_view login);

// The key of `login`'s account at `unit`: {unit, "user", UserId(login)}. kInvalidArgument for a
// bad login or a unit that is not an org unit path (or is an office scope).
Result<crdt::RecordKey> UserKey(std::string_view login, std::string_view unit);

// An account as read from its record.
struct UserAccount {
  crdt::RecordKey key;
  std::string login;
  std::string display_name;  // "" when not recorded
  Role role = Role::kAuditor;
  std::string unit;
  std::string helper;  // a caring parent's helper record id; "" otherwise
  std::string password_hash;
  bool disabled = false;
  std::string password_changed_at;  // "YYYY-MM-DDTHH:MM:SSZ"; "" when never recorded
};

// The account in record `key` with `fields`. kInvalidArgument when it is not a user record or
// its role or login does not read (a record written by a newer version).
Result<UserAccount> ReadUserAccount(const crdt::RecordKey& key, const Fields& fields);

// The viewer an account logs in as (redact.h Viewer): its role and unit; as the user id, the
// record id, or for a caring parent their helper record id.
Viewer ViewerFor(const UserAccount& account);

// The live (not deleted) account with `login` among every user record this node holds, or
// nullopt. A disabled account is returned (the caller refuses the login). Errors: the store's;
// kFailedPrecondition when two live accounts hold the login (made on two nodes cut off from each
// other: a keeper must delete one); kInvalidArgument when the matching record does not read.
Result<std::optional<UserAccount>> FindUser(store::Store& store, std::string_view login);

// Whether a live user record other than `except` holds `login`: for WriteContext::login_taken.
// Errors: the store's.
Result<bool> LoginTaken(store::Store& store, std::string_view login, const crdt::RecordKey& except);

// The change that sets the register fields `values` of the user record `key` (other fields are
// left as they are), each write superseding the values `current` holds, so that it replaces
// them rather than standing beside them as a conflict. For `user add` (every field), `user
// disable` ({"disabled", "true"}) and `user passwd` (password_hash and password_changed_at).
// REQUIRES: every name in `values` is a register field of the user type.
store::LocalChange UserChange(const crdt::RecordKey& key,
                              const std::optional<crdt::RecordState>& current,
                              const Fields& values);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_USERS_H_

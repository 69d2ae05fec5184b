#include "programme/users.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <vector>

#include "programme/schema.h"
#include "programme/utf8.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

// HashPassword's costs: libsodium's interactive limits (2 passes, 64 MiB), fit for a 1 GB Pi.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// "中文 / English".
std::string Both(std::string_view zh, std::string_view en) {
  std::string out(zh);
  out += " / ";
  out += en;
  return out;
}

// sodium_init() is thread-safe and returns 1 once already done; -1 only when the library cannot
// work at all (no randomness), which HashPassword reports.
bool SodiumReady() { return sodium_init() >= 0; }

// A NUL-terminated copy of a hash string libsodium may read, or nullopt for one that is not an
// argon2id string of a possible length.
std::optional<std::string> HashString(std::string_view hash) {
  if (!hash.starts_with(kArgon2idPrefix) || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(hash);
}

}  // namespace

Status CheckNewPassword(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument(
        Both("密码过长（最多 " + std::to_string(kMaxPasswordBytes) + " 字节）",
             "the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes"));
  }
  std::vector<char32_t> chars;
  if (!DecodeUtf8(password, &chars)) {
    return InvalidArgument(
        Both("密码含无效字符（不是 UTF-8 文本）", "the password is not valid UTF-8 text"));
  }
  if (chars.size() < kMinPasswordChars) {
    return InvalidArgument(Both("密码太短，至少 " + std::to_string(kMinPasswordChars) + " 个字符",
                                "the password is too short: at least " +
                                    std::to_string(kMinPasswordChars) + " characters"));
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  FULEI_RETURN_IF_ERROR(CheckNewPassword(password));
  if (!SodiumReady()) return Internal(Both("密码库无法初始化", "libsodium failed to initialise"));
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhausted(
        Both("内存不足，无法计算密码摘要", "not enough memory to hash the password (argon2id, " +
                                               std::to_string(kMemLimit >> 20) + " MiB)"));
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::optional<std::string> h = HashString(hash);
  if (!h || password.size() > kMaxPasswordBytes || !SodiumReady()) return false;
  return crypto_pwhash_str_verify(h->c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view hash) {
  std::optional<std::string> h = HashString(hash);
  if (!h || !SodiumReady()) return true;
  return crypto_pwhash_str_needs_rehash(h->c_str(), kOpsLimit, kMemLimit) != 0;
}

Status ValidateLogin(std::string_view login) {
  bool ok = login.size() >= 3 && login.size() <= 32;
  for (char c : login) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return InvalidArgument(
        Both("登录名应为 3 至 32 个小写字母、数字或 . _ -", "a login is 3..32 of a-z 0-9 . _ -"));
  }
  return Status::Ok();
}

std::string UserId(std::string_view login) {
  static constexpr std::string_view kDomain = "fulei user id v1";
  std::array<unsigned char, 8> digest{};
  // BLAKE2b keyed with a fixed domain string: an id is an opaque name for the login, not a
  // secret (anyone can compute it from a login).
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(login.data()), login.size(),
                     reinterpret_cast<const unsigned char*>(kDomain.data()), kDomain.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "u-";
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

Result<crdt::RecordKey> UserKey(std::string_view login, std::string_view unit) {
  FULEI_RETURN_IF_ERROR(ValidateLogin(login));
  const RecordTypeSpec* spec = FindRecordType(kUser);
  Status u = ValidateValue(*spec->Find("unit"), unit, Date{2000, 1, 1});
  if (!u.ok()) {
    return InvalidArgument(Both("不是有效的单位路径", std::string(u.message())));
  }
  return crdt::RecordKey{std::string(unit), std::string(kUser), UserId(login)};
}

Result<UserAccount> ReadUserAccount(const crdt::RecordKey& key, const Fields& fields) {
  if (key.type != kUser) {
    return InvalidArgument(Both("不是用户记录", key.ToString() + " is not a user record"));
  }
  UserAccount a;
  a.key = key;
  a.login = std::string(OneOr(fields, "login"));
  FULEI_RETURN_IF_ERROR(ValidateLogin(a.login));
  auto role = ParseRole(OneOr(fields, "role"));
  if (!role.ok()) {
    return InvalidArgument(Both("用户记录的角色无法识别", std::string(role.status().message())));
  }
  a.role = *role;
  a.display_name = std::string(OneOr(fields, "display_name"));
  a.unit = std::string(OneOr(fields, "unit"));
  a.helper = std::string(OneOr(fields, "helper"));
  a.password_hash = std::string(OneOr(fields, "password_hash"));
  a.disabled = OneOr(fields, "disabled") == "true";
  a.password_changed_at = std::string(OneOr(fields, "password_changed_at"));
  return a;
}

Viewer ViewerFor(const UserAccount& account) {
  return Viewer(account.role, account.unit,
                account.role == Role::kCaringParent ? account.helper : account.key.id);
}

Result<std::optional<UserAccount>> FindUser(store::Store& store, std::string_view login) {
  const std::string id = UserId(login);
  std::optional<crdt::RecordKey> found;
  std::optional<Fields> found_fields;
  size_t matches = 0;
  FULEI_RETURN_IF_ERROR(
      store.ForEach(kUser, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        if (key.id != id) return true;
        std::optional<Fields> f = ReadFields(state);
        if (!f || OneOr(*f, "login") != login) return true;
        if (++matches == 1) {
          found = key;
          found_fields = std::move(f);
        }
        return true;
      }));
  if (matches == 0) return std::optional<UserAccount>();
  if (matches > 1) {
    return FailedPrecondition(Both(
        "登录名" + std::string(login) + "对应 " + std::to_string(matches) +
            " 个账户，请管理员删除多余的账户",
        "login '" + std::string(login) + "' is held by " + std::to_string(matches) + " accounts"));
  }
  FULEI_ASSIGN_OR_RETURN(UserAccount a, ReadUserAccount(*found, *found_fields));
  return std::optional<UserAccount>(std::move(a));
}

Result<bool> LoginTaken(store::Store& store, std::string_view login,
                        const crdt::RecordKey& except) {
  bool taken = false;
  FULEI_RETURN_IF_ERROR(
      store.ForEach(kUser, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        if (key == except) return true;
        std::optional<Fields> f = ReadFields(state);
        taken = f && OneOr(*f, "login") == login;
        return !taken;
      }));
  return taken;
}

store::LocalChange UserChange(const crdt::RecordKey& key,
                              const std::optional<crdt::RecordState>& current,
                              const Fields& values) {
  store::LocalChange change;
  change.key = key;
  for (const auto& [name, vals] : values) {
    for (const std::string& v : vals) {
      crdt::FieldWrite w;
      w.field = name;
      w.kind = crdt::WriteKind::kSet;
      w.value = v;
      if (current) {
        if (const crdt::FieldState* f = current->Field(name)) {
          for (const crdt::Entry* e : f->values()) w.supersedes.push_back(e->id);
        }
      }
      change.writes.push_back(std::move(w));
    }
  }
  return change;
}

}  // namespace fulei::programme

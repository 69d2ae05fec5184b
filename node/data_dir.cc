#include "node/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>

namespace fulei::node {
namespace fs = std::filesystem;

fs::path DataDir::kek() const {
  if (const char* env = std::getenv("FULEI_KEK_FILE"); env != nullptr && *env != '\0') return env;
  return dir_ / "node.kek";
}

bool DataDir::initialised() const {
  std::error_code ec;
  return fs::exists(dir_ / crypto::kIdentityFileName, ec) || fs::exists(config(), ec);
}

Result<crypto::KeyProtection> DataDir::Protection() const {
  FULEI_ASSIGN_OR_RETURN(crypto::Secret<32> key, crypto::ReadKeyFile(kek()));
  return crypto::KeyProtection::KeyFile(std::move(key));
}

Status DataDir::Create(const crypto::NodeIdentity& identity, const crypto::CertChain& chain,
                       const crypto::SigningPublicKey& root, std::string_view config_text,
                       crypto::Random& random) const {
  if (initialised()) {
    return AlreadyExists(dir_.string() + " 已有节点 / already holds a node (fulei.toml or " +
                         crypto::kIdentityFileName + ")");
  }
  std::error_code ec;
  const bool made_dir = fs::create_directories(dir_, ec);
  if (ec) return IoError("cannot create " + dir_.string() + ": " + ec.message());
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  std::vector<fs::path> written;
  auto attempt = [&]() -> Status {
    const bool own_kek = !std::getenv("FULEI_KEK_FILE") || !fs::exists(kek());
    if (own_kek) {
      FULEI_RETURN_IF_ERROR(crypto::CreateKeyFile(kek(), random));
      written.push_back(kek());
    }
    FULEI_ASSIGN_OR_RETURN(crypto::KeyProtection protection, Protection());
    FULEI_RETURN_IF_ERROR(identity.Save(dir_, protection, random));
    written.push_back(dir_ / crypto::kIdentityFileName);
    crypto::KeyRing ring = crypto::KeyRing::Create(random);
    FULEI_RETURN_IF_ERROR(ring.Save(dir_, protection, random));
    written.push_back(dir_ / "data.keys");
    FULEI_RETURN_IF_ERROR(crypto::WritePrivateFile(this->chain(), crypto::EncodeChain(chain),
                                                   crypto::WriteMode::kCreateNew));
    written.push_back(this->chain());
    const std::string root_hex =
        ToHex(std::string_view(reinterpret_cast<const char*>(root.data()), root.size())) + "\n";
    FULEI_RETURN_IF_ERROR(
        crypto::WritePrivateFile(root_public(), root_hex, crypto::WriteMode::kCreateNew));
    written.push_back(root_public());
    // The config last: its presence marks a node that is complete.
    FULEI_RETURN_IF_ERROR(
        crypto::WritePrivateFile(config(), config_text, crypto::WriteMode::kCreateNew));
    return Status::Ok();
  };
  Status st = attempt();
  if (!st.ok()) {
    for (const fs::path& p : written) fs::remove(p, ec);
    if (made_dir) fs::remove(dir_, ec);
  }
  return st;
}

Result<DataDir::Files> DataDir::Load() const {
  std::error_code ec;
  if (!fs::exists(dir_ / crypto::kIdentityFileName, ec)) {
    return NotFound(dir_.string() +
                    " 中没有节点 / holds no node: run `fulei init` or `fulei join`");
  }
  FULEI_ASSIGN_OR_RETURN(crypto::KeyProtection protection, Protection());
  FULEI_ASSIGN_OR_RETURN(crypto::NodeIdentity identity,
                         crypto::NodeIdentity::Load(dir_, protection));
  FULEI_ASSIGN_OR_RETURN(crypto::KeyRing ring, crypto::KeyRing::Load(dir_, protection));
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString chain_bytes,
                         crypto::ReadPrivateFile(this->chain(), 64 * 1024));
  FULEI_ASSIGN_OR_RETURN(crypto::CertChain chain, crypto::DecodeChain(chain_bytes.view()));
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString root_text,
                         crypto::ReadPrivateFile(root_public(), 1024));
  std::string_view hex = root_text.view();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.remove_suffix(1);
  auto root_bytes = FromHex(hex);
  Files files{std::move(identity), std::move(chain), {}, std::move(ring)};
  if (!root_bytes.ok() || root_bytes->size() != files.root.size()) {
    return Corruption(root_public().string() + ": not 64 hex digits");
  }
  std::memcpy(files.root.data(), root_bytes->data(), files.root.size());
  if (files.chain.empty() || files.chain.front().node_id != files.identity.node_id()) {
    return Corruption(this->chain().string() + ": the certificate is not this node's");
  }
  return files;
}

Status DataDir::SaveRing(const crypto::KeyRing& ring, crypto::Random& random) const {
  FULEI_ASSIGN_OR_RETURN(crypto::KeyProtection protection, Protection());
  return ring.Save(dir_, protection, random);
}

Result<DirLock> DirLock::Acquire(const DataDir& dir) {
  const int fd = ::open(dir.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return IoError("cannot open " + dir.lock().string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPrecondition("另一个 fulei 进程正在使用 " + dir.dir().string() +
                              " / another fulei process uses this data directory");
  }
  return DirLock(fd);
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

namespace {

Result<crypto::SecretString> ReadLine(bool echo_off, std::string_view prompt) {
  termios old{};
  const bool tty = echo_off && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    std::cerr << prompt << std::flush;
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  crypto::SecretString line;
  char c = 0;
  bool any = false;
  while (::read(STDIN_FILENO, &c, 1) == 1) {
    any = true;
    if (c == '\n') break;
    if (c != '\r') line.Append(std::string_view(&c, 1));
  }
  c = 0;
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!any) return InvalidArgument("no passphrase on stdin");
  return line;
}

}  // namespace

Result<crypto::SecretString> ReadPassphrase(std::string_view prompt, bool confirm) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  FULEI_ASSIGN_OR_RETURN(crypto::SecretString first, ReadLine(tty, prompt));
  if (first.size() == 0) return InvalidArgument("口令不能为空 / the passphrase is empty");
  if (confirm && tty) {
    FULEI_ASSIGN_OR_RETURN(crypto::SecretString again, ReadLine(tty, "再输入一次 / again: "));
    if (again.view() != first.view()) {
      return InvalidArgument("两次输入的口令不同 / the passphrases differ");
    }
  }
  return first;
}

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgument("odd number of hex digits");
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("not a hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace fulei::node

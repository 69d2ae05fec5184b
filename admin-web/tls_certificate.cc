#include "admin-web/tls_certificate.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace fulei::web {
namespace {

// Owners of OpenSSL objects.
struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
  void operator()(ASN1_IA5STRING* p) const { ASN1_IA5STRING_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

// The newest OpenSSL error, for a message.
std::string OpenSslError(std::string_view what) {
  const unsigned long e = ERR_get_error();
  char text[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, text, sizeof text);
  ERR_clear_error();
  return "OpenSSL " + std::string(what) + ": " + text;
}

// A host name as a DNS SAN accepts it: labels of [A-Za-z0-9-], dot separated.
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  char previous = '.';
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

bool AddDns(GENERAL_NAMES* names, std::string_view dns) {
  Owned<ASN1_IA5STRING> text(ASN1_IA5STRING_new());
  Owned<GENERAL_NAME> name(GENERAL_NAME_new());
  if (!text || !name ||
      ASN1_STRING_set(text.get(), dns.data(), static_cast<int>(dns.size())) != 1) {
    return false;
  }
  GENERAL_NAME_set0_value(name.get(), GEN_DNS, text.release());
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return false;
  name.release();
  return true;
}

// `ip` as an IP SAN; false when it is not an IP literal.
bool AddIp(GENERAL_NAMES* names, const std::string& ip) {
  ASN1_OCTET_STRING* bytes = a2i_IPADDRESS(ip.c_str());
  if (bytes == nullptr) {
    ERR_clear_error();
    return false;
  }
  Owned<GENERAL_NAME> name(GENERAL_NAME_new());
  if (!name) {
    ASN1_OCTET_STRING_free(bytes);
    return false;
  }
  GENERAL_NAME_set0_value(name.get(), GEN_IPADD, bytes);
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) return false;
  name.release();
  return true;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Writes `text` to `path` with mode 0600 through a temporary file and a rename.
Status WritePrivate(const std::string& path, std::string_view text) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError("cannot write " + temp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int err = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(ok ? errno : err);
    ::unlink(temp.c_str());
    return IoError("cannot write " + path + ": " + why);
  }
  return Status::Ok();
}

// The PEM text an OpenSSL writer puts into a memory BIO.
template <class Write>
Result<std::string> ToPem(Write write) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) return Internal(OpenSslError("PEM"));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Status MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                 std::string_view common_name, int days) {
  if (common_name.empty() || common_name.size() > 64) {
    return InvalidArgument("certificate common name must be 1 to 64 bytes");
  }
  if (days < 1) return InvalidArgument("certificate validity must be at least a day");
  const std::string cn(common_name);

  Owned<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return Internal(OpenSslError("P-256 key"));
  Owned<X509> cert(X509_new());
  Owned<BIGNUM> serial(BN_new());
  if (!cert || !serial) return Internal(OpenSslError("X509_new"));
  // A random positive 127-bit serial number (RFC 5280: positive, at most 20 octets).
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) == nullptr ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return Internal(OpenSslError("certificate fields"));
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("fulei"), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1) {
    return Internal(OpenSslError("certificate name"));
  }

  Owned<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  bool ok = names && AddDns(names.get(), "localhost") && AddIp(names.get(), "127.0.0.1");
  if (ok && cn != "localhost" && cn != "127.0.0.1" && !AddIp(names.get(), cn) && IsHostName(cn)) {
    ok = AddDns(names.get(), cn);
  }
  ok = ok &&
       X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
  ok = ok && AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
       AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
       AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") &&
       AddExtension(cert.get(), NID_subject_key_identifier, "hash");
  if (!ok) return Internal(OpenSslError("certificate extensions"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return Internal(OpenSslError("certificate signature"));
  }

  FULEI_ASSIGN_OR_RETURN(std::string key_pem, ToPem([&](BIO* bio) {
                           return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0,
                                                           nullptr, nullptr) == 1;
                         }));
  FULEI_ASSIGN_OR_RETURN(std::string cert_pem,
                         ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()) == 1; }));
  Status written = WritePrivate(key_path, key_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  FULEI_RETURN_IF_ERROR(written);
  Status cert_written = WritePrivate(cert_path, cert_pem);
  if (!cert_written.ok()) ::unlink(key_path.c_str());  // never a key without its certificate
  return cert_written;
}

Result<std::string> CertificateFingerprint(const std::string& cert_path) {
  FILE* file = std::fopen(cert_path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    if (err == ENOENT) return NotFound(cert_path + ": no such file");
    return IoError("cannot read " + cert_path + ": " + std::strerror(err));
  }
  Owned<X509> cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  if (!cert) {
    ERR_clear_error();
    return InvalidArgument(cert_path + ": not a PEM certificate");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &size) != 1) {
    return Internal(OpenSslError("certificate digest"));
  }
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i != 0) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace fulei::web

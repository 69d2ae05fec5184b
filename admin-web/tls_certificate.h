// The admin web's self-signed TLS certificate, which `fulei init` and `fulei join` make in the
// data directory (web-cert.pem, web-key.pem) when a node serves an admin web. Browsers warn
// about a self-signed certificate; the person who installs the node compares the fingerprint
// that init printed with the one the browser shows, once, and keeps the exception.
//
// Thread-safe (OpenSSL 3 is); blocking file I/O.
#ifndef FULEI_ADMIN_WEB_TLS_CERTIFICATE_H_
#define FULEI_ADMIN_WEB_TLS_CERTIFICATE_H_

#include <string>
#include <string_view>

#include "crdt/status.h"

namespace fulei::web {

// Writes a new ECDSA P-256 private key (PKCS#8 PEM, mode 0600) to `key_path` and a self-signed
// X.509 v3 certificate for it (PEM, mode 0600) to `cert_path`, valid from an hour ago for `days`
// days: subject CN = `common_name`, SAN DNS:localhost and IP:127.0.0.1, plus `common_name` as
// an IP or DNS name when it is one (a unit such as "jinjiang/cizao" is neither and stays in the
// CN only); CA:FALSE, key usage digitalSignature, extended key usage serverAuth. Existing
// files are replaced (each file is written to a temporary name and renamed).
// kInvalidArgument: common_name empty or over 64 bytes, or days < 1. kIoError: a file cannot be
// written. kInternal: OpenSSL failed.
Status MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                 std::string_view common_name, int days);

// The SHA-256 fingerprint of the first certificate in the PEM file `cert_path` (of its DER
// encoding), as browsers show it: 32 upper-case hex pairs joined by ':' ("AB:CD:...").
// kNotFound: no such file. kInvalidArgument: the file holds no PEM certificate.
Result<std::string> CertificateFingerprint(const std::string& cert_path);

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_TLS_CERTIFICATE_H_

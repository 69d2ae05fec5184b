// The embedded UI (admin-web/ui, built by Vite and compiled into the binary: assets.h) as HTTP
// answers: "/" is index.html, "/assets/..." the hashed bundle files (cached for a year), any
// other path outside the API the index again (the UI routes in the URL's hash). Files are kept
// gzip-compressed; a client that does not accept gzip gets them inflated. ETag and
// If-None-Match give 304. Thread-safe (reads constant data).
#ifndef FULEI_ADMIN_WEB_STATIC_FILES_H_
#define FULEI_ADMIN_WEB_STATIC_FILES_H_

#include "admin-web/http_types.h"

namespace fulei::web {

Response ServeStaticFile(const Request& request);

// Bytes of the embedded UI: uncompressed and as stored (gzip).
size_t EmbeddedUiBytes();
size_t EmbeddedUiGzipBytes();

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_STATIC_FILES_H_

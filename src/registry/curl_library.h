// CurlLibrary: libcurl loaded on first use, so commands that never download skip its ~26 libs.
#pragma once

#include <curl/curl.h>

#include "base/error.h"

namespace builder::registry {

/// The libcurl entry points builder uses, resolved from libcurl.so.4 with dlopen. Linking
/// libcurl made every builder process pay ~3 ms of dynamic loading (half of `builder
/// --version`) for a library only ADD <url> and import from a URL need.
struct CurlLibrary {
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);  ///< request headers (registry client)
  void (*slist_free_all)(curl_slist*);
};

/// Loads and initializes (curl_global_init) libcurl once per process; later calls return the
/// same table. Thread-safe. kUnsupported, naming the library and the dlopen/dlsym error, when
/// libcurl.so.4 (Debian: libcurl4) is missing or lacks a symbol; kInternal when its global
/// initialization fails.
[[nodiscard]] Result<const CurlLibrary*> LoadCurl();

}  // namespace builder::registry

// Resolving libcurl's easy interface with dlopen/dlsym, once per process.
#include "registry/curl_library.h"

#include <dlfcn.h>

#include <string>

namespace builder::registry {
namespace {

constexpr const char* kSoname = "libcurl.so.4";

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn*& out, std::string& missing) {
  out = reinterpret_cast<Fn*>(::dlsym(handle, name));
  if (out == nullptr && missing.empty()) missing = name;
  return out != nullptr;
}

Result<const CurlLibrary*> LoadOnce() {
  // Never dlclose'd: libcurl keeps global state for the life of the process.
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Fail(ErrorCode::kUnsupported, std::string("downloads need ") + kSoname +
                                             " (Debian package libcurl4): " + (why ? why : "not found"));
  }
  static CurlLibrary lib;
  CURLcode (*global_init)(long) = nullptr;
  std::string missing;
  Resolve(handle, "curl_global_init", global_init, missing);
  Resolve(handle, "curl_easy_init", lib.easy_init, missing);
  Resolve(handle, "curl_easy_cleanup", lib.easy_cleanup, missing);
  Resolve(handle, "curl_easy_setopt", lib.easy_setopt, missing);
  Resolve(handle, "curl_easy_perform", lib.easy_perform, missing);
  Resolve(handle, "curl_easy_getinfo", lib.easy_getinfo, missing);
  Resolve(handle, "curl_easy_strerror", lib.easy_strerror, missing);
  Resolve(handle, "curl_slist_append", lib.slist_append, missing);
  Resolve(handle, "curl_slist_free_all", lib.slist_free_all, missing);
  if (!missing.empty())
    return Fail(ErrorCode::kUnsupported, std::string(kSoname) + " has no " + missing);
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return Fail(ErrorCode::kInternal, "curl_global_init failed");
  return &lib;
}

}  // namespace

Result<const CurlLibrary*> LoadCurl() {
  static const Result<const CurlLibrary*> loaded = LoadOnce();
  return loaded;
}

}  // namespace builder::registry

// A scoped per-thread UTF-8 locale, so libarchive's name conversions do not depend on the
// process locale (in "C" it cannot convert non-ASCII names and the pax writer crashes).
#pragma once

#include <locale.h>

namespace builder::oci {

/// Switches the calling thread to C.UTF-8 (LC_CTYPE) for its lifetime. If that locale is
/// missing, the thread's locale is left alone; non-ASCII names then fail to convert.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale();
  ~ScopedUtf8Locale();
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

 private:
  locale_t utf8_ = static_cast<locale_t>(0);
  locale_t previous_ = static_cast<locale_t>(0);
};

}  // namespace builder::oci

// ScopedUtf8Locale via newlocale/uselocale (thread-local, unlike setlocale).
#include "oci/tar_locale.h"

namespace builder::oci {

ScopedUtf8Locale::ScopedUtf8Locale() {
  utf8_ = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (utf8_) previous_ = uselocale(utf8_);
}

ScopedUtf8Locale::~ScopedUtf8Locale() {
  if (!utf8_) return;
  uselocale(previous_);
  freelocale(utf8_);
}

}  // namespace builder::oci

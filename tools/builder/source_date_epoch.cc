// SOURCE_DATE_EPOCH parsing shared by `build` and `import`.
#include "source_date_epoch.h"

#include <cerrno>
#include <cstdlib>

namespace builder::cli {

Result<std::optional<std::int64_t>> SourceDateEpoch(const std::map<std::string, std::string>& build_args) {
  std::string value;
  if (auto it = build_args.find("SOURCE_DATE_EPOCH"); it != build_args.end()) {
    value = it->second;
  } else if (const char* env = std::getenv("SOURCE_DATE_EPOCH")) {
    value = env;
  }
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < 0 || value[0] == '-' || value[0] == '+' || value[0] == ' ')
    return Fail(ErrorCode::kInvalidArgument,
                "invalid SOURCE_DATE_EPOCH: " + value + " (want seconds since 1970)");
  return std::optional<std::int64_t>(v);
}

}  // namespace builder::cli

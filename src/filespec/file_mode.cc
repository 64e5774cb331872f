// --chmod validation. Digits-only values must be octal; anything else must be symbolic.
#include "filespec/file_mode.h"

namespace builder::filespec {

namespace {

bool IsSymbolicClause(std::string_view c) {
  std::size_t i = 0;
  while (i < c.size() && std::string_view("ugoa").find(c[i]) != std::string_view::npos) ++i;
  if (i == c.size()) return false;  // a clause needs at least one operator
  while (i < c.size()) {
    if (std::string_view("+-=").find(c[i]) == std::string_view::npos) return false;
    ++i;
    // Either permission letters or a single copy-from class.
    if (i < c.size() && std::string_view("ugo").find(c[i]) != std::string_view::npos) {
      ++i;
      continue;
    }
    while (i < c.size() && std::string_view("rwxXst").find(c[i]) != std::string_view::npos) ++i;
  }
  return true;
}

}  // namespace

Result<ChmodSpec> ParseChmod(std::string_view value) {
  auto invalid = [&] {
    return Fail(ErrorCode::kParse, "invalid chmod parameter: '" + std::string(value) +
                                       "'. it should be octal string and between 0 and 07777");
  };
  if (value.empty()) return invalid();
  bool all_digits = value.find_first_not_of("0123456789") == std::string_view::npos;
  if (all_digits) {
    std::uint64_t mode = 0;
    for (char c : value) {
      if (c > '7') return invalid();
      mode = mode * 8 + static_cast<std::uint64_t>(c - '0');
      if (mode > 07777) return invalid();
    }
    return ChmodSpec{static_cast<std::uint32_t>(mode), ""};
  }
  std::size_t start = 0;
  while (true) {
    std::size_t comma = value.find(',', start);
    std::string_view clause =
        value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
    if (!IsSymbolicClause(clause)) return invalid();
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ChmodSpec{std::nullopt, std::string(value)};
}

}  // namespace builder::filespec

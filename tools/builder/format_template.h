// A tiny subset of Go templates for --format: {{.Field}} substitution and \t, \n escapes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace builder::cli {

/// A parsed --format template. Supported: literal text, `{{.Field}}` (spaces inside the braces
/// allowed), `{{json .Field}}` (the value as a JSON string), and the escapes `\t` and `\n`
/// (docker's CLI users write them literally). A leading "table " (or "table" alone) asks for
/// a header row and aligned columns. Anything else inside `{{ }}` is kInvalidArgument, as is
/// a field the command does not provide.
class FormatTemplate {
 public:
  [[nodiscard]] static Result<FormatTemplate> Parse(std::string_view text,
                                                    const std::vector<std::string>& fields);

  bool table() const { return table_; }
  /// The output for one row (no trailing newline).
  std::string Render(const std::map<std::string, std::string>& values) const;
  /// The header line for table mode: each field replaced by headers[field] (or its name
  /// upper-cased), literal text kept.
  std::string Header(const std::map<std::string, std::string>& headers) const;

 private:
  struct Piece {
    std::string text;   ///< literal text, or the field name
    bool field = false;
    bool json = false;
  };
  std::vector<Piece> pieces_;
  bool table_ = false;
};

}  // namespace builder::cli

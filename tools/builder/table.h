// TabWriter: column alignment as docker's table output does it (Go text/tabwriter 10, 1, 3).
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "format_template.h"

namespace builder::cli {

/// Collects rows of cells and prints them aligned: every cell but the last of a row is padded
/// to its column's width, max(min_width, widest cell + padding), counted in code points. This
/// is Go's tabwriter.NewWriter(out, 10, 1, 3, ' ', 0), which docker uses for its tables.
class TabWriter {
 public:
  TabWriter() = default;
  /// Another minimum column width (docker top uses 20).
  explicit TabWriter(std::size_t min_width) : min_width_(min_width) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const;

 private:
  static constexpr std::size_t kMinWidth = 10;
  static constexpr std::size_t kPadding = 3;
  std::size_t min_width_ = kMinWidth;
  std::vector<std::vector<std::string>> rows_;
};

/// Each row through `tmpl`, one line each; in table mode a header line first and the columns
/// (split at tabs) aligned by a TabWriter.
void PrintTemplated(const FormatTemplate& tmpl,
                    const std::vector<std::map<std::string, std::string>>& rows,
                    const std::map<std::string, std::string>& headers, std::ostream& out);

/// --format output of a listing: "json" prints each row as a JSON object line; anything else
/// is a template (see FormatTemplate) over `fields`, printed by PrintTemplated.
[[nodiscard]] Result<void> PrintRows(const std::string& format, const std::vector<std::string>& fields,
                                     const std::vector<std::map<std::string, std::string>>& rows,
                                     const std::map<std::string, std::string>& headers, std::ostream& out);

/// Code points in UTF-8 text (the display width tabwriter assumes).
std::size_t TextWidth(const std::string& s);

}  // namespace builder::cli

// TabWriter: column alignment as docker's table output does it (Go text/tabwriter 10, 1, 3).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace builder::cli {

/// Collects rows of cells and prints them aligned: every cell but the last of a row is padded
/// to its column's width, max(min_width, widest cell + padding), counted in code points. This
/// is Go's tabwriter.NewWriter(out, 10, 1, 3, ' ', 0), which docker uses for its tables.
class TabWriter {
 public:
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const;

 private:
  static constexpr std::size_t kMinWidth = 10;
  static constexpr std::size_t kPadding = 3;
  std::vector<std::vector<std::string>> rows_;
};

/// Code points in UTF-8 text (the display width tabwriter assumes).
std::size_t TextWidth(const std::string& s);

}  // namespace builder::cli

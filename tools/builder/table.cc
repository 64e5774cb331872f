// Aligned table output for images, history and friends.
#include "table.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace builder::cli {

std::size_t TextWidth(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void TabWriter::Print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, min_width_);
      widths[i] = std::max(widths[i], TextWidth(row[i]) + kPadding);
    }
  }
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - TextWidth(row[i]), ' ');
    }
    out << '\n';
  }
}

void PrintTemplated(const FormatTemplate& tmpl,
                    const std::vector<std::map<std::string, std::string>>& rows,
                    const std::map<std::string, std::string>& headers, std::ostream& out) {
  if (!tmpl.table()) {
    for (const auto& row : rows) out << tmpl.Render(row) << '\n';
    return;
  }
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cells.push_back(line.substr(start, tab - start));
    }
    cells.push_back(line.substr(start));
    return cells;
  };
  TabWriter table;
  table.AddRow(split(tmpl.Header(headers)));
  for (const auto& row : rows) table.AddRow(split(tmpl.Render(row)));
  table.Print(out);
}

Result<void> PrintRows(const std::string& format, const std::vector<std::string>& fields,
                       const std::vector<std::map<std::string, std::string>>& rows,
                       const std::map<std::string, std::string>& headers, std::ostream& out) {
  if (format == "json") {
    for (const auto& row : rows) out << nlohmann::json(row).dump() << '\n';
    return {};
  }
  FormatTemplate tmpl = BUILDER_TRY(FormatTemplate::Parse(format, fields));
  PrintTemplated(tmpl, rows, headers, out);
  return {};
}

}  // namespace builder::cli

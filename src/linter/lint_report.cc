// buildx's printing of lint results (commands/build.go printResult, lint.PrintTo,
// errdefs.Source.Print, printWarnings).
#include "linter/lint_report.h"

#include <algorithm>
#include <cstdio>

namespace builder::linter {
namespace {

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
}

// errdefs.Source.Print for one range.
void PrintSource(std::string& out, std::string_view filename, const std::vector<std::string_view>& lines,
                 int first, int last) {
  const int n = static_cast<int>(lines.size());
  if (first < 1 || first > n) return;
  int start = first, end = std::min(last, n);
  const int pad = start == end ? 4 : 2;
  for (int p = 0; p < pad;) {
    if (start > 1) {
      --start;
      ++p;
    }
    if (end != n) {
      ++end;
      ++p;
    }
    ++p;
  }
  out += std::string(filename) + ":" + std::to_string(first) + "\n--------------------\n";
  for (int i = start; i <= end; ++i) {
    char num[16];
    std::snprintf(num, sizeof num, " %3d | ", i);
    out += num;
    out += i >= first && i <= last ? ">>>" : "   ";
    out += " ";
    out += lines[static_cast<std::size_t>(i - 1)];
    out += "\n";
  }
  out += "--------------------\n";
}

}  // namespace

std::string FormatCheckReport(const std::vector<Finding>& findings, std::string_view filename,
                              std::string_view source) {
  if (findings.empty()) return "Check complete, no warnings found.\n";
  std::string out = "Check complete, ";
  out += findings.size() == 1 ? std::string("1 warning has been found!")
                              : std::to_string(findings.size()) + " warnings have been found!";
  out += "\n";
  std::vector<Finding> sorted = findings;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding& a, const Finding& b) { return a.start_line < b.start_line; });
  auto lines = SplitLines(source);
  for (const Finding& f : sorted) {
    out += "\nWARNING: " + f.rule;
    if (!f.url.empty()) out += " - " + f.url;
    out += "\n" + f.detail + "\n";
    PrintSource(out, filename, lines, f.start_line, f.end_line);
  }
  return out;
}

std::string FormatBuildWarnings(const std::vector<Finding>& findings) {
  if (findings.empty()) return "";
  std::string out = std::to_string(findings.size()) + (findings.size() == 1 ? " warning" : " warnings") + " found:\n";
  for (const Finding& f : findings) {
    out += " - " + f.rule + ": " + f.detail;
    if (f.start_line > 0) out += " (line " + std::to_string(f.start_line) + ")";
    out += "\n";
  }
  return out;
}

}  // namespace builder::linter

// Check configuration parsing and the finding collector.
#include "linter/linter.h"

#include <algorithm>
#include <optional>

namespace builder::linter {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `all`, or a comma list of rule names.
void ParseRuleList(std::string_view v, bool* all, std::set<std::string>* rules) {
  v = Trim(v);
  if (v == "all") {
    *all = true;
    return;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t comma = v.find(',', start);
    rules->insert(std::string(Trim(v.substr(start, comma == std::string_view::npos ? comma : comma - start))));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

// Go's strconv.ParseBool.
std::optional<bool> ParseGoBool(std::string_view v) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (v == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (v == f) return false;
  return std::nullopt;
}

}  // namespace

Result<LintConfig> ParseLintConfig(std::string_view text) {
  LintConfig config;
  text = Trim(text);
  if (text.empty()) return config;
  auto fail = [](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument, "failed to parse check options: " + why);
  };
  // strings.SplitN(s, ";", 3): a third ';' stays inside the last part.
  std::vector<std::string_view> parts;
  std::string_view rest = text;
  while (parts.size() < 2) {
    std::size_t semi = rest.find(';');
    if (semi == std::string_view::npos) break;
    parts.push_back(rest.substr(0, semi));
    rest.remove_prefix(semi + 1);
  }
  parts.push_back(rest);
  for (std::string_view part : parts) {
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) return fail("invalid check option \"" + std::string(part) + "\"");
    std::string_view key = Trim(part.substr(0, eq)), value = part.substr(eq + 1);
    if (key == "skip") {
      ParseRuleList(value, &config.skip_all, &config.skip);
    } else if (key == "experimental") {
      ParseRuleList(value, &config.experimental_all, &config.experimental);
    } else if (key == "error") {
      auto b = ParseGoBool(Trim(value));
      if (!b)
        return fail("failed to parse check option \"" + std::string(part) + "\": strconv.ParseBool: parsing \"" +
                    std::string(Trim(value)) + "\": invalid syntax");
      config.error = *b;
    } else {
      return fail("invalid check option \"" + std::string(key) + "\"");
    }
  }
  return config;
}

void Linter::Run(const Rule& rule, int start_line, int end_line, std::string detail) {
  std::string name(rule.name);
  if (rule.experimental) {
    if (!config_.experimental_all && !config_.experimental.count(name)) return;
  } else if (config_.skip_all || config_.skip.count(name)) {
    return;
  }
  findings_.push_back({name, std::string(rule.description), std::string(rule.url), std::move(detail),
                       start_line, std::max(start_line, end_line)});
}

Result<void> Linter::Error() const {
  if (!config_.error || findings_.empty()) return {};
  std::set<std::string> names;
  for (const Finding& f : findings_) names.insert(f.rule);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return Fail(ErrorCode::kInvalidArgument, "lint violation found for rules: " + list);
}

}  // namespace builder::linter

// The check configuration (`# check=skip=A,B;error=true;experimental=C`) and the collector
// that applies it to each finding, as BuildKit's linter.Linter does.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "linter/rules.h"

namespace builder::linter {

struct LintConfig {
  bool skip_all = false;
  std::set<std::string> skip;
  bool experimental_all = false;
  std::set<std::string> experimental;
  bool error = false;  ///< warnings fail the build (`error=true`)
};

/// Parses a `check` directive value (or the BUILDKIT_DOCKERFILE_CHECK build arg): up to three
/// `;`-separated `key=value` parts, keys skip (`all` or a comma list), experimental (same) and
/// error (a Go bool: 1, t, T, TRUE, true, True, 0, f, ...). "" gives the defaults. Errors
/// (kInvalidArgument) word for word as BuildKit: `failed to parse check options: invalid check
/// option "x"`.
[[nodiscard]] Result<LintConfig> ParseLintConfig(std::string_view text);

/// One warning: the rule, its message and the Dockerfile lines it points at (1-based, inclusive).
struct Finding {
  std::string rule;
  std::string description;
  std::string url;
  std::string detail;
  int start_line = 0;
  int end_line = 0;
};

/// Collects findings in the order the checks report them, dropping skipped rules and
/// experimental rules not asked for.
class Linter {
 public:
  explicit Linter(LintConfig config) : config_(std::move(config)) {}
  void Run(const Rule& rule, int start_line, int end_line, std::string detail);
  const std::vector<Finding>& findings() const { return findings_; }
  /// With `error=true` and at least one finding: kInvalidArgument "lint violation found for
  /// rules: A, B" (rule names sorted, each once); otherwise success.
  [[nodiscard]] Result<void> Error() const;

 private:
  LintConfig config_;
  std::vector<Finding> findings_;
};

}  // namespace builder::linter

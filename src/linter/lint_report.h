// Printing check results the way buildx does: `build --check`'s report and a build's summary.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "linter/linter.h"

namespace builder::linter {

/// `docker build --check`'s output: "Check complete, N warnings have been found!" (or "Check
/// complete, no warnings found.") and each finding, sorted by line, as "\nWARNING: Rule - URL\n
/// detail\n" plus the source excerpt BuildKit prints (filename:line, the lines around it with
/// `>>>` on the flagged ones). `source` is the Dockerfile's bytes; `filename` names it.
std::string FormatCheckReport(const std::vector<Finding>& findings, std::string_view filename,
                              std::string_view source);

/// The summary at the end of a build: "1 warning found:\n - Rule: detail (line N)\n..." in the
/// order found; "" without findings.
std::string FormatBuildWarnings(const std::vector<Finding>& findings);

}  // namespace builder::linter

// How steps are written for people (progress names, history) and for cache keys (canonical).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "parser/instructions.h"
#include "planner/step.h"

namespace builder::planner {

/// A JSON array of strings, as Docker prints CMD/ENTRYPOINT in history.
std::string JsonArray(const std::vector<std::string>& items);

/// The command as progress shows it: the shell text, the JSON array for the exec form, and a
/// heredoc summarised by its first line.
std::string ShortCommand(const parser::CommandLine& cmd, const std::vector<parser::Heredoc>& docs);

/// BuildKit's RUN history text: "RUN |2 A=1 B=2 /bin/sh -c cmd # buildkit".
std::string RunCreatedBy(const std::vector<std::pair<std::string, std::string>>& args,
                         const std::vector<std::string>& argv, bool shell_form);

/// "src1 src2 /dest" with the flags that change the result.
std::string CopyArgsText(const CopyStep& step);

/// Canonical, unambiguous serialisations (JSON) of everything a step's result depends on,
/// except the content of the files it reads (hashed separately).
std::string CanonicalRun(const RunStep& step,
                         const std::vector<std::pair<std::string, std::string>>& args);
std::string CanonicalCopy(const CopyStep& step);

}  // namespace builder::planner

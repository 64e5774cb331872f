// `builder debug parse --json`: the typed Dockerfile as deterministic JSON.
#pragma once

#include <string>

#include "parser/instructions.h"

namespace builder::parser {

/// Renders `df` as JSON with keys in the fixed order shown below, `indent` spaces per level
/// (-1: one line), ending without a newline. Strings that are not valid UTF-8 have the bad bytes
/// replaced by U+FFFD. Values are raw (unexpanded); absent optionals are null.
///
///   {"directives": {"syntax": s|null, "check": s|null, "escape": "\\"},
///    "warnings": [{"line": n, "col": n, "message": s}],
///    "meta_args": [<arg instruction>],
///    "stages": [{"index": n, "name": s|null, "base": s, "platform": s|null,
///                "range": <range>, "original": s, "instructions": [<instruction>]}]}
///
/// <range> is {"start": {"line": n, "col": n}, "end": {"line": n, "col": n}}. Every
/// <instruction> starts with "kind" (lower-case keyword), "range", "original", then per kind:
///   arg:         "args": [{"key": s, "value": s|null}]
///   env:         "vars": [{"key": s, "value": s}], "legacy_form": b
///   label:       "labels": [{"key": s, "value": s}], "legacy_form": b
///   run:         "command": <command>, "heredocs": [<heredoc>], "mounts": [<mount>],
///                "network": s, "security": s
///   cmd, entrypoint: "command": <command>
///   shell:       "shell": [s]
///   workdir:     "path": s           user: "user": s
///   copy:        <copy>, "from": s, "parents": b
///   add:         <copy>, "checksum": s, "keep_git_dir": b, "unpack": b|null
///   expose:      "ports": [s]
///   volume:      "volumes": [s], "json_form": b
///   healthcheck: "none": b, "command": <command>, "interval_ns", "timeout_ns",
///                "start_period_ns", "start_interval_ns": n|null, "retries": n|null
///   stopsignal:  "signal": s         maintainer: "maintainer": s
///   onbuild:     "expression": s, "trigger": <instruction>
/// <command> is {"args": [s], "exec_form": b}; <heredoc> is {"name": s, "content": s,
/// "expand": b, "chomp": b, "fd": n} (fd -1 when none; COPY/ADD heredocs have no "fd");
/// <copy> is "sources": [s], "heredocs": [<heredoc>], "dest": s, "json_form": b, "chown": s,
/// "chmod": s, "link": b, "excludes": [s]; <mount> is {"type", "from", "source", "target": s,
/// "read_only": b, "required": b, "id", "sharing", "mode", "uid", "gid", "size", "env": s}
/// ("" when not given).
std::string DumpInstructionsJson(const Dockerfile& df, int indent = 2);

}  // namespace builder::parser

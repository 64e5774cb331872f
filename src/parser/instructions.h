// Typed Dockerfile instructions: what ParseInstructions makes of the lexer's Ast, flags
// validated, values still raw (the planner expands variables later).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/error.h"
#include "parser/ast.h"
#include "parser/duration.h"
#include "parser/mount_spec.h"

namespace builder::parser {

/// What every instruction carries: where it is and its text (continuations joined).
struct InstructionBase {
  SourceRange range;
  std::string original;
};

/// RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD command: exec form keeps the JSON elements; shell form is
/// one string (the rest of the line) that the planner wraps in the stage's SHELL.
struct CommandLine {
  std::vector<std::string> args;
  bool exec_form = false;  ///< JSON array given (BuildKit: !PrependShell)
};

/// A `key=value` of ENV or LABEL; both sides raw (quotes and escapes as written).
struct KeyValue {
  std::string key;
  std::string value;
};

/// One ARG name with its optional default (raw).
struct ArgDecl {
  std::string key;
  std::optional<std::string> value;
};

struct ArgInst : InstructionBase {
  std::vector<ArgDecl> args;
};

struct EnvInst : InstructionBase {
  std::vector<KeyValue> vars;
  bool legacy_form = false;  ///< `ENV key value` (no '='), a single pair
};

struct LabelInst : InstructionBase {
  std::vector<KeyValue> labels;
  bool legacy_form = false;
};

struct RunInst : InstructionBase {
  CommandLine command;
  std::vector<Heredoc> heredocs;  ///< bodies as lexed (tabs kept even when chomp is set)
  std::vector<MountSpec> mounts;
  std::string network = "default";   ///< default, none, host
  std::string security = "sandbox";  ///< sandbox, insecure
};

struct CmdInst : InstructionBase {
  CommandLine command;
};

struct EntrypointInst : InstructionBase {
  CommandLine command;
};

struct ShellInst : InstructionBase {
  std::vector<std::string> shell;  ///< never empty
};

struct WorkdirInst : InstructionBase {
  std::string path;
};

struct UserInst : InstructionBase {
  std::string user;
};

/// A COPY/ADD source given as a heredoc: a file named `name` with the body as content.
struct HeredocSource {
  std::string name;
  std::string content;  ///< as lexed; tabs not yet stripped when chomp is set
  bool expand = true;
  bool chomp = false;
};

/// What COPY and ADD share.
struct CopyBase : InstructionBase {
  std::vector<std::string> sources;     ///< paths (and for ADD, URLs), in order
  std::vector<HeredocSource> heredocs;  ///< `<<EOF` sources, in order
  std::string dest;
  bool json_form = false;
  std::string chown;  ///< "" when not given
  std::string chmod;  ///< "" when not given; validated unless it has '$'
  bool link = false;
  std::vector<std::string> excludes;  ///< --exclude patterns, in order
};

struct CopyInst : CopyBase {
  std::string from;      ///< --from stage name, index or image; "" for the build context
  bool parents = false;  ///< --parents
};

struct AddInst : CopyBase {
  std::string checksum;        ///< --checksum
  bool keep_git_dir = false;   ///< --keep-git-dir
  std::optional<bool> unpack;  ///< --unpack, when given
};

struct ExposeInst : InstructionBase {
  std::vector<std::string> ports;  ///< raw words, in source order
};

struct VolumeInst : InstructionBase {
  std::vector<std::string> volumes;
  bool json_form = false;
};

struct HealthcheckInst : InstructionBase {
  bool none = false;    ///< HEALTHCHECK NONE: disable the base image's check
  CommandLine command;  ///< CMD's command; empty for NONE
  std::optional<DurationNs> interval, timeout, start_period, start_interval;  ///< when given
  std::optional<int> retries;
};

struct StopsignalInst : InstructionBase {
  std::string signal;  ///< raw; validated (ParseStopSignal) unless it holds a '$'
};

struct MaintainerInst : InstructionBase {
  std::string maintainer;
};

struct Instruction;

/// ONBUILD: the trigger text as stored in the image config, and the trigger parsed.
struct OnbuildInst : InstructionBase {
  std::string expression;            ///< the text after ONBUILD (heredoc bodies appended)
  std::vector<Instruction> trigger;  ///< exactly one element
};

using InstructionVariant =
    std::variant<ArgInst, EnvInst, LabelInst, RunInst, CmdInst, EntrypointInst, ShellInst,
                 WorkdirInst, UserInst, CopyInst, AddInst, ExposeInst, VolumeInst, HealthcheckInst,
                 StopsignalInst, OnbuildInst, MaintainerInst>;

/// One instruction inside a stage. A std::variant (std::visit/std::get work on it directly);
/// a named type so ONBUILD can hold one.
struct Instruction : InstructionVariant {
  using InstructionVariant::InstructionVariant;
};

/// The instruction's keyword in lower case ("run", "copy", ...).
const char* InstructionKind(const Instruction& inst);
/// The instruction's common part (range and original text).
const InstructionBase& InstructionHeader(const Instruction& inst);

/// One FROM and the instructions up to the next FROM.
struct Stage {
  std::string name;                     ///< `AS name`, lower-cased; "" when unnamed
  std::string base;                     ///< image or earlier stage, raw
  std::optional<std::string> platform;  ///< --platform, raw
  SourceRange range;                    ///< of the FROM instruction
  std::string original;                 ///< the FROM text
  std::vector<Instruction> instructions;
};

/// A whole Dockerfile, typed.
struct Dockerfile {
  std::string file;  ///< name used in error messages
  Directives directives;
  std::vector<ArgInst> meta_args;  ///< ARGs before the first FROM
  std::vector<Stage> stages;
  std::vector<Warning> warnings;  ///< carried over from the Ast
};

/// Turns the lexer's Ast into typed instructions, checking everything BuildKit's instruction
/// parser checks, plus EXPOSE, STOPSIGNAL, --chmod and --mount values that hold no variable
/// (BuildKit checks those only at dispatch). Every error is located with ast.ErrorAt: at the
/// offending flag, the offending argument, or the keyword. Fails on the first error. Values are
/// kept raw: no variable expansion, no quote removal, heredoc tabs not yet chomped.
[[nodiscard]] Result<Dockerfile> ParseInstructions(const Ast& ast);

}  // namespace builder::parser

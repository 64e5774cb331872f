// Shared helpers of the instruction parser: located errors, argument positions, flag parsing.
// Internal to src/parser (used by instruction_parser.cc and file_instructions.cc).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "parser/ast.h"
#include "parser/flag_set.h"
#include "parser/instructions.h"

namespace builder::parser {

/// Reads one Node for the typed parser; every error it makes is located in the Ast's file.
class NodeReader {
 public:
  NodeReader(const Ast& ast, const Node& node) : ast_(ast), node_(node) {}

  const Node& node() const { return node_; }
  const Ast& ast() const { return ast_; }

  /// An error at the keyword.
  std::unexpected<Error> AtKeyword(std::string message) const;
  /// An error at the first argument (the keyword when there are none).
  std::unexpected<Error> AtArgs(std::string message) const;
  /// An error at argument `index`, found by scanning the source from args_pos; falls back to
  /// args_pos when the word cannot be found verbatim (JSON form, quotes, continuations).
  std::unexpected<Error> AtArg(std::size_t index, std::string message) const;
  /// An error at flag word `index`.
  std::unexpected<Error> AtFlag(std::size_t index, std::string message) const;

  /// Parses the node's flags into `flags` (declared by the caller).
  [[nodiscard]] Result<void> ParseFlags(FlagSet& flags) const;
  /// Parses the node's flags against an empty set: any flag is "unknown flag".
  [[nodiscard]] Result<void> NoFlags() const;

  /// The keyword as written in the source ("RUNN"), for messages about it.
  std::string KeywordAsWritten() const;
  /// The range and original text every instruction carries.
  InstructionBase Base() const { return {node_.range, node_.original}; }

 private:
  SourcePos ArgPos(std::size_t index) const;

  const Ast& ast_;
  const Node& node_;
};

/// Upper-cases ASCII letters ("copy" -> "COPY") for messages.
std::string UpperAscii(std::string_view s);
/// Lower-cases ASCII letters.
std::string LowerAscii(std::string_view s);

/// COPY, ADD (file_instructions.cc).
[[nodiscard]] Result<CopyInst> ParseCopy(const NodeReader& r);
[[nodiscard]] Result<AddInst> ParseAdd(const NodeReader& r);
/// RUN and HEALTHCHECK (command_instructions.cc).
[[nodiscard]] Result<RunInst> ParseRun(const NodeReader& r);
[[nodiscard]] Result<HealthcheckInst> ParseHealthcheck(const NodeReader& r);

}  // namespace builder::parser

// `builder debug parse FILE`: prints the Dockerfile AST in BuildKit's dump format, or with
// --json the typed instructions as JSON. FILE `-` reads standard input.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "parser/ast.h"
#include "parser/instruction_json.h"
#include "parser/instructions.h"

namespace builder::cli {

namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ostringstream out;
  if (path == "-") {
    out << std::cin.rdbuf();
    if (std::cin.bad()) return FailErrno("read standard input", errno);
    return out.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailErrno("open " + path, errno);
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void RegisterDebugParse(CLI::App& debug, int* status) {
  auto* cmd = debug.add_subcommand("parse", "Parse a Dockerfile and print its syntax tree");
  static std::string file;
  static bool json = false;
  cmd->add_option("FILE", file, "Dockerfile to parse (- for stdin)")->required();
  cmd->add_flag("--json", json, "Print typed instructions with source ranges as JSON");
  cmd->callback([status] {
    auto content = ReadWholeFile(file);
    if (!content) {
      *status = ReportError(content.error());
      return;
    }
    auto ast = parser::ParseDockerfile(*content, file == "-" ? "<stdin>" : file);
    if (!ast) {
      *status = ReportError(ast.error());
      return;
    }
    if (!json) {
      std::cout << parser::DumpAst(*ast);
      return;
    }
    auto typed = parser::ParseInstructions(*ast);
    if (!typed) {
      *status = ReportError(typed.error());
      return;
    }
    std::cout << parser::DumpInstructionsJson(*typed) << '\n';
  });
}

}  // namespace builder::cli

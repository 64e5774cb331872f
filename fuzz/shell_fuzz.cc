// libFuzzer target: shell-word expansion. Input: first byte picks options, the rest up to the
// first newline is the word, later lines are NAME=value environment entries.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parser/shell_lexer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nl = text.find('\n');
  std::string_view word = text.substr(0, nl);
  builder::parser::ShellEnv env(mode & 0x20);
  while (nl != std::string_view::npos) {
    text.remove_prefix(nl + 1);
    nl = text.find('\n');
    env.SetEntry(text.substr(0, nl));
  }
  builder::parser::ShellLexOptions options;
  options.escape = (mode & 1) ? '`' : '\\';
  options.raw_quotes = mode & 2;
  options.raw_escapes = mode & 4;
  options.skip_unset_env = mode & 8;
  options.skip_process_quotes = mode & 0x10;
  builder::parser::ShellLexer lexer(options);
  if (mode & 0x40) (void)lexer.ProcessWords(word, env);
  else (void)lexer.ProcessWord(word, env);
  return 0;
}

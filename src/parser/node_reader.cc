// Locating errors in a Node's source text, and flag parsing through FlagSet.
#include "parser/node_reader.h"

#include <algorithm>

namespace builder::parser {

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::unexpected<Error> NodeReader::AtKeyword(std::string message) const {
  return std::unexpected(ast_.ErrorAt(node_.range.start, std::move(message)));
}

std::unexpected<Error> NodeReader::AtArgs(std::string message) const {
  bool has_args = !node_.args.empty() && node_.args_pos.line > 0;
  return std::unexpected(
      ast_.ErrorAt(has_args ? node_.args_pos : node_.range.start, std::move(message)));
}

std::unexpected<Error> NodeReader::AtArg(std::size_t index, std::string message) const {
  return std::unexpected(ast_.ErrorAt(ArgPos(index), std::move(message)));
}

std::unexpected<Error> NodeReader::AtFlag(std::size_t index, std::string message) const {
  SourcePos pos = index < node_.flag_pos.size() ? node_.flag_pos[index] : node_.range.start;
  return std::unexpected(ast_.ErrorAt(pos, std::move(message)));
}

SourcePos NodeReader::ArgPos(std::size_t index) const {
  if (node_.args.empty() || node_.args_pos.line <= 0) return node_.range.start;
  if (index >= node_.args.size() || node_.json_form) return node_.args_pos;
  // Words of whitespace-split instructions appear verbatim and in order in the source; walk
  // them from args_pos, allowing a word to sit on a continuation line.
  int line = node_.args_pos.line;
  std::size_t col = static_cast<std::size_t>(node_.args_pos.col > 0 ? node_.args_pos.col - 1 : 0);
  int last_line = std::max(node_.range.end.line, line);
  for (std::size_t k = 0; k <= index; ++k) {
    const std::string& word = node_.args[k];
    if (word.empty()) return node_.args_pos;
    std::size_t found = std::string_view::npos;
    while (line <= last_line) {
      std::string_view text = ast_.Line(line);
      found = col <= text.size() ? text.find(word, col) : std::string_view::npos;
      if (found != std::string_view::npos) break;
      ++line;
      col = 0;
    }
    if (found == std::string_view::npos) return node_.args_pos;
    if (k == index) return {line, static_cast<int>(found) + 1};
    col = found + word.size();
  }
  return node_.args_pos;
}

Result<void> NodeReader::ParseFlags(FlagSet& flags) const {
  auto parsed = flags.Parse(node_.flags);
  if (!parsed) return AtFlag(parsed.error().index, std::move(parsed.error().message));
  return {};
}

Result<void> NodeReader::NoFlags() const {
  FlagSet none;
  return ParseFlags(none);
}

std::string NodeReader::KeywordAsWritten() const {
  std::string_view line = ast_.Line(node_.range.start.line);
  std::size_t start =
      node_.range.start.col > 0 ? static_cast<std::size_t>(node_.range.start.col - 1) : 0;
  if (start < line.size()) {
    std::size_t end = line.find_first_of(" \t\v\f\r", start);
    std::string_view word =
        line.substr(start, end == std::string_view::npos ? line.npos : end - start);
    if (LowerAscii(word) == node_.keyword) return std::string(word);
  }
  return UpperAscii(node_.keyword);
}

}  // namespace builder::parser

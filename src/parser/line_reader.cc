// Physical lines and continuation joining, with BuildKit's rules for BOM, CR and blanks.
#include "parser/line_reader.h"

#include <algorithm>

#include "base/go_compat.h"

namespace builder::parser {

LineCursor::LineCursor(std::string_view content) : content_(content) {
  if (content_.starts_with("\xEF\xBB\xBF")) content_.remove_prefix(3);
}

bool LineCursor::Next(PhysicalLine* line) {
  if (pos_ >= content_.size()) return false;
  const std::size_t nl = content_.find('\n', pos_);
  const std::size_t end = nl == std::string_view::npos ? content_.size() : nl;
  line->raw = content_.substr(pos_, end - pos_);
  line->text = line->raw;
  while (!line->text.empty() && line->text.back() == '\r') line->text.remove_suffix(1);
  line->has_newline = nl != std::string_view::npos;
  pos_ = line->has_newline ? nl + 1 : content_.size();
  ++line_number_;
  return true;
}

std::size_t CountLines(std::string_view content) {
  const auto newlines = static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
  return newlines + (content.empty() || content.back() == '\n' ? 0 : 1);
}

std::size_t EstimateInstructions(std::string_view content) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const char c = content[pos];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) ++count;
    const std::size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return count;
}

std::string_view TrimLeftSpace(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b != ' ' && (b < '\t' || b > '\r')) break;
      ++i;
      continue;
    }
    const auto rune = gocompat::DecodeRune(s, i);
    if (!gocompat::IsSpace(rune.value)) break;
    i += rune.size;
  }
  return s.substr(i);
}

std::pair<std::string_view, bool> TrimContinuation(std::string_view line, char escape) {
  std::size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return {line, false};
  // "foo\\" is an escaped escape character, not a continuation (BuildKit's `[^E]E` rule).
  if (end >= 2 && line[end - 2] == escape) return {line, false};
  return {line.substr(0, end - 1), true};
}

SourcePos JoinedLine::PosAt(std::size_t offset) const {
  if (segments_.empty()) return {};
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](std::size_t v, const Segment& s) { return v < s.offset; });
  if (it != segments_.begin()) --it;
  return {it->line, it->col + static_cast<int>(offset - it->offset)};
}

}  // namespace builder::parser

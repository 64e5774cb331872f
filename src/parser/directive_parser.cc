// Directive recognition with the exact shape of BuildKit's regexp
// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, written as a scan.
#include "parser/directive_parser.h"

#include <cctype>

#include "parser/line_reader.h"

namespace builder::parser {

namespace {

// RE2's \s: [\t\n\f\r ] (no \v).
bool IsReSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

}  // namespace

DirectiveParser::Outcome DirectiveParser::Feed(std::string_view line, int line_number,
                                               int col_base) {
  Outcome out;
  if (done_) return out;
  if (!line.starts_with('#')) {
    done_ = true;
    return out;
  }
  const std::string_view body = TrimLeftSpace(line.substr(1));
  const std::size_t body_at = line.size() - body.size();
  std::size_t i = 0;
  if (i >= body.size() || !IsAlpha(body[i])) {
    done_ = true;
    return out;
  }
  while (i < body.size() && IsAlnum(body[i])) ++i;
  std::string key(body.substr(0, i));
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (i < body.size() && IsReSpace(body[i])) ++i;
  if (i >= body.size() || body[i] != '=') {
    done_ = true;
    return out;
  }
  ++i;
  std::size_t v = i;
  while (v < body.size() && IsReSpace(body[v])) ++v;
  std::size_t e = body.size();
  while (e > v && IsReSpace(body[e - 1])) --e;
  if (v == e) {
    // `.+?` needs one character: with only blanks after '=', the regexp takes the last blank.
    if (v == i) {
      done_ = true;
      return out;
    }
    --v;
    e = v + 1;
  }
  const std::string value(body.substr(v, e - v));
  bool* seen = key == "syntax"   ? &seen_syntax_
               : key == "escape" ? &seen_escape_
               : key == "check"  ? &seen_check_
                                 : nullptr;
  if (seen == nullptr) {
    done_ = true;
    return out;
  }
  if (*seen) {
    out.error = true;
    out.error_col = col_base + static_cast<int>(body_at);
    out.message = "only one " + key + " parser directive can be used";
    return out;
  }
  *seen = true;
  out.directive = true;
  if (key == "syntax") {
    directives_.syntax = value;
  } else if (key == "check") {
    directives_.check = value;
  } else {
    if (value != "`" && value != "\\") {
      out.error = true;
      out.error_col = col_base + static_cast<int>(body_at + v);
      out.message = "invalid escape token '" + value + "' does not match ` or \\";
      return out;
    }
    directives_.escape = value[0];
    directives_.escape_pos = SourcePos{line_number, col_base + static_cast<int>(body_at + v)};
  }
  return out;
}

}  // namespace builder::parser

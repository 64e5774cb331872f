// Shell-word expansion with BuildKit's rules: one scan of the input, recursive descent into ${...}.
#include "parser/shell_lexer.h"

#include <cstdio>

#include "parser/shell_pattern.h"
#include "parser/shell_unicode.h"

namespace builder::parser {
namespace {

constexpr char32_t kEof = 0xFFFFFFFF;

// ${a:-${b:-...}} recurses; Go's growable stacks don't care, ours do, so deep nesting is an error.
constexpr int kMaxNesting = 500;

std::string Utf8(char32_t cp) {
  std::string s;
  AppendUtf8(s, cp == kEof ? kReplacementChar : cp);
  return s;
}

// Go's %q, closely enough for error messages: the input is shown quoted and escaped.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (std::size_t pos = 0; pos < text.size();) {
    Utf8Rune r = DecodeUtf8(text, pos);
    const bool invalid = r.cp == kReplacementChar && r.len == 1;
    char buf[8];
    if (invalid || r.cp < 0x20 || r.cp == 0x7F) {
      if (!invalid && r.cp >= '\a' && r.cp <= '\r') {
        out += '\\';
        out += "abtnvfr"[r.cp - '\a'];  // \a \b \t \n \v \f \r, as Go writes them
      } else {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[pos]));
        out += buf;
      }
    } else if (r.cp == '"' || r.cp == '\\') {
      out += '\\';
      out += static_cast<char>(r.cp);
    } else {
      out.append(text.substr(pos, r.len));
    }
    pos += r.len;
  }
  return out + "\"";
}

std::unexpected<Error> Syntax(std::string message) {
  return Fail(ErrorCode::kParse, std::move(message));
}

// Go's text/scanner as lex.go uses it: code points, invalid bytes read as U+FFFD, a leading BOM
// skipped.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    Load();
    if (ch_ == 0xFEFF) Load();
  }
  char32_t Peek() const { return ch_; }
  char32_t Next() {
    const char32_t c = ch_;
    if (c != kEof) Load();
    return c;
  }

 private:
  void Load() {
    if (pos_ >= text_.size()) {
      ch_ = kEof;
      return;
    }
    Utf8Rune r = DecodeUtf8(text_, pos_);
    ch_ = r.cp;
    pos_ += r.len;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  char32_t ch_ = kEof;
};

// Builds the split words alongside the expanded text. Quoted and escaped text joins the current
// word unconditionally; plain text and $-expansions split at whitespace; empty words vanish.
class WordSplitter {
 public:
  void AddChar(char32_t c) {
    if (!IsUnicodeSpace(c)) {
      AddRawChar(c);
    } else if (in_word_ && !buf_.empty()) {
      words_.push_back(std::move(buf_));
      buf_.clear();
      in_word_ = false;
    }
  }
  void AddRawChar(char32_t c) {
    AppendUtf8(buf_, c);
    in_word_ = true;
  }
  void AddString(std::string_view s) {
    for (std::size_t pos = 0; pos < s.size();) {
      Utf8Rune r = DecodeUtf8(s, pos);
      AddChar(r.cp);
      pos += r.len;
    }
  }
  void AddRawString(std::string_view s) {
    buf_ += s;
    in_word_ = true;
  }
  std::vector<std::string> Finish() {
    if (!buf_.empty()) words_.push_back(std::move(buf_));
    buf_.clear();
    in_word_ = false;
    return std::move(words_);
  }

 private:
  std::string buf_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

struct Chunk {
  std::string word;
  std::vector<std::string> words;
};

bool IsSpecialParam(char32_t c) {
  switch (c) {
    case '@':
    case '*':
    case '#':
    case '?':
    case '-':
    case '$':
    case '!':
    case '0':
      return true;
    default:
      return false;
  }
}

// One expansion: the scanner, the switches and the names seen. Mirrors lex.go's shellWord.
class Expander {
 public:
  Expander(const ShellLexOptions& options, const ShellEnv& env, std::string_view input,
           ExpandResult& out)
      : options_(options),
        escape_(static_cast<unsigned char>(options.escape)),
        env_(env),
        scanner_(input),
        out_(out),
        raw_escapes_(options.raw_escapes) {}

  Result<void> Run() {
    auto chunk = StopOn(kEof, options_.raw_escapes);
    if (!chunk) return std::unexpected(std::move(chunk).error());
    out_.word = std::move(chunk->word);
    out_.words = std::move(chunk->words);
    return {};
  }

 private:
  // Reads until `stop` (consumed) or the end of input (only allowed when stop is kEof).
  // `raw_escapes` applies to this stretch and what it nests: pattern operators keep escapes so
  // the pattern compiler can tell \* from *.
  Result<Chunk> StopOn(char32_t stop, bool raw_escapes) {
    const bool saved_raw = raw_escapes_;
    raw_escapes_ = raw_escapes;
    auto chunk = StopOnInner(stop);
    raw_escapes_ = saved_raw;
    return chunk;
  }

  Result<Chunk> StopOnInner(char32_t stop) {
    std::string result;
    WordSplitter words;
    while (scanner_.Peek() != kEof) {
      char32_t c = scanner_.Peek();
      if (stop != kEof && c == stop) {
        scanner_.Next();
        return Chunk{std::move(result), words.Finish()};
      }
      const bool quote = !options_.skip_process_quotes && (c == '\'' || c == '"');
      if (c == '$' || quote) {
        auto part = c == '$' ? Dollar() : c == '\'' ? SingleQuote() : DoubleQuote();
        if (!part) return std::unexpected(std::move(part).error());
        result += *part;
        if (c == '$') {
          words.AddString(*part);
        } else {
          words.AddRawString(*part);
        }
        continue;
      }
      c = scanner_.Next();
      if (c == escape_) {
        if (raw_escapes_) {
          words.AddRawChar(c);
          AppendUtf8(result, c);
        }
        c = scanner_.Next();
        if (c == kEof) break;  // a trailing escape character is dropped
        words.AddRawChar(c);
      } else {
        words.AddChar(c);
      }
      AppendUtf8(result, c);
    }
    if (stop != kEof) {
      return Syntax("unexpected end of statement while looking for matching " + Utf8(stop));
    }
    return Chunk{std::move(result), words.Finish()};
  }

  // '...': everything literal up to the next quote; nothing escapes inside.
  Result<std::string> SingleQuote() {
    std::string result;
    char32_t c = scanner_.Next();
    if (options_.raw_quotes) AppendUtf8(result, c);
    for (;;) {
      c = scanner_.Next();
      if (c == kEof) {
        return Syntax("unexpected end of statement while looking for matching single-quote");
      }
      if (c == '\'') {
        if (options_.raw_quotes) AppendUtf8(result, c);
        return result;
      }
      AppendUtf8(result, c);
    }
  }

  // "...": $ expands; the escape character escapes only ", $ and itself, else stays literal.
  Result<std::string> DoubleQuote() {
    std::string result;
    char32_t c = scanner_.Next();
    if (options_.raw_quotes) AppendUtf8(result, c);
    for (;;) {
      const char32_t peek = scanner_.Peek();
      if (peek == kEof) {
        return Syntax("unexpected end of statement while looking for matching double-quote");
      }
      if (peek == '"') {
        c = scanner_.Next();
        if (options_.raw_quotes) AppendUtf8(result, c);
        return result;
      }
      if (peek == '$') {
        auto value = Dollar();
        if (!value) return std::unexpected(std::move(value).error());
        result += *value;
        continue;
      }
      c = scanner_.Next();
      if (c == escape_) {
        // With raw escapes BuildKit writes the escape here and, when it escapes nothing, once
        // more below; kept so patterns built from "..." match what BuildKit's do.
        if (raw_escapes_) AppendUtf8(result, c);
        const char32_t next = scanner_.Peek();
        if (next == kEof) continue;  // reported as the missing quote on the next turn
        if (next == '"' || next == '$' || next == escape_) c = scanner_.Next();
      }
      AppendUtf8(result, c);
    }
  }

  // $NAME, ${NAME} or ${NAME<op>word}; the scanner is on the '$'.
  Result<std::string> Dollar() {
    scanner_.Next();
    if (scanner_.Peek() != '{') {
      std::string name = Name();
      if (name.empty()) return std::string("$");
      auto value = Lookup(name);
      if (!value && options_.skip_unset_env) return "$" + name;
      return std::string(value.value_or(""));
    }
    scanner_.Next();
    switch (scanner_.Peek()) {
      case kEof:
        return Syntax("syntax error: missing '}'");
      case '{':
      case '}':
      case ':':
        return Syntax("syntax error: bad substitution");
      default:
        break;
    }
    if (depth_ >= kMaxNesting) return Syntax("syntax error: substitutions nested too deeply");
    ++depth_;
    auto value = Braced(Name());
    --depth_;
    return value;
  }

  // The rest of ${NAME...} after the name.
  Result<std::string> Braced(const std::string& name) {
    char32_t op = scanner_.Next();
    // BuildKit reports the end of input here as an unsupported modifier "\uFFFD"; say what it is.
    if (op == kEof) return Syntax("syntax error: missing '}'");
    std::string ops = Utf8(op);
    if (op == '}') {
      auto value = Lookup(name);
      if (!value && options_.skip_unset_env) return "${" + name + "}";
      return std::string(value.value_or(""));
    }
    if (op == '/') return Replace(name);
    bool null_is_unset = false;
    if (op == ':') {
      null_is_unset = true;
      op = scanner_.Next();
      ops += Utf8(op);
    } else if (op != '+' && op != '-' && op != '?' && op != '#' && op != '%') {
      return Unsupported(ops);
    }
    const bool pattern = op == '#' || op == '%';
    if (null_is_unset && pattern) return Unsupported(ops);
    auto word = StopOn('}', pattern);
    if (!word) {
      if (scanner_.Peek() == kEof) return Syntax("syntax error: missing '}'");
      return std::unexpected(std::move(word).error());
    }
    std::string& w = word->word;
    // Looked up after the word, as BuildKit does, so names in the word are recorded first.
    auto value = Lookup(name);
    if (!value && options_.skip_unset_env) return "${" + name + ops + w + "}";
    const bool empty = !value || (null_is_unset && value->empty());
    switch (op) {
      case '-':
        return empty ? w : std::string(*value);
      case '+':
        return empty ? std::string() : w;
      case '?':
        if (!value || (null_is_unset && value->empty())) {
          std::string message = !w.empty() ? w
                                : !value   ? "is not allowed to be unset"
                                           : "is not allowed to be empty";
          return Fail(ErrorCode::kInvalidArgument, name + ": " + message);
        }
        return std::string(*value);
      case '#':
      case '%': {
        // The operator's second character arrives as the word's first: ${V##p} is '#' + "#p".
        const bool longest = !w.empty() && static_cast<unsigned char>(w[0]) == op;
        std::string_view p = longest ? std::string_view(w).substr(1) : std::string_view(w);
        const std::string_view v = value.value_or("");
        return op == '%' ? TrimPatternSuffix(v, p, longest) : TrimPatternPrefix(v, p, longest);
      }
      default:
        return Unsupported(ops);
    }
  }

  // ${NAME/pattern/replacement} and ${NAME//pattern/replacement}, after the first '/'.
  Result<std::string> Replace(const std::string& name) {
    const bool all = scanner_.Peek() == '/';
    if (all) scanner_.Next();
    auto pattern = StopOn('/', true);
    if (!pattern) {
      if (scanner_.Peek() == kEof) return Syntax("syntax error: missing '/' in ${}");
      return std::unexpected(std::move(pattern).error());
    }
    auto replacement = StopOn('}', true);
    if (!replacement) {
      if (scanner_.Peek() == kEof) return Syntax("syntax error: missing '}'");
      return std::unexpected(std::move(replacement).error());
    }
    auto value = Lookup(name);
    if (!value && options_.skip_unset_env) {
      // BuildKit writes a single '/' here even for '//'; keeping both preserves the meaning
      // for the later pass that expands what this one skipped.
      return "${" + name + (all ? "//" : "/") + pattern->word + "/" + replacement->word + "}";
    }
    const std::string_view v = value.value_or("");
    return all ? ReplacePatternAll(v, pattern->word, replacement->word)
               : ReplacePatternFirst(v, pattern->word, replacement->word);
  }

  static std::unexpected<Error> Unsupported(const std::string& ops) {
    return Syntax("unsupported modifier (" + ops + ") in substitution");
  }

  // A name: letters, digits and '_'; or a run of digits (positional); or one special character.
  std::string Name() {
    std::string name;
    while (scanner_.Peek() != kEof) {
      const char32_t c = scanner_.Peek();
      if (name.empty() && IsUnicodeDigit(c)) {
        while (scanner_.Peek() != kEof && IsUnicodeDigit(scanner_.Peek())) {
          AppendUtf8(name, scanner_.Next());
        }
        return name;
      }
      if (name.empty() && IsSpecialParam(c)) return Utf8(scanner_.Next());
      if (!IsUnicodeLetter(c) && !IsUnicodeDigit(c) && c != '_') break;
      AppendUtf8(name, scanner_.Next());
    }
    return name;
  }

  std::optional<std::string_view> Lookup(const std::string& name) {
    auto value = env_.Get(name);
    (value ? out_.matched : out_.unmatched).insert(name);
    return value;
  }

  const ShellLexOptions& options_;
  const char32_t escape_;
  const ShellEnv& env_;
  Scanner scanner_;
  ExpandResult& out_;
  bool raw_escapes_;
  int depth_ = 0;
};

Result<ExpandResult> Process(const ShellLexOptions& options, std::string_view word,
                             const ShellEnv& env) {
  ExpandResult out;
  Expander expander(options, env, word, out);
  auto ran = expander.Run();
  if (!ran) {
    Error error = std::move(ran).error();
    error.Context("failed to process " + Quote(word));
    return std::unexpected(std::move(error));
  }
  return out;
}

}  // namespace

ShellEnv ShellEnv::FromEntries(const std::vector<std::string>& entries, bool case_insensitive) {
  ShellEnv env(case_insensitive);
  for (const auto& entry : entries) env.SetEntry(entry);
  return env;
}

std::string ShellEnv::Key(std::string_view name) const {
  std::string key(name);
  if (case_insensitive_) {
    for (char& c : key)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return key;
}

void ShellEnv::Set(std::string_view name, std::string_view value) {
  auto [it, inserted] = index_.try_emplace(Key(name), entries_.size());
  if (inserted) {
    entries_.emplace_back(std::string(name), std::string(value));
  } else {
    entries_[it->second].second = std::string(value);
  }
}

void ShellEnv::SetEntry(std::string_view entry) {
  const std::size_t eq = entry.find('=');
  if (eq == std::string_view::npos) {
    Set(entry, "");
  } else {
    Set(entry.substr(0, eq), entry.substr(eq + 1));
  }
}

std::optional<std::string_view> ShellEnv::Get(std::string_view name) const {
  auto it = index_.find(Key(name));
  if (it == index_.end()) return std::nullopt;
  return std::string_view(entries_[it->second].second);
}

Result<ExpandResult> ShellLexer::ProcessWord(std::string_view word, const ShellEnv& env) const {
  return Process(options_, word, env);
}

Result<ExpandResult> ShellLexer::ProcessWords(std::string_view word, const ShellEnv& env) const {
  return Process(options_, word, env);
}

}  // namespace builder::parser

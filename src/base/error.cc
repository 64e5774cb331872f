// Error formatting and errno text.
#include "base/error.h"

#include <algorithm>
#include <cstring>

namespace builder {

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  const char* text = strerror_r(err, buf, sizeof buf);
  return text ? std::string(text) : "errno " + std::to_string(err);
}

Error Error::FromErrno(std::string_view operation, int err) {
  return Error(ErrorCode::kIo, std::string(operation) + ": " + ErrnoText(err), err);
}

Error Error::AtSource(SourceLocation location, std::string message) {
  Error e(ErrorCode::kParse, std::move(message));
  e.location_ = std::move(location);
  return e;
}

Error& Error::Context(std::string_view phrase) & {
  message_ = std::string(phrase) + ": " + message_;
  return *this;
}

Error&& Error::Context(std::string_view phrase) && {
  Context(phrase);
  return std::move(*this);
}

std::string Error::ToString() const {
  if (!has_location()) return message_;
  std::string out = location_.file.empty() ? "<input>" : location_.file;
  if (location_.line > 0) {
    out += ":" + std::to_string(location_.line);
    if (location_.col > 0) out += ":" + std::to_string(location_.col);
  }
  return out + ": " + message_;
}

std::string QuoteForMessage(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text.substr(0, max_bytes)) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out + "\"";
}

std::string Error::Describe() const {
  std::string out = ToString();
  if (location_.line <= 0 || location_.line_text.empty()) return out;
  // A window of the line around the column, so a 64 KiB line does not flood the terminal.
  constexpr std::size_t kBefore = 60, kAfter = 60;
  const std::string& text = location_.line_text;
  const std::size_t caret = location_.col > 0 ? static_cast<std::size_t>(location_.col - 1) : 0;
  const std::size_t from = caret > kBefore ? caret - kBefore : 0;
  const std::size_t to = std::min(text.size(), caret + kAfter);
  const std::string prefix = from > 0 ? "..." : "";
  out += "\n  " + prefix + text.substr(from, to - from) + (to < text.size() ? "..." : "") + "\n  ";
  out.append(prefix.size(), ' ');
  // Tabs are kept so the caret lines up under the same column in a terminal.
  for (std::size_t i = from; i < caret && i < text.size(); ++i) out += text[i] == '\t' ? '\t' : ' ';
  out += '^';
  return out;
}

}  // namespace builder

// Error formatting and errno text.
#include "base/error.h"

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

std::string Error::Describe() const {
  std::string out = ToString();
  if (location_.line > 0 && !location_.line_text.empty()) {
    out += "\n  " + location_.line_text + "\n  ";
    // Tabs are kept so the caret lines up under the same column in a terminal.
    for (int i = 1; i < location_.col && i - 1 < static_cast<int>(location_.line_text.size()); ++i)
      out += location_.line_text[i - 1] == '\t' ? '\t' : ' ';
    out += '^';
  }
  return out;
}

}  // namespace builder

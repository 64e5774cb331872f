// Applying a COPY/ADD --chmod (octal or symbolic) to a file's mode.
#include "executor/file_mode_apply.h"

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace builder::executor {

mode_t ApplyChmod(const filespec::ChmodSpec& spec, mode_t mode, bool is_dir) {
  if (spec.octal) return static_cast<mode_t>(*spec.octal);
  mode &= 07777;
  std::string_view rest = spec.symbolic;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view clause = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    mode_t who = 0;
    std::size_t i = 0;
    for (; i < clause.size() && std::string_view("ugoa").find(clause[i]) != std::string_view::npos; ++i) {
      if (clause[i] == 'u') who |= S_ISUID | S_IRWXU;
      if (clause[i] == 'g') who |= S_ISGID | S_IRWXG;
      if (clause[i] == 'o') who |= S_IRWXO;
      if (clause[i] == 'a') who |= 07777;
    }
    if (who == 0) who = 07777;
    while (i < clause.size()) {
      char op = clause[i++];
      mode_t bits = 0;
      for (; i < clause.size() && std::string_view("+-=").find(clause[i]) == std::string_view::npos; ++i) {
        switch (clause[i]) {
          case 'r': bits |= 0444; break;
          case 'w': bits |= 0222; break;
          case 'x': bits |= 0111; break;
          case 'X':
            if (is_dir || (mode & 0111)) bits |= 0111;
            break;
          case 's': bits |= S_ISUID | S_ISGID; break;
          case 't': bits |= S_ISVTX; break;
          case 'u': bits |= ((mode >> 6) & 7) * 0111; break;
          case 'g': bits |= ((mode >> 3) & 7) * 0111; break;
          case 'o': bits |= (mode & 7) * 0111; break;
          default: break;
        }
      }
      bits &= who | (who == 07777 ? S_ISVTX : 0);
      if (op == '+') mode |= bits;
      if (op == '-') mode &= ~bits;
      if (op == '=') mode = (mode & ~(who & 07777)) | bits;
    }
  }
  return mode;
}

}  // namespace builder::executor

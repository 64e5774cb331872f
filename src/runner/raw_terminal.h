// RawTerminal: the caller's terminal in raw mode for a scope (run -it, attach, exec -it).
#pragma once

#include <termios.h>

namespace builder::runner {

/// Puts the terminal on fd into raw mode when fd is one; restores its settings when destroyed
/// (every return path of the attaching command).
class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  struct termios saved_ {};
  bool active_ = false;
};

}  // namespace builder::runner

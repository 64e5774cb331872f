// Terminal facts for progress output: is a stream a live terminal, and how wide is it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace builder {

/// Columns of the terminal on fd (TIOCGWINSZ); 80 when fd is no terminal or reports 0.
int TerminalWidth(int fd);
/// Rows of the terminal on fd; 0 when unknown.
int TerminalHeight(int fd);

/// True when fd is a terminal someone watches: isatty, $CI unset or empty, and $TERM not
/// "dumb". Progress output redraws in place only then (the `auto` modes).
bool IsInteractiveTerminal(int fd);

/// `text` made safe for one terminal line: control characters become spaces (a tab one space),
/// escape sequences (CSI "ESC [ ... final", or ESC and one byte) are dropped.
std::string SanitizeLine(std::string_view text);

/// Display columns of UTF-8 text, one per code point (wide characters are not measured).
std::size_t DisplayColumns(std::string_view text);

/// The longest prefix of text that fits `columns` display columns, never splitting a UTF-8
/// sequence.
std::string_view ClampColumns(std::string_view text, std::size_t columns);

}  // namespace builder

// Go's strconv.Quote, which BuildKit's AST dump and its error messages print strings with.
#pragma once

#include <string>
#include <string_view>

namespace builder::parser {

/// Go's strconv.IsPrint: Unicode categories L, M, N, P, S (Unicode 15.0) and U+0020.
bool IsGoPrint(char32_t r);

/// Appends s as Go's strconv.Quote prints it: double quotes, `\"` and `\\`, the C escapes
/// \a \b \f \n \r \t \v, \xNN for other control bytes, DEL and every byte of invalid UTF-8,
/// \uXXXX / \UXXXXXXXX for non-printable runes, printable runes as raw UTF-8.
void AppendGoQuoted(std::string& out, std::string_view s);

/// Go's strconv.Quote(s).
std::string GoQuote(std::string_view s);

}  // namespace builder::parser

// DumpAst: BuildKit's Node.Dump() s-expressions, one line per instruction.
#include "parser/ast.h"
#include "parser/go_quote.h"

namespace builder::parser {

namespace {

// One node without its parentheses: keyword, %q of the flags, then the arguments or the nested
// ONBUILD instruction. Iterative over the ONBUILD chain so depth never costs stack.
void AppendNode(std::string& out, const Node& top) {
  int open = 0;
  for (const Node* node = &top; node != nullptr; node = node->sub.get()) {
    if (node != &top) {
      out += " (";
      ++open;
    }
    const std::size_t start = out.size();
    out += node->keyword;
    if (!node->flags.empty()) {
      out += " [";
      for (std::size_t i = 0; i < node->flags.size(); ++i) {
        if (i > 0) out += ' ';
        AppendGoQuoted(out, node->flags[i]);
      }
      out += ']';
    }
    if (!node->sub) {
      for (const auto& arg : node->args) {
        out += ' ';
        AppendGoQuoted(out, arg);
      }
    }
    // Go trims the dump of each node: an empty keyword leaves no leading blank.
    if (node->keyword.empty() && out.size() > start && out[start] == ' ') out.erase(start, 1);
  }
  out.append(static_cast<std::size_t>(open), ')');
}

}  // namespace

std::string DumpAst(const Ast& ast) {
  std::string out;
  std::size_t estimate = 0;
  for (const auto& node : ast.children) estimate += node.original.size() + 16;
  out.reserve(estimate);
  for (const auto& node : ast.children) {
    out += '(';
    AppendNode(out, node);
    out += ")\n";
  }
  return out;
}

}  // namespace builder::parser

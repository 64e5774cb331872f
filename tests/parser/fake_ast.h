// A tiny stand-in for the lexer in unit tests: builds Ast nodes from one-line instructions,
// shaping arguments per keyword the way the real lexer does (see ast.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"

namespace builder::parser::testing {

class FakeAst {
 public:
  FakeAst() { ast_.file = "Dockerfile"; }

  /// Appends a line and the instruction on it; returns the node for further tweaks (heredocs).
  Node& Add(std::string_view text) {
    ast_.lines.emplace_back(text);
    int line = static_cast<int>(ast_.lines.size());
    ast_.children.push_back(MakeNode(ast_.lines.back(), line, 0));
    return ast_.children.back();
  }
  /// Appends a raw source line that belongs to the previous instruction (a heredoc body).
  void AddBodyLine(std::string_view text) {
    ast_.lines.emplace_back(text);
    ast_.children.back().range.end = {static_cast<int>(ast_.lines.size()),
                                      static_cast<int>(text.size())};
  }
  const Ast& ast() const { return ast_; }
  Ast& ast() { return ast_; }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t'; }

  static Node MakeNode(const std::string& text, int line, std::size_t start) {
    Node n;
    std::size_t i = start;
    while (i < text.size() && IsSpace(text[i])) ++i;
    n.range.start = {line, static_cast<int>(i) + 1};
    n.range.end = {line, static_cast<int>(text.size())};
    n.original = text.substr(i);
    std::size_t kw_end = i;
    while (kw_end < text.size() && !IsSpace(text[kw_end])) ++kw_end;
    for (std::size_t k = i; k < kw_end; ++k)
      n.keyword +=
          static_cast<char>(text[k] >= 'A' && text[k] <= 'Z' ? text[k] - 'A' + 'a' : text[k]);
    i = kw_end;
    // Flags: leading --words.
    while (true) {
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (text.compare(i, 2, "--") != 0) break;
      std::size_t e = i;
      while (e < text.size() && !IsSpace(text[e])) ++e;
      n.flags.push_back(text.substr(i, e - i));
      n.flag_pos.push_back({line, static_cast<int>(i) + 1});
      i = e;
    }
    n.args_pos = {line, static_cast<int>(i) + 1};
    std::string rest = text.substr(i);
    const std::string& k = n.keyword;
    if (k == "onbuild") {
      n.sub = std::make_unique<Node>(MakeNode(text, line, i));
      return n;
    }
    bool maybe_json = k == "run" || k == "cmd" || k == "entrypoint" || k == "shell" ||
                      k == "copy" || k == "add" || k == "volume";
    if (k == "healthcheck") {
      std::vector<std::string> words = Split(rest);
      if (words.empty()) return n;
      n.args.push_back(words[0]);
      std::string tail = rest.substr(rest.find(words[0]) + words[0].size());
      std::size_t b = tail.find_first_not_of(" \t");
      tail = b == std::string::npos ? "" : tail.substr(b);
      if (!tail.empty() && !JsonInto(tail, &n)) n.args.push_back(tail);
      return n;
    }
    if (maybe_json && !rest.empty() && rest[0] == '[' && JsonInto(rest, &n)) return n;
    if (k == "run" || k == "cmd" || k == "entrypoint" || k == "shell" || k == "user" ||
        k == "workdir" || k == "stopsignal" || k == "maintainer") {
      if (!rest.empty()) n.args.push_back(rest);
      return n;
    }
    std::vector<std::string> words = Split(rest);
    if (k == "env" || k == "label") {
      if (words.empty()) return n;
      if (words[0].find('=') == std::string::npos) {
        std::string value = rest.substr(rest.find(words[0]) + words[0].size());
        std::size_t b = value.find_first_not_of(" \t");
        n.args = {words[0], b == std::string::npos ? "" : value.substr(b), ""};
        return n;
      }
      for (const auto& w : words) {
        std::size_t eq = w.find('=');
        n.args.push_back(w.substr(0, eq));
        n.args.push_back(eq == std::string::npos ? "" : w.substr(eq + 1));
        n.args.push_back("=");
      }
      return n;
    }
    n.args = words;
    return n;
  }

  static bool JsonInto(const std::string& text, Node* n) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return false;
    for (const auto& e : j) n->args.push_back(e.get<std::string>());
    n->json_form = true;
    return true;
  }

  static std::vector<std::string> Split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      std::size_t e = i;
      while (e < s.size() && !IsSpace(s[e])) ++e;
      if (e > i) out.push_back(s.substr(i, e - i));
      i = e;
    }
    return out;
  }

  Ast ast_;
};

}  // namespace builder::parser::testing

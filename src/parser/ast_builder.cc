// ParseDockerfile: lines -> directives, comments, continuations -> shaped instructions with
// heredoc bodies and source ranges, following BuildKit's parser.Parse line for line.
#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "parser/arg_shaper.h"
#include "parser/ast.h"
#include "parser/directive_parser.h"
#include "parser/heredoc_reader.h"
#include "parser/line_reader.h"

namespace builder::parser {

namespace {

// BuildKit allows ONBUILD ONBUILD ... at this level (the instruction layer rejects it); a cap
// keeps hostile input from building an arbitrarily deep chain of nodes.
constexpr int kMaxOnbuildDepth = 16;

bool IsComment(std::string_view line) {
  const std::string_view t = TrimLeftSpace(line);
  return !t.empty() && t.front() == '#';
}

bool TakesHeredocs(const Node& node) {
  return !node.json_form &&
         (node.keyword == "run" || node.keyword == "copy" || node.keyword == "add");
}

class Builder {
 public:
  Builder(std::string_view content, std::string file) : content_(content), cursor_(content) {
    ast_.file = std::move(file);
  }

  Result<Ast> Run() {
    ast_.lines.reserve(CountLines(content_));
    // Growing the vector would move every node and briefly hold two arrays of them.
    ast_.children.reserve(EstimateInstructions(content_) + 16);
    PhysicalLine line;
    while (BUILDER_TRY(Fetch(&line))) BUILDER_TRY(Instruction(line));
    ast_.directives = directives_.directives();
    DirectivesAfterShebang();
    if (ast_.children.empty()) {
      const int last = std::max(1, cursor_.line_number());
      return Fail(ast_.ErrorAt({last, 1}, "file with no instructions"));
    }
    return std::move(ast_);
  }

 private:
  // BuildKit reads `syntax` and `check` with DetectSyntax/ParseDirective, which skip a `#!` first
  // line (and do not left-trim lines); `escape` comes from the parser, for which a shebang is an
  // ordinary comment that ends the directives.
  void DirectivesAfterShebang() {
    if (ast_.lines.empty() || !ast_.lines[0].starts_with("#!")) return;
    DirectiveParser after;
    for (std::size_t i = 1; i < ast_.lines.size() && !after.done(); ++i) {
      if (after.Feed(ast_.lines[i], static_cast<int>(i) + 1, 1).error) break;
    }
    const Directives& found = after.directives();
    if (!ast_.directives.syntax) ast_.directives.syntax = found.syntax;
    if (!ast_.directives.check) ast_.directives.check = found.check;
  }

  // The next physical line, recorded in ast_.lines; false at the end of the file.
  Result<bool> Fetch(PhysicalLine* line) {
    if (!cursor_.Next(line)) return false;
    ast_.lines.emplace_back(line->text);
    last_length_ = line->text.size();
    if (line->raw.size() > kMaxLineBytes) {
      // Error::Describe shows only a window of the line under the message.
      return Fail(ast_.ErrorAt({cursor_.line_number(), 1},
                               "dockerfile line greater than max allowed size of " +
                                   std::to_string(kMaxLineBytes)));
    }
    return true;
  }

  // Handles one line: a directive, comment or blank line, or the start of an instruction, whose
  // continuation lines and heredoc bodies are read too.
  Result<void> Instruction(const PhysicalLine& first_line) {
    const int first = cursor_.line_number();
    const std::string_view text = TrimLeftSpace(first_line.text);
    const int col = static_cast<int>(first_line.text.size() - text.size()) + 1;
    if (!directives_.done()) {
      auto outcome = directives_.Feed(text, first, col);
      if (outcome.error) return Fail(ast_.ErrorAt({first, outcome.error_col}, outcome.message));
    }
    if (text.empty() || text.front() == '#') return {};

    const char escape = directives_.directives().escape;
    joined_.Clear();
    auto [piece, more] = TrimContinuation(text, escape);
    joined_.Append(piece, first, col);
    std::optional<SourcePos> empty_line;
    PhysicalLine next;
    while (more && BUILDER_TRY(Fetch(&next))) {
      const int number = cursor_.line_number();
      if (IsComment(next.text)) continue;
      if (TrimLeftSpace(next.text).empty()) {
        if (!empty_line) empty_line = SourcePos{number, 1};
        continue;
      }
      std::tie(piece, more) = TrimContinuation(next.text, escape);
      joined_.Append(piece, number, 1);
    }
    if (empty_line) {
      // BuildKit's wording; the instruction is cut short so a huge one does not flood the log.
      constexpr std::size_t kShown = 200;
      const std::string& joined = joined_.text();
      ast_.warnings.push_back(
          {*empty_line, "Empty continuation line found in: " + joined.substr(0, kShown) +
                            (joined.size() > kShown ? "..." : "") +
                            " (empty continuation lines will become errors in a future release)"});
    }

    Node node;
    BUILDER_TRY(Shape(joined_.text(), 0, &node, 0));
    // As in BuildKit, ONBUILD looks one level down: `ONBUILD RUN <<EOF` reads a body.
    Node* target = node.keyword == "onbuild" && node.sub ? node.sub.get() : &node;
    if (TakesHeredocs(*target)) BUILDER_TRY(ReadHeredocs(target));

    const SourcePos end{cursor_.line_number(), std::max(1, static_cast<int>(last_length_))};
    node.range = {{first, col}, end};
    for (Node* sub = node.sub.get(); sub != nullptr; sub = sub->sub.get()) sub->range.end = end;
    ast_.children.push_back(std::move(node));
    return {};
  }

  // Shapes `line` (at `offset` of the joined text) into *node, then its ONBUILD sub-instruction.
  Result<void> Shape(std::string_view line, std::size_t offset, Node* node, int depth) {
    auto shaped = ShapeLine(line, directives_.directives().escape);
    if (!shaped) {
      return Fail(ast_.ErrorAt(joined_.PosAt(offset + shaped.error().offset),
                               std::move(shaped.error().message)));
    }
    node->keyword = std::move(shaped->keyword);
    node->original.assign(line);
    node->flags = std::move(shaped->flags);
    node->flag_pos.reserve(shaped->flag_offsets.size());
    for (auto off : shaped->flag_offsets) node->flag_pos.push_back(joined_.PosAt(offset + off));
    node->args = std::move(shaped->args);
    node->args_pos = joined_.PosAt(offset + shaped->args_offset);
    node->json_form = shaped->json_form;
    node->range.start = joined_.PosAt(offset + shaped->keyword_offset);
    if (!shaped->has_sub) return {};
    if (depth + 1 > kMaxOnbuildDepth) {  // this node is ONBUILD number depth + 1
      return Fail(ast_.ErrorAt(joined_.PosAt(offset + shaped->rest_offset),
                               "ONBUILD instructions nested too deeply"));
    }
    node->sub = std::make_unique<Node>();
    return Shape(shaped->rest, offset + shaped->rest_offset, node->sub.get(), depth + 1);
  }

  // Reads the bodies of the heredocs the instruction opens from the lines after it.
  Result<void> ReadHeredocs(Node* node) {
    auto openers = HeredocsFromLine(joined_.text());
    if (!openers) {
      return Fail(
          ast_.ErrorAt(joined_.PosAt(openers.error().offset), std::move(openers.error().message)));
    }
    for (auto& opener : *openers) {
      Heredoc& heredoc = opener.heredoc;
      bool terminated = false;
      PhysicalLine line;
      while (BUILDER_TRY(Fetch(&line))) {
        std::string_view candidate = line.text;
        if (heredoc.chomp) {
          while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
        }
        if (candidate == heredoc.name) {
          terminated = true;
          break;
        }
        heredoc.content.append(line.raw);
        if (line.has_newline) heredoc.content += '\n';
      }
      if (!terminated) {
        return Fail(ast_.ErrorAt(
            joined_.PosAt(opener.offset),
            "unterminated heredoc: no line \"" + heredoc.name + "\" before the end of the file"));
      }
      heredoc.pos = joined_.PosAt(opener.offset);
      node->heredocs.push_back(std::move(heredoc));
    }
    return {};
  }

  std::string_view content_;
  Ast ast_;
  LineCursor cursor_;
  std::size_t last_length_ = 0;  // of the line Fetch read last
  DirectiveParser directives_;
  JoinedLine joined_;
};

}  // namespace

Result<Ast> ParseDockerfile(std::string_view content, std::string file) {
  return Builder(content, std::move(file)).Run();
}

}  // namespace builder::parser

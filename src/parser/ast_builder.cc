// ParseDockerfile: lines -> directives, comments, continuations -> shaped instructions with
// heredoc bodies and source ranges, following BuildKit's parser.Parse line for line.
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
  Builder(std::string_view content, std::string file) : content_(content) {
    ast_.file = std::move(file);
  }

  Result<Ast> Run() {
    int too_long = 0;
    lines_ = SplitLines(content_, &too_long);
    ast_.lines.reserve(lines_.size());
    for (const auto& line : lines_) ast_.lines.emplace_back(line.text);
    if (too_long > 0) {
      return Fail(ast_.ErrorAt({too_long, 1}, "dockerfile line greater than max allowed size of " +
                                                  std::to_string(kMaxLineBytes)));
    }
    // Every instruction takes at least one line, so this never reallocates; the pages of the
    // unused capacity are never touched, so they cost address space, not memory.
    ast_.children.reserve(lines_.size());
    while (next_ < lines_.size()) BUILDER_TRY(Instruction());
    ast_.directives = directives_.directives();
    if (ast_.children.empty()) {
      const int last = std::max<int>(1, static_cast<int>(lines_.size()));
      return Fail(ast_.ErrorAt({last, 1}, "file with no instructions"));
    }
    return std::move(ast_);
  }

 private:
  // Consumes the next instruction (or the comment/blank/directive line in front of it).
  Result<void> Instruction() {
    const int first = static_cast<int>(next_) + 1;
    const std::string_view text = TrimLeftSpace(lines_[next_++].text);
    const int col = static_cast<int>(lines_[first - 1].text.size() - text.size()) + 1;
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
    while (more && next_ < lines_.size()) {
      const int number = static_cast<int>(next_) + 1;
      const std::string_view line = lines_[next_++].text;
      if (IsComment(line)) continue;
      if (TrimLeftSpace(line).empty()) {
        if (!empty_line) empty_line = SourcePos{number, 1};
        continue;
      }
      std::tie(piece, more) = TrimContinuation(line, escape);
      joined_.Append(piece, number, 1);
    }
    if (empty_line) {
      ast_.warnings.push_back(
          {*empty_line, "empty continuation line (empty continuation lines will become errors "
                        "in a future release)"});
    }

    Node node;
    BUILDER_TRY(Shape(joined_.text(), 0, &node, 0));
    // As in BuildKit, ONBUILD looks one level down: `ONBUILD RUN <<EOF` reads a body.
    Node* target = node.keyword == "onbuild" && node.sub ? node.sub.get() : &node;
    if (TakesHeredocs(*target)) BUILDER_TRY(ReadHeredocs(target));

    const int last = static_cast<int>(next_);
    const SourcePos end{last, std::max(1, static_cast<int>(lines_[last - 1].text.size()))};
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
    if (depth + 1 >= kMaxOnbuildDepth) {
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
      return Fail(ast_.ErrorAt(joined_.PosAt(openers.error().offset),
                               std::move(openers.error().message)));
    }
    for (auto& opener : *openers) {
      Heredoc& heredoc = opener.heredoc;
      bool terminated = false;
      while (next_ < lines_.size()) {
        const PhysicalLine& line = lines_[next_++];
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
        return Fail(ast_.ErrorAt(joined_.PosAt(opener.offset),
                                 "unterminated heredoc: no line \"" + heredoc.name +
                                     "\" before the end of the file"));
      }
      heredoc.pos = joined_.PosAt(opener.offset);
      node->heredocs.push_back(std::move(heredoc));
    }
    return {};
  }

  std::string_view content_;
  Ast ast_;
  std::vector<PhysicalLine> lines_;
  std::size_t next_ = 0;
  DirectiveParser directives_;
  JoinedLine joined_;
};

}  // namespace

Result<Ast> ParseDockerfile(std::string_view content, std::string file) {
  return Builder(content, std::move(file)).Run();
}

}  // namespace builder::parser

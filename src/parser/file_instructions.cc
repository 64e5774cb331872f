// COPY and ADD: flags, sources (paths and heredocs) and destination.
#include <optional>

#include "filespec/file_mode.h"
#include "parser/node_reader.h"

namespace builder::parser {

namespace {

// The heredoc name a word like `<<EOF`, `<<-"EOF"` or `3<<'EOF'` refers to (BuildKit's
// `^(\d*)<<(-?)\s*([^<]*)$`, then quotes removed); nullopt for any other word.
std::optional<std::string> HeredocWordName(std::string_view word) {
  std::size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  if (word.substr(i, 2) != "<<") return std::nullopt;
  i += 2;
  if (i < word.size() && word[i] == '-') ++i;
  while (i < word.size() && (word[i] == ' ' || word[i] == '\t')) ++i;
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  std::string name;
  for (char c : rest)
    if (c != '\'' && c != '"') name += c;
  if (name.empty()) return std::nullopt;
  return name;
}

// The heredoc a `<<NAME` word opens. The lexer lists heredocs in opener order, so the next
// unused one is normally it; a name lookup covers words the two regexes see differently.
const Heredoc* TakeHeredoc(const Node& node, std::string_view name, std::size_t* next) {
  if (*next < node.heredocs.size() && node.heredocs[*next].name == name)
    return &node.heredocs[(*next)++];
  for (const Heredoc& h : node.heredocs)
    if (h.name == name) return &h;
  return nullptr;
}

// The part COPY and ADD share; `command` is "COPY" or "ADD". Flags are parsed by the caller.
Result<void> FillCopyBase(const NodeReader& r, std::string_view command, const FlagSet& flags,
                          CopyBase* out) {
  const Node& node = r.node();
  std::string cmd(command);
  static_cast<InstructionBase&>(*out) = r.Base();
  out->json_form = node.json_form;
  out->dest = node.args.back();
  std::size_t next = 0;
  for (std::size_t i = 0; i + 1 < node.args.size(); ++i) {
    const std::string& src = node.args[i];
    std::optional<std::string> name = node.json_form ? std::nullopt : HeredocWordName(src);
    const Heredoc* h = name ? TakeHeredoc(node, *name, &next) : nullptr;
    if (h != nullptr) {
      out->heredocs.push_back({h->name, h->content, h->expand, h->chomp});
    } else {
      out->sources.push_back(src);
    }
  }
  if (std::optional<std::string> name =
          node.json_form ? std::nullopt : HeredocWordName(out->dest)) {
    if (const Heredoc* h = TakeHeredoc(node, *name, &next)) {
      std::string message = cmd + " cannot accept a heredoc as a destination";
      if (h->pos.line > 0) return std::unexpected(r.ast().ErrorAt(h->pos, std::move(message)));
      return r.AtArg(node.args.size() - 1, std::move(message));
    }
  }
  out->chown = flags.value("chown");
  out->chmod = flags.value("chmod");
  if (flags.used("chmod") && out->chmod.find('$') == std::string::npos) {
    auto mode = filespec::ParseChmod(out->chmod);
    if (!mode) return r.AtFlag(flags.index("chmod"), mode.error().message());
  }
  out->link = flags.is_true("link");
  for (const auto& o : flags.occurrences("exclude")) out->excludes.push_back(o.value);
  return {};
}

Result<void> CheckArgCount(const NodeReader& r, std::string_view command) {
  if (r.node().args.size() < 2) {
    return r.AtArgs(std::string(command) +
                    " requires at least two arguments, but only one was provided. Destination "
                    "could not be determined");
  }
  return {};
}

}  // namespace

Result<CopyInst> ParseCopy(const NodeReader& r) {
  BUILDER_TRY(CheckArgCount(r, "COPY"));
  FlagSet flags;
  flags.AddString("chown");
  flags.AddString("from");
  flags.AddString("chmod");
  flags.AddBool("link");
  flags.AddStrings("exclude");
  flags.AddBool("parents");
  BUILDER_TRY(r.ParseFlags(flags));
  CopyInst inst;
  BUILDER_TRY(FillCopyBase(r, "COPY", flags, &inst));
  inst.from = flags.value("from");
  if (inst.from.find('$') != std::string::npos) {
    return r.AtFlag(flags.index("from"),
                    "variable expansion is not supported for --from, define a new stage with FROM "
                    "using ARG from global scope as a workaround");
  }
  inst.parents = flags.is_true("parents");
  return inst;
}

Result<AddInst> ParseAdd(const NodeReader& r) {
  BUILDER_TRY(CheckArgCount(r, "ADD"));
  FlagSet flags;
  flags.AddString("chown");
  flags.AddString("chmod");
  flags.AddBool("link");
  flags.AddBool("keep-git-dir");
  flags.AddString("checksum");
  flags.AddBool("unpack");
  flags.AddStrings("exclude");
  BUILDER_TRY(r.ParseFlags(flags));
  AddInst inst;
  BUILDER_TRY(FillCopyBase(r, "ADD", flags, &inst));
  inst.checksum = flags.value("checksum");
  if (flags.used("checksum") && inst.sources.size() + inst.heredocs.size() != 1)
    return r.AtFlag(flags.index("checksum"), "checksum can't be specified for multiple sources");
  inst.keep_git_dir = flags.is_true("keep-git-dir");
  if (flags.used("unpack")) inst.unpack = flags.is_true("unpack");
  return inst;
}

}  // namespace builder::parser

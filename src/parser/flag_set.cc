// Flag parsing with BuildKit's bflag.go rules and messages.
#include "parser/flag_set.h"

#include "parser/suggest.h"

namespace builder::parser {

namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

void FlagSet::Add(std::string name, Kind kind) { flags_.push_back({std::move(name), kind, {}}); }

const FlagSet::Flag* FlagSet::Find(std::string_view name) const {
  for (const Flag& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

FlagSet::Flag* FlagSet::Find(std::string_view name) {
  for (Flag& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

std::expected<void, FlagError> FlagSet::Parse(const std::vector<std::string>& words) {
  auto fail = [](std::size_t i, std::string message) {
    return std::unexpected(FlagError{i, std::move(message)});
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view word = words[i];
    if (word == "--") return {};
    if (!word.starts_with("--")) return fail(i, "arg should start with -- : " + std::string(word));
    std::size_t eq = word.find('=');
    bool has_value = eq != std::string_view::npos;
    std::string_view flag_name = has_value ? word.substr(0, eq) : word;
    std::string_view value = has_value ? word.substr(eq + 1) : std::string_view();
    std::string_view name = flag_name.substr(2);

    Flag* flag = Find(name);
    if (flag == nullptr) {
      std::vector<std::string_view> names;
      for (const Flag& f : flags_) names.push_back(f.name);
      return fail(i, WithSuggestion("unknown flag: " + std::string(flag_name), name, names, true));
    }
    if (!flag->seen.empty() && flag->kind != Kind::kStrings)
      return fail(i, "duplicate flag specified: " + std::string(flag_name));

    switch (flag->kind) {
      case Kind::kBool: {
        if (has_value && value.empty())
          return fail(i, "missing a value on flag: " + std::string(flag_name));
        std::string lower = ToLower(value);
        if (lower.empty() || lower == "true") {
          lower = "true";
        } else if (lower != "false") {
          return fail(i, "expecting boolean value for flag " + std::string(flag_name) +
                             ", not: " + std::string(value));
        }
        flag->seen.push_back({lower, i});
        break;
      }
      case Kind::kString:
      case Kind::kStrings:
        if (!has_value) return fail(i, "missing a value on flag: " + std::string(flag_name));
        flag->seen.push_back({std::string(value), i});
        break;
    }
  }
  return {};
}

bool FlagSet::used(std::string_view name) const {
  const Flag* f = Find(name);
  return f != nullptr && !f->seen.empty();
}

std::string FlagSet::value(std::string_view name) const {
  const Flag* f = Find(name);
  if (f == nullptr || f->seen.empty()) return f != nullptr && f->kind == Kind::kBool ? "false" : "";
  return f->seen.back().value;
}

const std::vector<FlagSet::Occurrence>& FlagSet::occurrences(std::string_view name) const {
  static const std::vector<Occurrence> kNone;
  const Flag* f = Find(name);
  return f != nullptr ? f->seen : kNone;
}

std::size_t FlagSet::index(std::string_view name) const {
  const Flag* f = Find(name);
  return f != nullptr && !f->seen.empty() ? f->seen.back().index : 0;
}

}  // namespace builder::parser

// Parsing and rendering of the --format template subset.
#include "format_template.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace builder::cli {

namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out += s[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<FormatTemplate> FormatTemplate::Parse(std::string_view text,
                                             const std::vector<std::string>& fields) {
  FormatTemplate t;
  if (text == "table" || text.starts_with("table ")) {
    t.table_ = true;
    text.remove_prefix(std::min<std::size_t>(text.size(), 6));
  }
  while (!text.empty()) {
    std::size_t open = text.find("{{");
    if (open == std::string_view::npos) {
      t.pieces_.push_back({Unescape(text)});
      break;
    }
    if (open > 0) t.pieces_.push_back({Unescape(text.substr(0, open))});
    std::size_t close = text.find("}}", open);
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument, "template: unclosed action in " + std::string(text));
    }
    std::string_view action = Trim(text.substr(open + 2, close - open - 2));
    bool json = false;
    if (action.starts_with("json ")) {
      json = true;
      action = Trim(action.substr(5));
    }
    if (!action.starts_with(".") || action.size() < 2) {
      return Fail(ErrorCode::kInvalidArgument,
                  "template: unsupported action {{" + std::string(action) +
                      "}} (only {{.Field}} and {{json .Field}} are supported)");
    }
    std::string name(action.substr(1));
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
      return Fail(ErrorCode::kInvalidArgument, "template: can't evaluate field " + name);
    }
    t.pieces_.push_back({name, true, json});
    text.remove_prefix(close + 2);
  }
  return t;
}

std::string FormatTemplate::Render(const std::map<std::string, std::string>& values) const {
  std::string out;
  for (const Piece& p : pieces_) {
    if (!p.field) {
      out += p.text;
      continue;
    }
    auto it = values.find(p.text);
    std::string value = it == values.end() ? "" : it->second;
    out += p.json ? nlohmann::json(value).dump() : value;
  }
  return out;
}

std::string FormatTemplate::Header(const std::map<std::string, std::string>& headers) const {
  std::string out;
  for (const Piece& p : pieces_) {
    if (!p.field) {
      out += p.text;
      continue;
    }
    auto it = headers.find(p.text);
    if (it != headers.end()) {
      out += it->second;
    } else {
      std::string upper = p.text;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out += upper;
    }
  }
  return out;
}

}  // namespace builder::cli

// `builder search [--limit N] [--format json|TEMPLATE] [--no-trunc] TERM`: Docker Hub's search,
// or a registry's catalog ("REGISTRY/TERM"), as docker's table.
#include <iostream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "format_template.h"
#include "registry/credential_store.h"
#include "registry/curl_transport.h"
#include "registry/search.h"
#include "table.h"

namespace builder::cli {
namespace {

const std::vector<std::string> kFields = {"Name", "Description", "StarCount", "IsOfficial", "IsAutomated"};
const std::map<std::string, std::string> kHeaders = {{"Name", "NAME"},
                                                     {"Description", "DESCRIPTION"},
                                                     {"StarCount", "STARS"},
                                                     {"IsOfficial", "OFFICIAL"},
                                                     {"IsAutomated", "AUTOMATED"}};

// Docker's formatter.Ellipsis: longer than `width` code points -> width-1 of them and "…".
std::string Ellipsis(const std::string& s, std::size_t width) {
  if (TextWidth(s) <= width) return s;
  std::string out;
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool starts = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts && ++points > width - 1) break;
    out += s[i];
  }
  return out + "\xE2\x80\xA6";
}

std::map<std::string, std::string> Row(const registry::SearchResult& r, bool no_trunc) {
  std::string desc = r.description;
  for (char& c : desc)
    if (c == '\n' || c == '\r') c = ' ';
  if (!no_trunc) desc = Ellipsis(desc, 45);
  return {{"Name", r.name},
          {"Description", desc},
          {"StarCount", std::to_string(r.stars)},
          {"IsOfficial", r.official ? "[OK]" : ""},
          {"IsAutomated", r.automated ? "[OK]" : ""}};
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    cells.push_back(line.substr(start, tab - start));
  cells.push_back(line.substr(start));
  return cells;
}

}  // namespace

void RegisterSearch(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("search", "Search Docker Hub (or REGISTRY/TERM: a registry's catalog) for images");
  static std::string term, format;
  static std::size_t limit = 0;
  static bool no_trunc = false;
  cmd->add_option("TERM", term, "Search term")->required();
  cmd->add_option("--limit", limit, "Max number of search results");
  cmd->add_option("--format", format, "Format output: 'json' or a Go template ({{.Name}}, {{.Description}}, "
                                      "{{.StarCount}}, {{.IsOfficial}}, {{.IsAutomated}})");
  cmd->add_flag("--no-trunc", no_trunc, "Don't truncate output");
  cmd->callback([status] {
    auto run = [&]() -> Result<void> {
      registry::SearchTarget target = registry::ParseSearchTerm(term);
      std::string tmpl_text = format;
      if (tmpl_text.empty()) tmpl_text = "table {{.Name}}\\t{{.Description}}\\t{{.StarCount}}\\t{{.IsOfficial}}";
      std::optional<FormatTemplate> tmpl;
      if (format != "json") tmpl = BUILDER_TRY(FormatTemplate::Parse(tmpl_text, kFields));
      auto transport = registry::MakeCurlTransport();
      std::string domain = target.domain;
      auto results = registry::Search(*transport, target, limit,
                                      [domain] { return registry::LoadStoredCredentials(domain); });
      if (!results) return Fail(std::move(results.error()));
      if (!tmpl) {
        for (const auto& r : *results) std::cout << nlohmann::json(Row(r, true)).dump() << '\n';
        return {};
      }
      if (!tmpl->table()) {
        for (const auto& r : *results) std::cout << tmpl->Render(Row(r, no_trunc)) << '\n';
        return {};
      }
      TabWriter table;
      table.AddRow(SplitTabs(tmpl->Header(kHeaders)));
      for (const auto& r : *results) table.AddRow(SplitTabs(tmpl->Render(Row(r, no_trunc))));
      table.Print(std::cout);
      return {};
    };
    if (auto done = run(); !done) *status = ReportError(done.error());
  });
}

}  // namespace builder::cli

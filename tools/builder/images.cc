// `builder images [REPO[:TAG]]`: lists the store's images as `docker images` does.
#include <fnmatch.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>

#include "commands.h"
#include "format_template.h"
#include "human.h"
#include "table.h"

namespace builder::cli {

namespace {

const std::vector<std::string> kFields = {"Repository", "Tag",          "ID",  "Digest",
                                          "CreatedAt",  "CreatedSince", "Size"};
const std::map<std::string, std::string> kHeaders = {
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"},          {"ID", "IMAGE ID"},
    {"Digest", "DIGEST"},         {"CreatedAt", "CREATED AT"}, {"CreatedSince", "CREATED"},
    {"Size", "SIZE"}};

struct Options {
  std::string filter;
  bool quiet = false;
  bool no_trunc = false;
  bool digests = false;
  std::string format;
};

/// docker's reference filter: a glob over the familiar "name:tag", or the name alone.
bool Matches(const std::string& pattern, const oci::Reference& ref) {
  for (const std::string& candidate :
       {ref.FamiliarString(), ref.FamiliarName(), ref.String(), ref.Name()}) {
    if (::fnmatch(pattern.c_str(), candidate.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

std::vector<std::map<std::string, std::string>> Rows(const std::vector<oci::StoredImage>& images,
                                                     const Options& opt) {
  const std::time_t now = std::time(nullptr);
  std::vector<const oci::StoredImage*> order;
  for (const auto& image : images) order.push_back(&image);
  auto created = [](const oci::StoredImage* i) { return ParseRfc3339(i->config.created).value_or(0); };
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto* a, const auto* b) { return created(a) > created(b); });
  std::vector<std::map<std::string, std::string>> rows;
  for (const oci::StoredImage* image : order) {
    std::map<std::string, std::string> base = {
        {"ID", opt.no_trunc ? image->id().str() : image->id().ShortId()},
        {"Digest", image->digest().str()},
        {"CreatedAt", GoTimeString(image->config.created)},
        {"CreatedSince", CreatedSince(image->config.created, now)},
        {"Size", DockerSize(image->Size())},
    };
    std::vector<oci::Reference> tags = image->tags;
    std::sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) {
      return a.FamiliarString() < b.FamiliarString();
    });
    if (tags.empty()) {
      if (!opt.filter.empty()) continue;  // dangling images never match a reference filter
      auto row = base;
      row["Repository"] = "<none>";
      row["Tag"] = "<none>";
      rows.push_back(std::move(row));
    }
    for (const oci::Reference& tag : tags) {
      if (!opt.filter.empty() && !Matches(opt.filter, tag)) continue;
      auto row = base;
      row["Repository"] = tag.FamiliarName();
      row["Tag"] = tag.tag();
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

Result<void> Run(const Options& opt) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  std::vector<Error> damaged;
  std::vector<oci::StoredImage> images = BUILDER_TRY(store.List(&damaged));
  for (const Error& e : damaged) {
    std::cerr << "builder: warning: " << e.ToString() << " (see builder debug fsck)\n";
  }
  auto rows = Rows(images, opt);
  std::string format = opt.format;
  if (opt.quiet && format != "json") {
    format = "{{.ID}}";
  } else if (format.empty()) {
    format = opt.digests ? "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t"
                           "{{.CreatedSince}}\\t{{.Size}}"
                         : "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
  }
  return PrintRows(format, kFields, rows, kHeaders, std::cout);
}

}  // namespace

void RegisterImages(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("images", "List images");
  static Options opt;
  cmd->add_option("REPOSITORY", opt.filter, "Only images whose [REPOSITORY[:TAG]] matches (globs)");
  cmd->add_flag("-q,--quiet", opt.quiet, "Only show image IDs");
  cmd->add_flag("--no-trunc", opt.no_trunc, "Don't truncate output");
  cmd->add_flag("--digests", opt.digests, "Show digests");
  cmd->add_option("--format", opt.format,
                  "json, or a template: {{.Repository}} {{.Tag}} {{.ID}} {{.Digest}} "
                  "{{.CreatedAt}} {{.CreatedSince}} {{.Size}}, \\t for tabs, 'table ...' for columns");
  cmd->callback([status] {
    if (auto r = Run(opt); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli

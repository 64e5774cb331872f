// `builder history IMAGE`: the image's build steps, newest first, as `docker history`.
#include <algorithm>
#include <ctime>
#include <iostream>

#include "commands.h"
#include "human.h"
#include "table.h"

namespace builder::cli {

namespace {

struct Options {
  std::string name;
  bool no_trunc = false;
  bool quiet = false;
};

Result<void> Run(const Options& opt) {
  oci::ImageStore store = BUILDER_TRY(OpenStore());
  oci::StoredImage image = BUILDER_TRY(store.Resolve(opt.name));
  struct Row {
    oci::HistoryEntry entry;
    std::int64_t size = 0;
  };
  std::vector<Row> rows;
  std::size_t layer = 0;
  const auto& layers = image.manifest.layers;
  for (const oci::HistoryEntry& h : image.config.history) {
    Row row{h, 0};
    // Sizes are the stored (compressed) layer blobs; docker shows unpacked sizes.
    if (!h.empty_layer && layer < layers.size()) row.size = layers[layer++].size;
    rows.push_back(std::move(row));
  }
  // Layers the history does not account for (images made without history).
  for (; layer < layers.size(); ++layer) rows.push_back({{}, layers[layer].size});
  std::reverse(rows.begin(), rows.end());

  const std::string id = opt.no_trunc ? image.id().str() : image.id().ShortId();
  if (opt.quiet) {
    for (std::size_t i = 0; i < rows.size(); ++i) std::cout << (i == 0 ? id : "<missing>") << '\n';
    return {};
  }
  const std::time_t now = std::time(nullptr);
  TabWriter table;
  table.AddRow({"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string created_by = rows[i].entry.created_by;
    std::replace(created_by.begin(), created_by.end(), '\t', ' ');
    if (!opt.no_trunc) created_by = Ellipsis(created_by, 45);
    table.AddRow({i == 0 ? id : "<missing>", CreatedSince(rows[i].entry.created, now), created_by,
                  DockerSize(rows[i].size), rows[i].entry.comment});
  }
  table.Print(std::cout);
  return {};
}

}  // namespace

void RegisterHistory(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("history", "Show the history of an image");
  static Options opt;
  cmd->add_option("IMAGE", opt.name, "Image name, ID or ID prefix")->required();
  cmd->add_flag("--no-trunc", opt.no_trunc, "Don't truncate output");
  cmd->add_flag("-q,--quiet", opt.quiet, "Only show image IDs");
  cmd->callback([status] {
    if (auto r = Run(opt); !r) *status = ReportError(r.error());
  });
}

}  // namespace builder::cli

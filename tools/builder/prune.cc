// `builder prune [-f] [-a|--cache]`: drops dangling images, then frees blobs, snapshots and
// staging files that neither an image nor the build cache references; --cache drops the build
// cache first.
#include <unistd.h>

#include <iostream>
#include <string>

#include "base/progress.h"
#include "cache/cache_index.h"
#include "commands.h"
#include "human.h"
#include "oci/gc.h"

namespace builder::cli {

void RegisterPrune(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand(
      "prune", "Remove dangling images, and blobs, snapshots and staging files that no image references");
  static bool force = false;
  static bool drop_cache = false;
  cmd->add_flag("-f,--force", force, "Do not prompt for confirmation");
  cmd->add_flag("-a,--all,--cache", drop_cache,
                "Also remove the build cache (by default cached layers are kept)");
  cmd->callback([status] {
    // Like docker, ask first, but only when someone can answer: scripts (stdin not a
    // terminal) proceed without -f.
    if (!force && ::isatty(STDIN_FILENO)) {
      std::cout << "WARNING! This will remove all dangling images, and all blobs, snapshots and "
                   "staging files that no image references.\nAre you sure you want to continue? "
                   "[y/N] "
                << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") return;
    }
    std::uint64_t cache_entries = 0;
    std::size_t dangling = 0;
    auto run = [&]() -> Result<oci::PruneStats> {
      oci::ImageStore store = BUILDER_TRY(OpenStore());
      // Every rebuild to the same tag leaves the previous image untagged: kept forever, they
      // grew a bench store to 34 GB.
      dangling = BUILDER_TRY(store.RemoveDangling());
      // Blobs the build cache references stay: a prune must not turn every cache hit into a miss.
      cache::CacheIndex index = BUILDER_TRY(cache::CacheIndex::Open(store));
      if (drop_cache) cache_entries = BUILDER_TRY(index.Clear());
      auto progress = MakeProgress(ProgressMode::kAuto, stderr);
      oci::PruneOptions options{.progress = progress.get()};
      options.extra_roots = [&index] { return index.ReferencedBlobs(); };
      return oci::Prune(store, options);
    };
    auto stats = run();
    if (!stats) {
      *status = ReportError(stats.error());
      return;
    }
    if (dangling > 0) std::cout << "Deleted dangling images: " << dangling << '\n';
    if (drop_cache) std::cout << "Deleted build cache entries: " << cache_entries << '\n';
    std::cout << "Deleted blobs: " << stats->blobs_deleted
              << ", snapshots: " << stats->snapshots_deleted;
    if (stats->diffs_deleted > 0) std::cout << ", layer dirs: " << stats->diffs_deleted;
    std::cout << '\n'
              << "Total reclaimed space: "
              << DockerSize(static_cast<std::int64_t>(stats->bytes_reclaimed), 4) << '\n';
  });
}

}  // namespace builder::cli

// `builder commit [-c CHANGE]... [-m MSG] [-a AUTHOR] [-p] CONTAINER [REPOSITORY[:TAG]]`: a
// container's changes as a new image.
#include <iostream>
#include <optional>

#include "commands.h"
#include "planner/image_changes.h"
#include "runner/container_commit.h"
#include "runner/container_freeze.h"

namespace builder::cli {

void RegisterCommit(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("commit", "Create a new image from a container's changes");
  static std::vector<std::string> changes;
  static std::string message, author, ref, repository;
  static bool pause = true;
  cmd->add_option("-c,--change", changes, "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", message, "Commit message");
  cmd->add_option("-a,--author", author, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  cmd->add_flag("-p,--pause", pause, "Pause container during commit (default true; needs the container's own cgroup)");
  cmd->add_option("CONTAINER", ref, "Container (name, id or id prefix)")->required();
  cmd->add_option("REPOSITORY", repository, "REPOSITORY[:TAG] to tag the image");
  cmd->callback([status] {
    auto run = [&]() -> Result<runner::CommitResult> {
      runner::CommitOptions options;
      options.comment = message;
      options.author = author;
      options.edit_config = [](oci::ContainerConfig& config) { return planner::ApplyChanges(changes, config); };
      if (!repository.empty()) options.tag = BUILDER_TRY(oci::ParseTagReference(repository));
      oci::ImageStore images = BUILDER_TRY(OpenStore());
      runner::ContainerStore containers = BUILDER_TRY(OpenContainers());
      const std::string id = BUILDER_TRY(containers.Resolve(ref));
      // Held still while its upper dir is read (docker's default); thawed when `hold` goes.
      std::optional<runner::ContainerFreeze> hold;
      if (pause) hold.emplace(BUILDER_TRY(runner::ContainerFreeze::Freeze(containers, id)));
      return runner::CommitContainer(images, containers, id, options);
    };
    auto committed = run();
    if (!committed) {
      *status = ReportError(committed.error());
      return;
    }
    std::cout << committed->id.str() << '\n';
  });
}

}  // namespace builder::cli

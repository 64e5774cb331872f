// ImageSource: how a build finds the images it names (FROM, COPY --from, RUN --mount from=):
// the store first, else (or with --pull, always) the registry.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "executor/build_reporter.h"
#include "oci/image_store.h"
#include "planner/step.h"
#include "registry/registry_transport.h"

namespace builder::executor {

/// Pull policy and memory of one build: each name resolves once, so planning and execution see
/// the same image even when a tag moves mid-build. Resolve may be called from several threads (the
/// stages of a build); a pull happens once.
class ImageSource {
 public:
  /// `registry` may be null: nothing is pulled and a missing image fails telling the user how
  /// to get it. With `always_pull` (`build --pull`) every tag reference is re-resolved against
  /// the registry once per build; without it a stored image is used as is (docker's
  /// behaviour). `reporter` (not owned, may be null) gets one "[internal] pull <ref>" vertex
  /// per pull, numbered from next_id().
  ImageSource(const oci::ImageStore& store, registry::RegistryTransport* registry, bool always_pull,
              BuildReporter* reporter);

  /// The image `name` names, pulled when needed; nullopt for "scratch". `role` starts the
  /// error of a missing image ("base image"). Errors: kNotFound ("<role> <name> is not in the
  /// store ...", with the `builder pull`/`load`/`import` hint, plus the pull's error when one
  /// was tried: "pull <ref>: connect to ..."), the pull's errors under --pull.
  /// With `platform` (null: the host's) the image must be for that platform: a stored image
  /// for another one is not used, and the pull is narrowed to it and leaves the tag alone (the
  /// manifest is kept untagged), so a multi-platform build never moves the host's tag.
  [[nodiscard]] Result<std::optional<oci::StoredImage>> Resolve(const std::string& name,
                                                                std::string_view role = "image",
                                                                const oci::Platform* platform = nullptr);
  /// Resolves every image the plan reads (stage bases, COPY --from and RUN --mount from=
  /// images) so that execution finds them all in the store and in this memory.
  [[nodiscard]] Result<void> Prefetch(const planner::BuildPlan& plan);

  /// The next free reporter vertex number (pull vertices come first).
  int next_id() const { return next_id_; }

 private:
  [[nodiscard]] Result<oci::StoredImage> Pull(const std::string& name, const oci::Reference& ref,
                                              const oci::Platform* platform);

  const oci::ImageStore& store_;
  registry::RegistryTransport* registry_;
  bool always_pull_;
  BuildReporter* reporter_;
  int next_id_ = 1;
  std::map<std::string, std::optional<oci::StoredImage>> resolved_;
  std::recursive_mutex mu_;  // Resolve and Prefetch (which resolves)
};

}  // namespace builder::executor

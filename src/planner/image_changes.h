// `--change` for import and commit: Dockerfile instructions applied to an image's container config.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_config.h"

namespace builder::planner {

/// Applies each change ("CMD [\"/bin/sh\"]", "ENV A=b", ...) in order, as `docker import
/// --change` does: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR,
/// STOPSIGNAL, HEALTHCHECK and SHELL; variables expand against the config's Env as it stands.
/// Each change is parsed with the Dockerfile parser. ENTRYPOINT clears a CMD not set by these
/// changes. Errors: parse errors located in "--change", kInvalidArgument for other
/// instructions ("RUN is not a valid change command").
[[nodiscard]] Result<void> ApplyChanges(const std::vector<std::string>& changes,
                                        oci::ContainerConfig& config);

}  // namespace builder::planner

// SOURCE_DATE_EPOCH for reproducible images: from `--build-arg SOURCE_DATE_EPOCH=` or the environment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/error.h"

namespace builder::cli {

/// The epoch a reproducible image is stamped with: `build_args["SOURCE_DATE_EPOCH"]` when given
/// (as buildx, an explicit build arg wins), else the SOURCE_DATE_EPOCH environment variable;
/// nullopt when neither is set or both are empty. A value that is not a non-negative decimal
/// number of seconds fails with kInvalidArgument.
[[nodiscard]] Result<std::optional<std::int64_t>> SourceDateEpoch(
    const std::map<std::string, std::string>& build_args = {});

}  // namespace builder::cli

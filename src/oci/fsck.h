// Fsck: a full consistency check of the store (blob digests, index.json references, images).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/progress.h"
#include "oci/image_store.h"

namespace builder::oci {

struct FsckReport {
  std::vector<std::string> problems;  ///< one line each, naming the blob or reference
  std::uint64_t blobs = 0;            ///< blobs checked
  std::uint64_t images = 0;           ///< distinct index.json entries (by digest)
  bool ok() const { return problems.empty(); }
};

/// Checks, reporting every problem found rather than stopping at the first:
///  - every blob in blobs/sha256/ hashes to its name (stray names are problems too);
///  - index.json parses and every entry's blob exists with the entry's size;
///  - every manifest and index parses; every config, layer and child manifest they name exists
///    with the size given; every config parses and has as many diff_ids as the manifest layers;
///  - no ref.name is given to two different entries.
/// Staging files in tmp/ and unreferenced blobs are not problems (prune collects them).
/// Errors only when the store cannot be read at all (kIo); damage goes in the report.
[[nodiscard]] Result<FsckReport> Fsck(const ImageStore& store, Progress* progress = nullptr);

}  // namespace builder::oci

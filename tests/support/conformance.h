// Third-party conformance corpora (BUILDER_CONFORMANCE_DIR) are not part of a fresh clone: the test
// cases that read them skip themselves when they are missing, and the doctest main (doctest_main.cc)
// exits 77, ctest's SKIP_RETURN_CODE, when every test case it ran was skipped that way.
#pragma once

#include <filesystem>
#include <iostream>
#include <system_error>

namespace builder::testing {

/// Set by NeedConformance when the running test case skipped itself; read by doctest_main.cc.
inline bool g_conformance_skipped = false;

/// True when `path` (inside the conformance folder) exists; otherwise says why the test case is
/// skipped and how to point the build at the corpora.
inline bool HaveConformance(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return true;
  g_conformance_skipped = true;
  std::cout << "SKIPPED: conformance corpus not found at " << path.string()
            << " (configure with -DBUILDER_CONFORMANCE_DIR=<folder with buildkit-parser/, "
               "oci-image-spec-schema/, ...>)\n";
  return false;
}

}  // namespace builder::testing

// Ends the test case, reported as skipped, when the corpus at `path` is missing.
#define BUILDER_NEED_CONFORMANCE(path) \
  if (!::builder::testing::HaveConformance(path)) return

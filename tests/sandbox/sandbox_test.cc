// Real sandbox runs over a busybox rootfs: output, exit codes, isolation, the upper dir.
#include "sandbox/sandbox.h"

#include <doctest/doctest.h>

#include "sandbox_fixture.h"

namespace builder::sandbox {
namespace {

using testing::BusyboxRoot;
using testing::Exists;
using testing::SkipWithoutSandbox;

TEST_CASE("sandbox: echo reaches the stdout fd and exit code 0") {
  if (SkipWithoutSandbox()) return;
  BusyboxRoot root;
  auto result = RunSandboxed(root.Spec({"echo", "hello", "world"}));
  REQUIRE_MESSAGE(result, result.error().ToString());
  CHECK(result->status.ok());
  CHECK(root.out() == "hello world\n");
}

}  // namespace
}  // namespace builder::sandbox

// Tests for `import`/`commit` --change values applied to a container config.
#include "planner/image_changes.h"

#include <doctest/doctest.h>

namespace builder::planner {
namespace {

TEST_CASE("changes expand against the config's Env and apply in order") {
  oci::ContainerConfig config;
  config.env = {"HOME=/root"};
  config.cmd = {"old"};
  REQUIRE(ApplyChanges({"ENV A=$HOME/a", "WORKDIR $A", "LABEL k=\"$A\"", "ENTRYPOINT [\"/e\"]"}, config));
  CHECK(config.env == std::vector<std::string>{"HOME=/root", "A=/root/a"});
  CHECK(config.working_dir == "/root/a");
  CHECK(config.labels.at("k") == "/root/a");
  CHECK(config.entrypoint == std::vector<std::string>{"/e"});
  CHECK(config.cmd.empty());  // ENTRYPOINT clears a CMD these changes did not set
}

TEST_CASE("instructions other than config ones are refused, naming the change") {
  oci::ContainerConfig config;
  auto r = ApplyChanges({"RUN echo hi"}, config);
  REQUIRE_FALSE(r);
  CHECK(r.error().ToString().find("RUN is not a valid change command") != std::string::npos);
  CHECK_FALSE(ApplyChanges({"CMD x\nFROM y"}, config));
}

}  // namespace
}  // namespace builder::planner

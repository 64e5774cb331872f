// Tests for the binfmt_misc check behind RUN for a foreign architecture, over a fake binfmt dir.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "executor/foreign_arch.h"

namespace builder::executor {
namespace {

struct FakeBinfmt {
  std::string dir;
  FakeBinfmt() {
    char templ[] = "/tmp/binfmt-test-XXXXXX";
    dir = mkdtemp(templ);
  }
  ~FakeBinfmt() { std::filesystem::remove_all(dir); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir + "/" + name) << text; }
};

oci::Platform Foreign() {
  // arm64 on an amd64 host, amd64 elsewhere.
  return *oci::Platform::Parse(oci::Platform::Host().Normalized().architecture == "arm64" ? "linux/amd64"
                                                                                           : "linux/arm64");
}

TEST_CASE("the host's own platform needs no binfmt") {
  FakeBinfmt fake;
  CHECK(CheckCanRun(oci::Platform::Host(), fake.dir + "/absent"));
}

TEST_CASE("QemuHandlerName maps OCI architectures to qemu's names") {
  CHECK(QemuHandlerName("arm64") == "qemu-aarch64");
  CHECK(QemuHandlerName("amd64") == "qemu-x86_64");
  CHECK(QemuHandlerName("mips64le") == "qemu-mips64el");
  CHECK(QemuHandlerName("wasm").empty());
}

TEST_CASE("a foreign platform: unmounted, missing, disabled, without F, then ok") {
  FakeBinfmt fake;
  oci::Platform want = Foreign();
  std::string handler = QemuHandlerName(want.architecture);
  auto unmounted = CheckCanRun(want, fake.dir);
  REQUIRE(!unmounted);
  CHECK(unmounted.error().code() == ErrorCode::kUnsupported);
  CHECK(unmounted.error().message().find("not mounted") != std::string::npos);
  CHECK(unmounted.error().message().find("qemu-user-static") != std::string::npos);
  CHECK(unmounted.error().message().find("binfmt-support") != std::string::npos);
  fake.Write("status", "enabled\n");
  auto missing = CheckCanRun(want, fake.dir);
  REQUIRE(!missing);
  CHECK(missing.error().message().find("no " + handler + " handler") != std::string::npos);
  CHECK(missing.error().message().find("qemu-user-static") != std::string::npos);
  fake.Write(handler, "disabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: PF\n");
  auto disabled = CheckCanRun(want, fake.dir);
  REQUIRE(!disabled);
  CHECK(disabled.error().message().find("disabled") != std::string::npos);
  fake.Write(handler, "enabled\ninterpreter /usr/bin/qemu\nflags: P\n");
  auto no_f = CheckCanRun(want, fake.dir);
  REQUIRE(!no_f);
  CHECK(no_f.error().message().find("F (fix binary)") != std::string::npos);
  fake.Write(handler, "enabled\ninterpreter /usr/libexec/qemu-binfmt/x\nflags: PF\noffset 0\n");
  CHECK(CheckCanRun(want, fake.dir));
}

TEST_CASE("another OS is refused") {
  FakeBinfmt fake;
  auto r = CheckCanRun(*oci::Platform::Parse("windows/amd64"), fake.dir);
  REQUIRE(!r);
  CHECK(r.error().message().find("windows/amd64") != std::string::npos);
}

}  // namespace
}  // namespace builder::executor

// Foreign architectures: the binfmt_misc handler check behind RUN for another platform.
#include "executor/foreign_arch.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace builder::executor {

std::string QemuHandlerName(const std::string& architecture) {
  static const std::map<std::string, std::string> kNames = {
      {"amd64", "x86_64"},     {"386", "i386"},       {"arm64", "aarch64"}, {"arm", "arm"},
      {"ppc64le", "ppc64le"},  {"ppc64", "ppc64"},    {"s390x", "s390x"},   {"riscv64", "riscv64"},
      {"mips64le", "mips64el"}, {"mips64", "mips64"}, {"mipsle", "mipsel"}, {"mips", "mips"},
      {"loong64", "loongarch64"}};
  auto it = kNames.find(architecture);
  return it == kNames.end() ? "" : "qemu-" + it->second;
}

Result<void> CheckCanRun(const oci::Platform& platform, const std::string& binfmt_dir) {
  oci::Platform want = platform.Normalized();
  oci::Platform host = oci::Platform::Host().Normalized();
  if (want.os != host.os)
    return Fail(ErrorCode::kUnsupported, "RUN for " + want.ToString() + " cannot run on a " + host.os + " host");
  if (want.architecture == host.architecture) return {};
  if (want.architecture == "386" && host.architecture == "amd64") return {};  // the kernel runs both
  const std::string how =
      "install Debian's qemu-user-static and binfmt-support (apt-get install qemu-user-static "
      "binfmt-support), with binfmt_misc mounted (mount -t binfmt_misc binfmt_misc " + binfmt_dir +
      ") and the handlers registered (update-binfmts --enable)";
  const std::string what = "RUN for " + want.ToString() + " on this " + host.architecture + " host needs qemu-user";
  std::string handler = QemuHandlerName(want.architecture);
  if (handler.empty())
    return Fail(ErrorCode::kUnsupported, what + ", which has no emulator for " + want.architecture);
  struct stat st{};
  if (stat((binfmt_dir + "/status").c_str(), &st) != 0)
    return Fail(ErrorCode::kUnsupported, what + " through binfmt_misc, which is not mounted at " + binfmt_dir +
                                             ": " + how);
  std::ifstream in(binfmt_dir + "/" + handler);
  if (!in)
    return Fail(ErrorCode::kUnsupported, what + ", but binfmt_misc has no " + handler + " handler: " + how);
  std::string line, flags;
  bool enabled = false;
  while (std::getline(in, line)) {
    if (line == "enabled") enabled = true;
    if (line.starts_with("flags: ")) flags = line.substr(7);
  }
  if (!enabled)
    return Fail(ErrorCode::kUnsupported, what + ", but the binfmt_misc handler " + handler +
                                             " is disabled (update-binfmts --enable " + handler + ")");
  if (flags.find('F') == std::string::npos)
    return Fail(ErrorCode::kUnsupported,
                what + ", but the binfmt_misc handler " + handler + " lacks the F (fix binary) flag, so its " +
                    "interpreter is not found inside the build's root; qemu-user-static registers it with F " +
                    "(reinstall it, or update-binfmts --disable/--enable " + handler + ")");
  return {};
}

Result<void> CheckPlanRuns(const planner::BuildPlan& plan) {
  for (const planner::Plan& stage : plan.stages) {
    if (stage.platform.os.empty()) continue;
    bool runs = std::any_of(stage.steps.begin(), stage.steps.end(), [](const planner::Step& step) {
      return std::holds_alternative<planner::RunStep>(step.action);
    });
    if (runs) BUILDER_TRY(CheckCanRun(stage.platform));
  }
  return {};
}

}  // namespace builder::executor

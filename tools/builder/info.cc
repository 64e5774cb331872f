// `builder info [--format json]`: the store (root, usage, images, containers by state) and what
// this machine offers the runner, each probed rather than assumed: rootless or not, cgroups,
// user namespaces, overlayfs, seccomp.
#include <sys/prctl.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "base/path.h"
#include "commands.h"
#include "disk_usage.h"
#include "human.h"
#include "runner/networks.h"
#include "sandbox/cgroup.h"
#include "sandbox/sandbox.h"

namespace builder::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Probe(const Result<void>& r) { return r ? "yes" : "no (" + r.error().ToString() + ")"; }

Result<Json> Collect() {
  oci::ImageStore images = BUILDER_TRY(OpenStore());
  runner::ContainerStore containers = BUILDER_TRY(runner::ContainerStore::Open(images.root()));
  std::map<std::string, int> by_state = {{"running", 0}, {"paused", 0}, {"stopped", 0}};
  int total = 0;
  for (const std::string& id : BUILDER_TRY(containers.List())) {
    auto v = containers.View(id);
    if (!v) continue;
    ++total;
    if (v->state.status == runner::Status::kRunning || v->state.status == runner::Status::kRestarting) {
      ++by_state["running"];
    } else if (v->state.status == runner::Status::kPaused) {
      ++by_state["paused"];
    } else {
      ++by_state["stopped"];
    }
  }
  Json cgroups;
  if (auto cg = sandbox::DetectCgroups()) {
    cgroups = {{"Version", cg->ToString()}, {"Controllers", cg->controllers}};
  } else {
    cgroups = {{"Version", "unknown (" + cg.error().ToString() + ")"}, {"Controllers", Json::array()}};
  }
  auto filesystems = ReadFile("/proc/filesystems");
  const bool overlay = filesystems && filesystems->find("\toverlay\n") != std::string::npos;
  const bool seccomp = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 &&
                       ::access("/proc/sys/kernel/seccomp/actions_avail", R_OK) == 0;
  Json out;
  out["StoreRoot"] = images.root();
  std::int64_t usage = DiskUsage(images.root());
  out["StoreUsage"] = usage;
  out["StoreUsageHuman"] = DockerSize(usage);
  out["Images"] = BUILDER_TRY(images.List()).size();
  out["Containers"] = total;
  out["ContainersRunning"] = by_state["running"];
  out["ContainersPaused"] = by_state["paused"];
  out["ContainersStopped"] = by_state["stopped"];
  out["Rootless"] = std::getenv("BUILDER_USERNS") != nullptr || ::getuid() != 0;
  out["Cgroups"] = cgroups;
  out["UserNamespaces"] = Probe(sandbox::CheckUserNamespaces());
  out["Overlayfs"] = overlay ? "yes" : "no (not in /proc/filesystems)";
  out["Seccomp"] = seccomp ? "yes" : "no";
  out["DefaultNetwork"] = runner::DefaultNetworkMode();
  return out;
}

}  // namespace

void RegisterInfo(CLI::App& app, int* status) {
  auto* cmd = app.add_subcommand("info", "Display system-wide information");
  static std::string format;
  cmd->add_option("-f,--format", format, "json");
  cmd->callback([status] {
    auto info = Collect();
    if (!info) {
      *status = ReportError(info.error());
      return;
    }
    if (format == "json") {
      std::cout << info->dump() << '\n';
      return;
    }
    if (!format.empty()) {
      *status = ReportError(Error(ErrorCode::kInvalidArgument, "--format: only json is supported"));
      return;
    }
    for (const auto& [k, v] : info->items()) {
      std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << '\n';
    }
  });
}

}  // namespace builder::cli

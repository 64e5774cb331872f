// RuntimeSpec: the config.json for a SandboxSpec, its content, and validation against the
// runtime-spec JSON Schema (tests/sandbox/validate_runtime_spec.py, python3-jsonschema).
#include "sandbox/runtime_spec.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/path.h"
#include "base/subprocess.h"
#include "sandbox_fixture.h"
#include "support/conformance.h"

namespace builder::sandbox {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kSchemaDir = fs::path(BUILDER_CONFORMANCE_DIR) / "oci-runtime-spec-schema" / "schema";
// The source tree's testdata/ is the one path the test binary is told; the script sits beside us.
const std::string kScript =
    std::string(BUILDER_TESTDATA_DIR) + "/../tests/sandbox/validate_runtime_spec.py";
constexpr const char* kPython = "/usr/bin/python3";  // the system one has jsonschema

IdMaps RootlessMaps() {
  IdMaps maps;
  maps.uids = {{0, 1000, 1}, {1, 100000, 65536}};
  maps.gids = {{0, 1000, 1}, {1, 100000, 65536}};
  maps.use_helpers = true;
  return maps;
}

SandboxSpec BasicSpec() {
  SandboxSpec spec;
  spec.lower_dirs = {"/lower"};
  spec.argv = {"/bin/sh", "-c", "echo hi"};
  spec.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
  spec.cwd = "/work";
  spec.uid = 1000;
  spec.gid = 1000;
  spec.groups = {10, 20};
  return spec;
}

SandboxSpec FullSpec() {
  SandboxSpec spec = BasicSpec();
  spec.tty = true;
  spec.tty_rows = 40;
  spec.tty_cols = 120;
  spec.network = NetworkMode::kNone;
  spec.mount_sysfs = true;
  spec.binds = {{"/tmp", "/data/", false}, {"/etc/passwd", "/etc/host-passwd", true}};
  spec.tmpfs = {{"/run", 1 << 20, 0755, false, true}};
  spec.rlimits = {{RLIMIT_NOFILE, 1024, 2048}, {RLIMIT_NPROC, 100, 100}};
  spec.cgroup_limits = {.memory_bytes = 32 << 20, .cpu_quota_us = 50000, .cpu_period_us = 100000,
                        .pids_max = 64};
  spec.read_only_rootfs = true;
  spec.no_new_privileges = false;
  spec.hosts_file = "/etc/passwd";
  return spec;
}

RunResult Validate(const std::vector<std::string>& files, bool expect_invalid = false) {
  SpawnOptions options;
  options.argv = {kPython, kScript};
  if (expect_invalid) options.argv.push_back("--expect-invalid");
  options.argv.push_back(kSchemaDir.string());
  options.argv.insert(options.argv.end(), files.begin(), files.end());
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  auto result = RunProcess(options);
  REQUIRE_MESSAGE(result, (result ? "" : result.error().ToString()));
  return *result;
}

const json* FindMount(const json& spec, const std::string& destination) {
  for (const json& m : spec["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

TEST_CASE("the runtime spec carries the process, root and namespaces") {
  json spec = RuntimeSpec(BasicSpec(), "/bundle/rootfs", RootlessMaps());
  CHECK(spec["ociVersion"] == "1.0.2");
  CHECK(spec["root"]["path"] == "/bundle/rootfs");
  CHECK(spec["root"]["readonly"] == false);
  CHECK(spec["hostname"] == "builder");
  const json& p = spec["process"];
  CHECK(p["args"] == json({"/bin/sh", "-c", "echo hi"}));
  CHECK(p["cwd"] == "/work");
  CHECK(p["user"]["uid"] == 1000);
  CHECK(p["user"]["additionalGids"] == json({10, 20}));
  CHECK(p["noNewPrivileges"] == true);
  CHECK(p["terminal"] == false);
  const json& caps = p["capabilities"];
  CHECK(caps["bounding"].size() == 14);  // Docker's default set
  CHECK(caps["effective"] == caps["bounding"]);
  CHECK(caps["ambient"].empty());
  CHECK(std::find(caps["bounding"].begin(), caps["bounding"].end(), "CAP_CHOWN") !=
        caps["bounding"].end());
  CHECK(std::find(caps["bounding"].begin(), caps["bounding"].end(), "CAP_SYS_ADMIN") ==
        caps["bounding"].end());
  const json& lx = spec["linux"];
  CHECK(lx["uidMappings"][1] == json({{"containerID", 1}, {"hostID", 100000}, {"size", 65536}}));
  std::vector<std::string> ns;
  for (const json& n : lx["namespaces"]) ns.push_back(n["type"]);
  CHECK(ns == std::vector<std::string>{"pid", "ipc", "uts", "mount", "user"});
  CHECK(FindMount(spec, "/proc") != nullptr);
  CHECK((*FindMount(spec, "/dev/pts"))["options"].dump().find("gid=5") != std::string::npos);
  CHECK(FindMount(spec, "/sys") == nullptr);
  CHECK(lx["maskedPaths"].dump().find("/proc/kcore") != std::string::npos);
  CHECK(lx["readonlyPaths"].dump().find("/proc/sysrq-trigger") != std::string::npos);
  CHECK_FALSE(lx.contains("resources"));
}

TEST_CASE("the default seccomp policy is written as ALLOW plus EPERM rules") {
  json seccomp = RuntimeSpec(BasicSpec(), "/r", RootlessMaps())["linux"]["seccomp"];
  CHECK(seccomp["defaultAction"] == "SCMP_ACT_ALLOW");
  const json& denied = seccomp["syscalls"][0];
  CHECK(denied["action"] == "SCMP_ACT_ERRNO");
  CHECK(denied["errnoRet"] == EPERM);
  for (const char* name : {"mount", "init_module", "finit_module", "keyctl", "bpf", "umount2"}) {
    CHECK_MESSAGE(std::find(denied["names"].begin(), denied["names"].end(), name) !=
                      denied["names"].end(),
                  name);
  }
  bool clone_newuser = false, clone3 = false;
  for (const json& rule : seccomp["syscalls"]) {
    if (rule.contains("args") && rule["args"][0]["value"] == CLONE_NEWUSER) clone_newuser = true;
    if (rule["names"] == json({"clone3"})) clone3 = rule["errnoRet"] == ENOSYS;
  }
  CHECK(clone_newuser);
  CHECK(clone3);
}

TEST_CASE("run options reach the spec: tty, limits, mounts, privileged, profiles") {
  json spec = RuntimeSpec(FullSpec(), "/r", RootlessMaps());
  CHECK(spec["process"]["terminal"] == true);
  CHECK(spec["process"]["consoleSize"] == json({{"height", 40}, {"width", 120}}));
  CHECK(spec["process"]["rlimits"][0] == json({{"type", "RLIMIT_NOFILE"}, {"hard", 2048}, {"soft", 1024}}));
  CHECK(spec["process"]["noNewPrivileges"] == false);
  CHECK(spec["root"]["readonly"] == true);
  const json& r = spec["linux"]["resources"];
  CHECK(r["memory"]["limit"] == 32 << 20);
  CHECK(r["cpu"]["quota"] == 50000);
  CHECK(r["pids"]["limit"] == 64);
  CHECK(spec["linux"]["namespaces"].back()["type"] == "network");
  CHECK((*FindMount(spec, "/sys"))["type"] == "sysfs");
  CHECK((*FindMount(spec, "/data"))["options"] == json({"rbind", "rw"}));
  CHECK((*FindMount(spec, "/etc/host-passwd"))["options"] == json({"rbind", "ro"}));
  CHECK((*FindMount(spec, "/etc/hosts"))["source"] == "/etc/passwd");
  CHECK((*FindMount(spec, "/etc/hosts"))["options"] == json({"rbind", "rw"}));
  CHECK((*FindMount(spec, "/dev/mqueue"))["type"] == "mqueue");
  CHECK((*FindMount(spec, "/run"))["options"] ==
        json({"nosuid", "nodev", "noexec", "mode=755", "size=1048576"}));

  SandboxSpec privileged = BasicSpec();
  privileged.privileged = true;
  json p = RuntimeSpec(privileged, "/r", RootlessMaps());
  CHECK_FALSE(p["linux"].contains("seccomp"));
  CHECK_FALSE(p["linux"].contains("maskedPaths"));
  CHECK(p["process"]["capabilities"]["bounding"].dump().find("CAP_SYS_ADMIN") != std::string::npos);

  SandboxSpec profile = BasicSpec();
  profile.seccomp = SeccompMode::kProfile;
  profile.seccomp_profile = R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
      "architectures":["SCMP_ARCH_X86_64"],
      "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_PTRACE"]}},
                  {"names":["chown"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_PTRACE"]}}]})";
  json s = RuntimeSpec(profile, "/r", RootlessMaps())["linux"]["seccomp"];
  CHECK(s["defaultAction"] == "SCMP_ACT_ERRNO");
  REQUIRE(s["syscalls"].size() == 2);  // ptrace needs a capability the command lacks
  CHECK(s["syscalls"][1]["names"] == json({"chown"}));

  SandboxSpec unconfined = BasicSpec();
  unconfined.seccomp = SeccompMode::kUnconfined;
  CHECK_FALSE(RuntimeSpec(unconfined, "/r", RootlessMaps())["linux"].contains("seccomp"));
}

TEST_CASE("every spec validates against the runtime-spec JSON schema") {
  BUILDER_NEED_CONFORMANCE(kSchemaDir);
  testing::TempDir dir;
  std::vector<std::string> files;
  auto add = [&](const std::string& name, const json& doc) {
    const std::string path = dir / (name + ".json");
    REQUIRE(WriteFileAtomic(path, doc.dump(2)));
    files.push_back(path);
  };
  add("basic", RuntimeSpec(BasicSpec(), "/r", RootlessMaps()));
  add("full", RuntimeSpec(FullSpec(), "rootfs", RootlessMaps()));
  SandboxSpec privileged = FullSpec();
  privileged.privileged = true;
  add("privileged", RuntimeSpec(privileged, "/r", IdMaps{{{0, 0, 4294967295u}}, {{0, 0, 4294967295u}}}));
  auto mine = RuntimeSpecForCurrentUser(BasicSpec(), "/r");
  REQUIRE_MESSAGE(mine, (mine ? "" : mine.error().ToString()));
  add("current-user", *mine);
  RunResult good = Validate(files);
  CHECK_MESSAGE(good.status.ok(), good.out << good.err);

  // The validator does reject: a spec whose seccomp action and capability names are wrong.
  json bad = RuntimeSpec(BasicSpec(), "/r", RootlessMaps());
  bad["linux"]["seccomp"]["defaultAction"] = "ALLOW";
  bad["linux"]["uidMappings"][0]["size"] = "one";
  const std::string bad_path = dir / "bad.json";
  REQUIRE(WriteFileAtomic(bad_path, bad.dump()));
  RunResult rejected = Validate({bad_path}, true);
  CHECK_MESSAGE(rejected.status.ok(), rejected.out << rejected.err);
}

}  // namespace
}  // namespace builder::sandbox

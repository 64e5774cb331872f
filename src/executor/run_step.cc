// Running one RUN step in the sandbox over the build's layers.
#include "executor/run_step.h"

#include <signal.h>
#include <unistd.h>

#include <deque>

#include "base/path.h"
#include "base/unique_fd.h"
#include "executor/context_copy.h"
#include "oci/user_db.h"
#include "sandbox/sandbox.h"

namespace builder::executor {
namespace {

constexpr std::size_t kTailLines = 6;

std::string Quote(const std::vector<std::string>& argv) {
  std::string out;
  for (std::size_t i = 0; i < argv.size(); ++i) out += (i ? " " : "") + argv[i];
  return out;
}

}  // namespace

Result<void> RunInSandbox(const planner::RunStep& step, const oci::MergedView& view,
                          const RunStepOptions& options) {
  auto user = oci::ResolveRunUser(view, step.user);
  if (!user) return Fail(std::move(user.error()));
  // The working directory must exist; like runc, create it (owned by root) when missing.
  std::vector<std::string> layers = {options.upper_dir};
  layers.insert(layers.end(), view.layers().begin(), view.layers().end());
  oci::MergedView with_upper(layers);
  std::string cwd = BUILDER_TRY(with_upper.Resolve(step.cwd, true));
  auto have = with_upper.Lookup(cwd);
  if (!have) BUILDER_TRY(EnsureDirInUpper(view, options.upper_dir, step.cwd, 0, 0));

  sandbox::SandboxSpec spec;
  spec.lower_dirs = view.layers();
  spec.upper_dir = options.upper_dir;
  spec.work_dir = options.work_dir;
  spec.argv = step.argv;
  spec.env = step.env;
  // As runc does: HOME from the user's passwd entry unless the image or a RUN sets it.
  bool has_home = false;
  for (const auto& e : spec.env) has_home = has_home || e.starts_with("HOME=");
  if (!has_home) spec.env.push_back("HOME=" + user->home);
  for (const std::string& extra : options.secret_env) {
    std::string key = extra.substr(0, extra.find('=') + 1);
    std::erase_if(spec.env, [&key](const std::string& e) { return e.starts_with(key); });
    spec.env.push_back(extra);
  }
  spec.cwd = step.cwd;
  spec.uid = user->uid;
  spec.gid = user->gid;
  spec.groups = user->groups;
  std::string network = step.network;
  if (network == "default" && !options.network_override.empty()) network = options.network_override;
  spec.network = network == "none" ? sandbox::NetworkMode::kNone : sandbox::NetworkMode::kHost;
  // The default is a namespace of its own with outbound access (BuildKit's): the host's
  // loopback services stay out of reach unless the Dockerfile or the build asks for host.
  std::unique_ptr<sandbox::NetworkAttachment> attachment;
  if (network == "default" && options.default_network) {
    spec.network = sandbox::NetworkMode::kConfigured;
    spec.configure_network = [&](pid_t child) -> Result<void> {
      attachment = BUILDER_TRY(options.default_network(child, options.scratch_dir));
      return {};
    };
  }
  spec.binds = options.binds;
  for (std::size_t i = 0; i < step.files.size(); ++i) {
    std::string host = options.scratch_dir + "/file-" + std::to_string(i);
    BUILDER_TRY(WriteFileAtomic(host, step.files[i].content, step.files[i].mode));
    spec.binds.push_back({host, step.files[i].path, true});
  }
  Pipe pipe = BUILDER_TRY(MakePipe());
  spec.stdout_fd = pipe.write.get();
  spec.stderr_fd = pipe.write.get();
  auto started = sandbox::Sandbox::Start(spec);
  pipe.write.Reset();
  if (!started) return Fail(std::move(started.error()).Context("run " + Quote(step.argv)));
  const pid_t init = started->pid();
  if (options.on_started) options.on_started();
  if (options.cancel && !options.cancel->Register(init)) started->Signal(SIGKILL);
  std::deque<std::string> tail;
  std::string pending;
  char buf[8192];
  auto emit = [&](std::string line) {
    if (options.on_line) options.on_line(line);
    tail.push_back(std::move(line));
    if (tail.size() > kTailLines) tail.pop_front();
  };
  while (true) {
    ssize_t n = read(pipe.read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      emit(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  if (!pending.empty()) emit(pending);
  // Before Wait reaps the init: a registered pid is never a reused one.
  if (options.cancel) options.cancel->Unregister(init);
  auto result = started->Wait();
  if (!result) return Fail(std::move(result.error()).Context("run " + Quote(step.argv)));
  if (!result->status.ok()) {
    std::string what = result->status.signal
                           ? "killed by signal " + std::to_string(result->status.signal)
                           : "exit code: " + std::to_string(result->status.code);
    std::string message = "process \"" + Quote(step.argv) + "\" did not complete successfully: " + what;
    if (!tail.empty()) {
      message += "\nlast output:";
      for (const auto& l : tail) message += "\n  " + l;
    }
    return Fail(ErrorCode::kInvalidArgument, message);
  }
  return {};
}

}  // namespace builder::executor

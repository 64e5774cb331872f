// The build's --secret values and --ssh agent sockets: what secret and ssh RUN mounts expose.
#include "executor/build_secrets.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/path.h"
#include "oci/remove_tree.h"

namespace builder::executor {
namespace {

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto comma = s.find(',', start);
    out.emplace_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

bool IsSocket(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// Waits for a freshly started ssh-agent to listen on its socket.
Result<void> WaitForSocket(const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    if (IsSocket(path)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Fail(ErrorCode::kIo, "ssh-agent did not create its socket " + path);
}

}  // namespace

BuildSecrets::~BuildSecrets() {
  agents_.clear();  // Child kills and reaps each agent before its socket goes
  if (!dir_.empty()) (void)oci::RemoveTree(dir_);
}

Result<void> BuildSecrets::EnsureDir() {
  if (!dir_.empty()) return {};
  std::string parent = "/tmp";
  struct statfs fs;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC && access("/dev/shm", W_OK) == 0)
    parent = "/dev/shm";
  else if (runtime && *runtime && access(runtime, W_OK) == 0)
    parent = runtime;
  std::string templ = parent + "/builder-secrets-XXXXXX";
  if (!mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
  dir_ = templ;
  return {};
}

Result<void> BuildSecrets::AddSecret(std::string_view flag) {
  std::string id, file, env, type;
  for (const std::string& field : SplitCommas(flag)) {
    auto eq = field.find('=');
    if (eq == std::string::npos)
      return Fail(ErrorCode::kInvalidArgument, "--secret: invalid field '" + field + "' must be a key=value pair");
    std::string key = Lower(field.substr(0, eq)), value = field.substr(eq + 1);
    if (key == "type") {
      if (value != "file" && value != "env")
        return Fail(ErrorCode::kInvalidArgument, "--secret: unsupported secret type \"" + value + "\"");
      type = value;
    } else if (key == "id") {
      id = value;
    } else if (key == "src" || key == "source") {
      file = value;
    } else if (key == "env") {
      env = value;
    } else {
      return Fail(ErrorCode::kInvalidArgument, "--secret: unexpected key '" + key + "' in '" + field + "'");
    }
  }
  if (type == "env" && env.empty()) std::swap(env, file);
  if (id.empty()) return Fail(ErrorCode::kInvalidArgument, "--secret: secret ID missing");
  if (file.empty() && env.empty()) {
    // buildx: the variable named like the id when it is set, else the file of that name.
    if (std::getenv(id.c_str())) env = id;
    else file = id;
  }
  BUILDER_TRY(EnsureDir());
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value)
      return Fail(ErrorCode::kNotFound, "--secret id=" + id + ": environment variable " + env + " is not set");
    secrets_[id] = value;
    return {};
  }
  auto value = ReadFile(file);
  if (!value) return Fail(std::move(value.error()).Context("--secret id=" + id + ": read " + file));
  secrets_[id] = std::move(*value);
  return {};
}

Result<void> BuildSecrets::AddSsh(std::string_view flag) {
  std::string id(flag), paths_text;
  if (auto eq = flag.find('='); eq != std::string_view::npos) {
    id = std::string(flag.substr(0, eq));
    paths_text = std::string(flag.substr(eq + 1));
  }
  if (id.empty()) return Fail(ErrorCode::kInvalidArgument, "--ssh: invalid empty id in '" + std::string(flag) + "'");
  std::vector<std::string> paths;
  if (!paths_text.empty()) paths = SplitCommas(paths_text);
  if (paths.empty()) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (!sock || !*sock)
      return Fail(ErrorCode::kInvalidArgument,
                  "--ssh " + id + ": invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
    paths.push_back(sock);
  }
  for (const auto& p : paths) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return FailErrno("--ssh " + id + ": stat " + p, errno);
  }
  if (paths.size() == 1 && IsSocket(paths[0])) {
    ssh_[id] = paths[0];
    return {};
  }
  // Key files (BuildKit loads them into an agent of its own): one ssh-agent per id, owned by the
  // build, in the foreground (-D) so that it stays our child and dies with this object.
  BUILDER_TRY(EnsureDir());
  std::string socket = dir_ + "/ssh-agent-" + std::to_string(agents_.size());
  auto agent = Spawn(SpawnOptions{.argv = {"ssh-agent", "-D", "-a", socket},
                                  .pipe_stdout = true,
                                  .pipe_stderr = true,
                                  .parent_death_signal = SIGKILL});
  if (!agent) {
    if (agent.error().code() == ErrorCode::kNotFound)
      return Fail(ErrorCode::kNotFound, "--ssh " + id + ": ssh-agent not found (install openssh-client)");
    return Fail(std::move(agent.error()).Context("--ssh " + id + ": start ssh-agent"));
  }
  agents_.push_back(std::make_unique<Child>(std::move(*agent)));
  BUILDER_TRY(WaitForSocket(socket));
  for (const auto& p : paths) {
    if (IsSocket(p)) return Fail(ErrorCode::kInvalidArgument, "--ssh " + id + ": " + p + " mixes a socket with key files");
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("SSH_AUTH_SOCK=")) env.emplace_back(*e);
    env.push_back("SSH_AUTH_SOCK=" + socket);
    // The key's passphrase (if any) cannot be asked for here: ssh-add fails and says so.
    auto added = RunProcess(SpawnOptions{.argv = {"ssh-add", "-q", p}, .env = env, .pipe_stdin = true,
                                         .pipe_stdout = true, .pipe_stderr = true});
    if (!added) return Fail(std::move(added.error()).Context("--ssh " + id + ": ssh-add " + p));
    if (!added->status.ok())
      return Fail(ErrorCode::kInvalidArgument, "--ssh " + id + ": ssh-add " + p + ": " + added->status.ToString() +
                                                   (added->err.empty() ? "" : ": " + added->err));
  }
  ssh_[id] = socket;
  return {};
}

const std::string* BuildSecrets::secret(const std::string& id) const {
  auto it = secrets_.find(id);
  return it == secrets_.end() ? nullptr : &it->second;
}

const std::string* BuildSecrets::ssh_socket(const std::string& id) const {
  auto it = ssh_.find(id);
  return it == ssh_.end() ? nullptr : &it->second;
}


}  // namespace builder::executor

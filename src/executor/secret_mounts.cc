// One RUN's secret and ssh mounts made real: secret files, forwarded agent sockets, env entries.
#include "executor/secret_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/path.h"
#include "base/unique_fd.h"
#include "executor/agent_proxy.h"
#include "executor/container_owner.h"
#include "oci/remove_tree.h"

namespace builder::executor {
namespace {

// Writes the value with the mount's owner and mode; the path is in our private dir.
Result<void> WriteSecretFile(const std::string& path, const std::string& value, const planner::RunMount& m) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return FailErrno("create secret file for " + m.secret_id, errno);
  std::size_t done = 0;
  while (done < value.size()) {
    ssize_t n = write(fd.get(), value.data() + done, value.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno("write secret file for " + m.secret_id, errno);
    done += static_cast<std::size_t>(n);
  }
  BUILDER_TRY(ChownToContainer(path, m.uid, m.gid));
  if (fchmod(fd.get(), m.mode) != 0) return FailErrno("chmod secret file for " + m.secret_id, errno);
  return {};
}

}  // namespace

SecretMounts::SecretMounts(SecretMounts&& other) noexcept
    : dir_(std::exchange(other.dir_, "")),
      binds_(std::move(other.binds_)),
      env_(std::move(other.env_)),
      proxies_(std::move(other.proxies_)) {}

SecretMounts& SecretMounts::operator=(SecretMounts&& other) noexcept {
  if (this != &other) {
    proxies_.clear();
    if (!dir_.empty()) (void)oci::RemoveTree(dir_);
    proxies_ = std::move(other.proxies_);
    dir_ = std::exchange(other.dir_, "");
    binds_ = std::move(other.binds_);
    env_ = std::move(other.env_);
  }
  return *this;
}

SecretMounts::~SecretMounts() {
  proxies_.clear();  // each joins its thread and removes its socket
  if (!dir_.empty()) (void)oci::RemoveTree(dir_);
}

void SecretMounts::RemoveFiles() {
  if (dir_.empty()) return;
  auto names = ListDirectory(dir_);
  if (!names) return;
  for (const std::string& name : *names) {
    const std::string path = dir_ + "/" + name;
    struct stat st;
    // Agent sockets stay: the proxy serves them for the whole RUN.
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
  }
}

Result<void> SecretMounts::EnsureDir(const BuildSecrets& secrets) {
  if (!dir_.empty()) return {};
  std::string templ = secrets.dir() + "/run-XXXXXX";
  if (!mkdtemp(templ.data())) return FailErrno("mkdtemp " + templ, errno);
  dir_ = templ;
  return {};
}

Result<SecretMounts> SecretMounts::Prepare(const BuildSecrets* secrets, const planner::RunStep& run) {
  SecretMounts out;
  bool ssh_env = std::any_of(run.env.begin(), run.env.end(),
                             [](const std::string& e) { return e.starts_with("SSH_AUTH_SOCK="); });
  std::size_t files = 0;
  for (const planner::RunMount& m : run.mounts) {
    if (m.type == "ssh") {
      const std::string* socket = secrets ? secrets->ssh_socket(m.secret_id) : nullptr;
      if (!socket) {
        if (m.required)
          return Fail(ErrorCode::kNotFound, "no SSH key \"" + m.secret_id +
                                                "\" forwarded from the client (pass it with --ssh " + m.secret_id + "=...)");
        continue;
      }
      // A relay of the RUN's own carries the mount's owner and mode (BuildKit's forwarding).
      BUILDER_TRY(out.EnsureDir(*secrets));
      std::string path = out.dir_ + "/ssh-" + std::to_string(files++);
      auto proxy = AgentProxy::Start(*socket, path, m.uid, m.gid, m.mode);
      if (!proxy) return Fail(std::move(proxy.error()).Context("forward ssh agent " + m.secret_id));
      out.proxies_.push_back(std::move(*proxy));
      out.binds_.push_back({path, m.target, false});
      if (!ssh_env) out.env_.push_back("SSH_AUTH_SOCK=" + m.target);
      ssh_env = true;
      continue;
    }
    if (m.type != "secret") continue;
    const std::string* value = secrets ? secrets->secret(m.secret_id) : nullptr;
    if (!value) {
      if (m.required)
        return Fail(ErrorCode::kNotFound, "secret " + m.secret_id + ": not found (pass it with --secret id=" +
                                              m.secret_id + ",src=FILE or env=VAR)");
      continue;
    }
    if (!m.secret_env.empty()) out.env_.push_back(m.secret_env + "=" + *value);
    if (m.target.empty()) continue;
    BUILDER_TRY(out.EnsureDir(*secrets));
    std::string path = out.dir_ + "/" + std::to_string(files++);
    BUILDER_TRY(WriteSecretFile(path, *value, m));
    out.binds_.push_back({path, m.target, true});
  }
  return out;
}

}  // namespace builder::executor

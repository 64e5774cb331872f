// A unix socket of the RUN's own that relays to an ssh agent: BuildKit's ssh forwarding.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/error.h"

namespace builder::executor {

/// Listens on `path` (owned by container uid:gid, with `mode`) and relays every connection to
/// the agent socket `upstream`, from a thread of its own, until destroyed (the thread is joined
/// and `path` removed). The agent sees builder as its peer, so it accepts the RUN's requests
/// whatever user the RUN is, rootless too (ssh-agent refuses peers of another uid), and the
/// mount's uid, gid and mode apply without touching the user's own socket.
class AgentProxy {
 public:
  ~AgentProxy();
  AgentProxy(const AgentProxy&) = delete;
  AgentProxy& operator=(const AgentProxy&) = delete;

  /// Errors: the socket cannot be made (path too long for sockaddr_un, bind, chown, chmod).
  [[nodiscard]] static Result<std::unique_ptr<AgentProxy>> Start(const std::string& upstream,
                                                                 const std::string& path, uid_t uid,
                                                                 gid_t gid, mode_t mode);

 private:
  struct State;
  explicit AgentProxy(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace builder::executor

// A unix socket of the RUN's own that relays to an ssh agent: BuildKit's ssh forwarding.
#include "executor/agent_proxy.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "executor/container_owner.h"

namespace builder::executor {
namespace {

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return Fail(ErrorCode::kInvalidArgument, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Copies what is readable on `from` to `to`; false at EOF or on an error (the pair closes).
bool Relay(int from, int to) {
  char buf[16384];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  std::size_t done = 0;
  while (done < static_cast<std::size_t>(n)) {
    ssize_t w = write(to, buf + done, static_cast<std::size_t>(n) - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

struct AgentProxy::State {
  std::string upstream, path;
  UniqueFd listener;
  Pipe stop;
  std::thread thread;

  void Loop() {
    struct Pair {
      UniqueFd client, agent;
    };
    std::vector<Pair> pairs;
    while (true) {
      std::vector<pollfd> fds = {{stop.read.get(), POLLIN, 0}, {listener.get(), POLLIN, 0}};
      for (const Pair& p : pairs) {
        fds.push_back({p.client.get(), POLLIN, 0});
        fds.push_back({p.agent.get(), POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents) return;
      std::vector<bool> closed(pairs.size(), false);
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        const pollfd& c = fds[2 + 2 * i];
        const pollfd& a = fds[3 + 2 * i];
        if (c.revents && !Relay(pairs[i].client.get(), pairs[i].agent.get())) closed[i] = true;
        if (!closed[i] && a.revents && !Relay(pairs[i].agent.get(), pairs[i].client.get())) closed[i] = true;
      }
      for (std::size_t i = pairs.size(); i-- > 0;)
        if (closed[i]) pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
      if (fds[1].revents & POLLIN) {
        UniqueFd client(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!client) continue;
        UniqueFd agent(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        auto addr = Address(upstream);
        if (!agent || !addr ||
            connect(agent.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0)
          continue;  // the client sees its connection closed, as with a dead agent
        pairs.push_back({std::move(client), std::move(agent)});
      }
    }
  }
};

AgentProxy::AgentProxy(std::unique_ptr<State> state) : state_(std::move(state)) {}

AgentProxy::~AgentProxy() {
  if (state_->thread.joinable()) {
    char c = 0;
    (void)!write(state_->stop.write.get(), &c, 1);
    state_->thread.join();
  }
  unlink(state_->path.c_str());
}

Result<std::unique_ptr<AgentProxy>> AgentProxy::Start(const std::string& upstream, const std::string& path,
                                                      uid_t uid, gid_t gid, mode_t mode) {
  auto state = std::make_unique<State>();
  state->upstream = upstream;
  state->path = path;
  state->stop = BUILDER_TRY(MakePipe());
  sockaddr_un addr = BUILDER_TRY(Address(path));
  state->listener = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!state->listener) return FailErrno("socket", errno);
  if (bind(state->listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return FailErrno("bind " + path, errno);
  std::unique_ptr<AgentProxy> proxy(new AgentProxy(std::move(state)));
  BUILDER_TRY(ChownToContainer(path, uid, gid));
  if (chmod(path.c_str(), mode) != 0) return FailErrno("chmod " + path, errno);
  if (listen(proxy->state_->listener.get(), 16) != 0) return FailErrno("listen " + path, errno);
  State* s = proxy->state_.get();
  proxy->state_->thread = std::thread([s] { s->Loop(); });
  return proxy;
}

}  // namespace builder::executor

// AgentProxy: a relay socket with its own owner and mode, carrying each connection both ways.
#include "executor/agent_proxy.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "base/unique_fd.h"
#include "oci/remove_tree.h"

namespace builder::executor {
namespace {

sockaddr_un Addr(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  return a;
}

UniqueFd Connect(const std::string& path) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un a = Addr(path);
  REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

TEST_CASE("AgentProxy relays requests and answers, then removes its socket") {
  char templ[] = "/tmp/agent-proxy-test-XXXXXX";
  REQUIRE(mkdtemp(templ));
  std::string dir = templ, upstream = dir + "/agent", path = dir + "/proxy";
  // An "agent" answering each request with "re:" + request, for two connections.
  UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un a = Addr(upstream);
  REQUIRE(bind(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(listen(server.get(), 4) == 0);
  std::thread agent([&] {
    for (int i = 0; i < 2; ++i) {
      UniqueFd c(accept(server.get(), nullptr, nullptr));
      char buf[64];
      ssize_t n = read(c.get(), buf, sizeof buf);
      if (n <= 0) continue;
      std::string reply = "re:" + std::string(buf, static_cast<std::size_t>(n));
      (void)!write(c.get(), reply.data(), reply.size());
    }
  });
  {
    auto proxy = AgentProxy::Start(upstream, path, 0, 0, 0640);
    REQUIRE_MESSAGE(proxy, (proxy ? "" : proxy.error().ToString()));
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0640);
    for (std::string msg : {"one", "two"}) {
      UniqueFd c = Connect(path);
      REQUIRE(write(c.get(), msg.data(), msg.size()) == static_cast<ssize_t>(msg.size()));
      char buf[64];
      ssize_t n = read(c.get(), buf, sizeof buf);
      REQUIRE(n > 0);
      CHECK(std::string(buf, static_cast<std::size_t>(n)) == "re:" + msg);
    }
  }
  CHECK(access(path.c_str(), F_OK) != 0);
  agent.join();
  (void)oci::RemoveTree(dir);
}

}  // namespace
}  // namespace builder::executor

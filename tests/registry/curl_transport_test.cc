// Tests for the libcurl transport against a tiny loopback HTTP server: statuses, headers,
// redirects, where bodies go, refused connections.
#include "registry/curl_transport.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "support/closed_port.h"

namespace builder::registry {
namespace {

// Answers each connection with the canned response for the request path, then closes it.
class OneShotServer {
 public:
  explicit OneShotServer(std::map<std::string, std::string> answers) : answers_(std::move(answers)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string LastRequest() {
    std::lock_guard lock(mu_);
    return last_request_;
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        last_request_ = req;
      }
      std::size_t sp = req.find(' ');
      std::string path = sp == std::string::npos ? "" : req.substr(sp + 1, req.find(' ', sp + 1) - sp - 1);
      auto it = answers_.find(path);
      std::string answer = it != answers_.end() ? it->second : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
      (void)!::write(c, answer.data(), answer.size());
      ::close(c);
    }
  }

  std::map<std::string, std::string> answers_;
  std::mutex mu_;
  std::string last_request_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string Response(const std::string& status_line, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

TEST_CASE("a 2xx body streams to the sink; request headers are sent") {
  OneShotServer server({{"/ok", Response("200 OK", "Docker-Content-Digest: sha256:abc\r\n", "hello")}});
  auto transport = MakeCurlTransport();
  oci::StringSink sink;
  HttpRequest req;
  req.url = server.Url("/ok");
  req.headers.emplace_back("Accept", "application/x-test");
  auto r = transport->Send(req, &sink);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(sink.data() == "hello");
  CHECK(r->body.empty());
  CHECK(r->Header("Docker-Content-Digest") == "sha256:abc");
  CHECK(server.LastRequest().find("Accept: application/x-test\r\n") != std::string::npos);
}

TEST_CASE("an error body stays in the response, repeated headers are kept") {
  OneShotServer server({{"/auth", Response("401 Unauthorized",
                                           "WWW-Authenticate: Bearer realm=\"a\"\r\nWWW-Authenticate: Basic realm=\"b\"\r\n",
                                           "{\"errors\":[]}")}});
  auto transport = MakeCurlTransport();
  oci::StringSink sink;
  HttpRequest req;
  req.url = server.Url("/auth");
  auto r = transport->Send(req, &sink);
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(sink.data().empty());
  CHECK(r->body == "{\"errors\":[]}");
  CHECK(r->Headers("www-authenticate") == std::vector<std::string>{"Bearer realm=\"a\"", "Basic realm=\"b\""});
}

TEST_CASE("redirects are followed and only the final response's headers remain") {
  OneShotServer server({{"/from", Response("307 Temporary Redirect", "Location: /to\r\nX-First: 1\r\n", "")},
                        {"/to", Response("200 OK", "X-Second: 2\r\n", "moved")}});
  auto transport = MakeCurlTransport();
  HttpRequest req;
  req.url = server.Url("/from");
  auto r = transport->Send(req, nullptr);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "moved");
  CHECK(r->Header("x-first").empty());
  CHECK(r->Header("x-second") == "2");
}

TEST_CASE("a body over the limit without a sink is refused") {
  OneShotServer server({{"/big", Response("200 OK", "", std::string(100, 'x'))}});
  auto transport = MakeCurlTransport();
  HttpRequest req;
  req.url = server.Url("/big");
  auto r = transport->Send(req, nullptr, 10);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("a refused connection names the host and port, docker-style") {
  std::string where = "127.0.0.1:" + std::to_string(testing::ClosedPort());
  auto transport = MakeCurlTransport();
  HttpRequest req;
  req.url = "http://" + where + "/v2/";
  auto r = transport->Send(req, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::kIo);
  CHECK(r.error().ToString() == "connect to " + where + ": Connection refused");
}

TEST_CASE("UrlAuthority adds the scheme's port") {
  CHECK(UrlAuthority("https://reg.test/v2/") == "reg.test:443");
  CHECK(UrlAuthority("http://reg.test/v2/") == "reg.test:80");
  CHECK(UrlAuthority("http://127.0.0.1:5000/v2/x") == "127.0.0.1:5000");
  CHECK(UrlAuthority("http://[::1]/v2/") == "[::1]:80");
  CHECK(UrlAuthority("http://[::1]:5000") == "[::1]:5000");
}

}  // namespace
}  // namespace builder::registry

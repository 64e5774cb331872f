// NetworkStore: records, subnet choice, and the address allocator's leases.
#include "runner/network/network_store.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "runner/network/hosts_file.h"
#include "runner/network/netlink.h"
#include "runner/network/port_mapping.h"

using namespace builder;
using namespace builder::runner::network;

namespace {

struct TempRoot {
  std::string path;
  TempRoot() {
    std::string t = std::filesystem::temp_directory_path().string() + "/netstore-XXXXXX";
    REQUIRE(::mkdtemp(t.data()));
    path = t;
  }
  ~TempRoot() { std::filesystem::remove_all(path); }
};

Lease Held(const std::string& id, pid_t pid) {
  Lease l;
  l.container_id = id;
  l.name = id;
  l.holder_pid = pid;
  l.holder_start = ProcessStartTime(pid);
  return l;
}

}  // namespace

TEST_CASE("network store: a zombie holder is dead") {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(0);
  // Not reaped yet: /proc still shows it, as an unreaping init leaves a killed monitor.
  for (int i = 0; i < 200 && ProcessStartTime(pid) != 0; ++i) ::usleep(5000);
  CHECK(ProcessStartTime(pid) == 0);
  Lease l = Held("z", pid);
  CHECK(!HolderAlive(l));
  ::waitpid(pid, nullptr, 0);
  CHECK(HolderAlive(Held("self", ::getpid())));
}

TEST_CASE("network store: subnets avoid host routes and each other") {
  TempRoot root;
  auto store = NetworkStore::Open(root.path);
  REQUIRE(store);
  std::vector<Ipv4Net> routes = {*ParseIpv4Net("10.88.0.0/16"), *ParseIpv4Net("10.89.0.0/24"),
                                 {0, 0}};
  auto def = store->Create("bridge", "", false, {}, routes);
  REQUIRE(def);
  CHECK(def->subnet == "10.87.0.0/16");
  CHECK(def->gateway == "10.87.0.1");
  CHECK(def->bridge == "builder0");
  auto app = store->Create("appnet", "", true, {{"k", "v"}}, routes);
  REQUIRE(app);
  CHECK(app->subnet == "10.89.1.0/24");
  CHECK(app->bridge == "br-" + app->id.substr(0, 12));
  CHECK(app->id.size() == 64);
  auto again = store->Create("appnet", "", false, {}, routes);
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == ErrorCode::kAlreadyExists);
  CHECK_FALSE(store->Create("clash", "10.87.5.0/24", false, {}, routes));
  CHECK_FALSE(store->Create("bad name!", "", false, {}, routes));
  CHECK_FALSE(store->Create("hostbits", "10.50.0.1/16", false, {}, routes));

  auto got = store->Get(app->id.substr(0, 6));
  REQUIRE(got);
  CHECK(got->name == "appnet");
  CHECK(got->internal);
  CHECK(got->labels.at("k") == "v");
  CHECK(store->List()->size() == 2);
  CHECK(store->Get("nope").error().code() == ErrorCode::kNotFound);
  REQUIRE(store->Delete("appnet"));
  CHECK(store->List()->size() == 1);
}

TEST_CASE("network store: addresses are leased, released, and reclaimed from dead holders") {
  TempRoot root;
  auto store = NetworkStore::Open(root.path);
  REQUIRE(store);
  REQUIRE(store->Create("small", "10.200.0.0/29", false, {}, {}));
  auto a = store->Allocate("small", Held("aaa", ::getpid()));
  REQUIRE(a);
  CHECK(a->address == "10.200.0.2");  // .1 is the gateway
  CHECK(store->Allocate("small", Held("aaa", ::getpid())).error().code() == ErrorCode::kAlreadyExists);

  // A holder that is SIGKILLed: its lease is reclaimed on the next allocation.
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  auto b = store->Allocate("small", Held("bbb", child));
  REQUIRE(b);
  CHECK(b->address == "10.200.0.3");
  CHECK_FALSE(store->Delete("small"));  // live endpoints
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  std::vector<Lease> reclaimed;
  auto c = store->Allocate("small", Held("ccc", ::getpid()), &reclaimed);
  REQUIRE(c);
  REQUIRE(reclaimed.size() == 1);
  CHECK(reclaimed[0].container_id == "bbb");
  CHECK(c->address == "10.200.0.3");

  // /29: .2-.6 usable; fill it.
  REQUIRE(store->Allocate("small", Held("d", ::getpid())));
  REQUIRE(store->Allocate("small", Held("e", ::getpid())));
  REQUIRE(store->Allocate("small", Held("f", ::getpid())));
  CHECK(store->Allocate("small", Held("g", ::getpid())).error().code() == ErrorCode::kUnsupported);

  auto released = store->Release("small", "aaa");
  REQUIRE(released);
  REQUIRE(released->has_value());
  CHECK((*released)->address == "10.200.0.2");
  CHECK_FALSE(store->Release("small", "aaa")->has_value());
  auto h = store->Allocate("small", Held("h", ::getpid()));
  REQUIRE(h);
  CHECK(h->address == "10.200.0.2");

  // The store survives a reopen: the leases are on disk.
  auto reopened = NetworkStore::Open(root.path);
  CHECK(reopened->Leases("small")->size() == 5);
}

TEST_CASE("network: -p parsing") {
  auto full = ParsePortMapping("127.0.0.1:18080:80/udp");
  REQUIRE(full);
  CHECK(full->host_ip == "127.0.0.1");
  CHECK(full->host_port == 18080);
  CHECK(full->container_port == 80);
  CHECK(full->protocol == "udp");
  auto two = ParsePortMapping("8080:80");
  REQUIRE(two);
  CHECK(two->host_ip.empty());
  CHECK(two->host_port == 8080);
  CHECK(two->ToString() == "0.0.0.0:8080->80/tcp");
  auto one = ParsePortMapping("80");
  REQUIRE(one);
  CHECK(one->host_port == 0);
  auto no_host = ParsePortMapping("10.0.0.1::80");
  REQUIRE(no_host);
  CHECK(no_host->host_port == 0);
  CHECK(no_host->host_ip == "10.0.0.1");
  CHECK_FALSE(ParsePortMapping("80/sctp"));
  CHECK_FALSE(ParsePortMapping("99999:80"));
  CHECK_FALSE(ParsePortMapping("x:80"));
  CHECK_FALSE(ParsePortMapping("1:2:3:4"));
  CHECK_FALSE(ParsePortMapping("0"));
}

TEST_CASE("network: hosts and resolv.conf content") {
  Lease self;
  self.container_id = "1";
  self.name = "web";
  self.hostname = "webhost";
  self.address = "10.89.0.2";
  self.extra_hosts = {"db.example:10.1.2.3"};
  Lease other;
  other.container_id = "2";
  other.name = "cache";
  other.aliases = {"redis"};
  other.address = "10.89.0.3";
  std::string hosts = HostsContent(self, {self, other});
  CHECK(hosts.find("127.0.0.1\tlocalhost\n") != std::string::npos);
  CHECK(hosts.find("10.1.2.3\tdb.example\n") != std::string::npos);
  CHECK(hosts.find("10.89.0.2\twebhost web\n") != std::string::npos);
  CHECK(hosts.find("10.89.0.3\tcache redis\n") != std::string::npos);

  std::string host = "nameserver 127.0.0.53\nnameserver 192.168.1.1\nsearch lan\n";
  CHECK(ResolvConfContent({}, host) == "nameserver 192.168.1.1\nsearch lan\n");
  CHECK(ResolvConfContent({"1.1.1.1"}, host) == "nameserver 1.1.1.1\nsearch lan\n");
  CHECK(ResolvConfContent({}, "nameserver 127.0.0.1\n") == "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  // Under pasta a loopback nameserver becomes its forwarder, once, in place; --dns still wins.
  CHECK(ResolvConfContent({}, host, "169.254.1.1") ==
        "nameserver 169.254.1.1\nnameserver 192.168.1.1\nsearch lan\n");
  CHECK(ResolvConfContent({}, "nameserver 127.0.0.53\nnameserver ::1\noptions edns0\n", "169.254.1.1") ==
        "nameserver 169.254.1.1\noptions edns0\n");
  CHECK(ResolvConfContent({"1.1.1.1"}, host, "169.254.1.1") == "nameserver 1.1.1.1\nsearch lan\n");
}

TEST_CASE("network: a member of two networks is listed with each network's address and aliases") {
  Lease self;
  self.container_id = "1";
  self.name = "web";
  self.address = "10.89.0.2";
  Lease on_a;
  on_a.container_id = "2";
  on_a.name = "db";
  on_a.aliases = {"db-a"};
  on_a.address = "10.89.0.3";
  Lease on_b = on_a;
  on_b.aliases = {"db-b"};
  on_b.address = "10.89.1.3";
  std::string hosts = HostsContent(self, {on_a, on_b});
  CHECK(hosts.find("10.89.0.3\tdb db-a\n") != std::string::npos);
  CHECK(hosts.find("10.89.1.3\tdb db-b\n") != std::string::npos);
}

namespace builder::runner::network {
namespace {

TEST_CASE("network: a container interface's MAC derives from its address, as docker's") {
  CHECK(MacAddressFor("10.88.0.2") == "02:42:0a:58:00:02");
  CHECK(MacAddressFor("172.17.255.254") == "02:42:ac:11:ff:fe");
}

TEST_CASE("network store: a lease's interface round-trips; old leases are eth0") {
  char templ[] = "/tmp/runner-net-XXXXXX";
  const std::string dir = ::mkdtemp(templ);
  auto store = NetworkStore::Open(dir);
  REQUIRE(store);
  REQUIRE(store->Create("n", "10.201.0.0/24", false, {}, {}));
  Lease l;
  l.container_id = "c";
  l.holder_pid = ::getpid();
  l.holder_start = ProcessStartTime(::getpid());
  l.interface = "eth1";
  REQUIRE(store->Allocate("n", l));
  CHECK(store->Leases("n")->front().interface == "eth1");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace builder::runner::network

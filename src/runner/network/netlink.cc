// rtnetlink through libnl-route-3; the container side runs on a thread that joined the
// container's network namespace (setns(CLONE_NEWNET) is per thread), so nothing forks.
#include "runner/network/netlink.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <sys/socket.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "base/path.h"
#include "base/unique_fd.h"
#include "base/staged_file.h"

namespace builder::runner::network {
namespace {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct LinkPut {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrPut {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using Sock = std::unique_ptr<nl_sock, SockFree>;
using Link = std::unique_ptr<rtnl_link, LinkPut>;
using Addr = std::unique_ptr<nl_addr, AddrPut>;

std::unexpected<Error> NlFail(const std::string& what, int err) {
  return Fail(ErrorCode::kIo, what + ": " + nl_geterror(err));
}

Result<Sock> Connect() {
  Sock s(nl_socket_alloc());
  if (!s) return Fail(ErrorCode::kIo, "netlink: out of memory");
  if (int err = nl_connect(s.get(), NETLINK_ROUTE); err < 0) return NlFail("netlink connect", err);
  return s;
}

Result<Link> GetLink(nl_sock* s, const std::string& name) {
  rtnl_link* link = nullptr;
  if (int err = rtnl_link_get_kernel(s, 0, name.c_str(), &link); err < 0) {
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return Fail(ErrorCode::kNotFound, "no link " + name);
    return NlFail("get link " + name, err);
  }
  return Link(link);
}

Result<void> SetUp(nl_sock* s, rtnl_link* link, const std::string& name) {
  Link change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int err = rtnl_link_change(s, link, change.get(), 0); err < 0) return NlFail("set " + name + " up", err);
  return {};
}

Result<void> AddAddress(nl_sock* s, int ifindex, const std::string& cidr, const std::string& name) {
  nl_addr* parsed = nullptr;
  if (int err = nl_addr_parse(cidr.c_str(), AF_INET, &parsed); err < 0) return NlFail("parse " + cidr, err);
  Addr local(parsed);
  std::unique_ptr<rtnl_addr, void (*)(rtnl_addr*)> addr(rtnl_addr_alloc(), rtnl_addr_put);
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_local(addr.get(), local.get());
  int err = rtnl_addr_add(s, addr.get(), 0);
  if (err < 0 && err != -NLE_EXIST) return NlFail("add address " + cidr + " to " + name, err);
  return {};
}

Result<void> AddDefaultRoute(nl_sock* s, int ifindex, const std::string& gateway) {
  nl_addr* d = nullptr;
  if (int err = nl_addr_parse("0.0.0.0/0", AF_INET, &d); err < 0) return NlFail("parse default", err);
  Addr dst(d);
  nl_addr* g = nullptr;
  if (int err = nl_addr_parse(gateway.c_str(), AF_INET, &g); err < 0) return NlFail("parse " + gateway, err);
  Addr gw(g);
  std::unique_ptr<rtnl_route, void (*)(rtnl_route*)> route(rtnl_route_alloc(), rtnl_route_put);
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_dst(route.get(), dst.get());
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_gateway(nh, gw.get());
  rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_add_nexthop(route.get(), nh);  // the route owns nh now
  // NLM_F_EXCL: a namespace with a default route already (an earlier network) keeps it.
  if (int err = rtnl_route_add(s, route.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0 && err != -NLE_EXIST) {
    return NlFail("add default route via " + gateway, err);
  }
  return {};
}

// Runs inside the container's network namespace (on its own thread).
Result<void> ConfigureInside(const std::string& inner, const std::string& address, int prefix,
                             const std::string& gateway) {
  Sock s = BUILDER_TRY(Connect());
  Link lo = BUILDER_TRY(GetLink(s.get(), "lo"));
  BUILDER_TRY(SetUp(s.get(), lo.get(), "lo"));
  Link eth = BUILDER_TRY(GetLink(s.get(), inner));
  const int index = rtnl_link_get_ifindex(eth.get());
  BUILDER_TRY(AddAddress(s.get(), index, address + "/" + std::to_string(prefix), inner));
  nl_addr* parsed = nullptr;
  if (int err = nl_addr_parse(MacAddressFor(address).c_str(), AF_LLC, &parsed); err < 0) {
    return NlFail("parse the MAC address of " + address, err);
  }
  Addr mac(parsed);
  Link change(rtnl_link_alloc());
  rtnl_link_set_addr(change.get(), mac.get());
  if (int err = rtnl_link_change(s.get(), eth.get(), change.get(), 0); err < 0) {
    return NlFail("set the MAC address of " + inner, err);
  }
  BUILDER_TRY(SetUp(s.get(), eth.get(), inner));
  if (!gateway.empty()) BUILDER_TRY(AddDefaultRoute(s.get(), index, gateway));
  return {};
}

}  // namespace

Result<std::vector<Ipv4Net>> HostRoutes(const std::string& only_link) {
  Sock s = BUILDER_TRY(Connect());
  int only_index = 0;
  if (!only_link.empty()) {
    auto link = GetLink(s.get(), only_link);
    if (!link) return std::vector<Ipv4Net>{};
    only_index = rtnl_link_get_ifindex(link->get());
  }
  nl_cache* cache = nullptr;
  if (int err = rtnl_route_alloc_cache(s.get(), AF_INET, 0, &cache); err < 0) return NlFail("list routes", err);
  std::vector<Ipv4Net> out;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* route = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN) continue;
    if (only_index != 0) {
      rtnl_nexthop* nh = rtnl_route_nexthop_n(route, 0);
      if (!nh || rtnl_route_nh_get_ifindex(nh) != only_index) continue;
    }
    nl_addr* dst = rtnl_route_get_dst(route);
    if (!dst || nl_addr_get_len(dst) != 4) continue;
    const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(dst));
    Ipv4Net net;
    net.prefix = static_cast<int>(nl_addr_get_prefixlen(dst));
    net.address = (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3]) & net.Mask();
    if (net.prefix > 0) out.push_back(net);
  }
  nl_cache_free(cache);
  return out;
}

bool LinkExists(const std::string& name) {
  auto s = Connect();
  return s && GetLink(s->get(), name).has_value();
}

Result<void> EnsureBridge(const std::string& bridge, const std::string& gateway, int prefix) {
  Sock s = BUILDER_TRY(Connect());
  if (!GetLink(s.get(), bridge)) {
    int err = rtnl_link_bridge_add(s.get(), bridge.c_str());
    if (err < 0 && err != -NLE_EXIST) return NlFail("create bridge " + bridge, err);
  }
  Link link = BUILDER_TRY(GetLink(s.get(), bridge));
  BUILDER_TRY(AddAddress(s.get(), rtnl_link_get_ifindex(link.get()),
                         gateway + "/" + std::to_string(prefix), bridge));
  return SetUp(s.get(), link.get(), bridge);
}

Result<void> DeleteLink(const std::string& name) {
  Sock s = BUILDER_TRY(Connect());
  auto link = GetLink(s.get(), name);
  if (!link) return link.error().code() == ErrorCode::kNotFound ? Result<void>() : Fail(link.error());
  int err = rtnl_link_delete(s.get(), link->get());
  if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV) return NlFail("delete link " + name, err);
  return {};
}

Result<void> ConnectContainer(pid_t pid, const std::string& bridge, const std::string& host_name,
                              const std::string& inner, const std::string& address, int prefix,
                              const std::string& gateway) {
  Sock s = BUILDER_TRY(Connect());
  Link br = BUILDER_TRY(GetLink(s.get(), bridge));
  if (int err = rtnl_link_veth_add(s.get(), host_name.c_str(), inner.c_str(), pid); err < 0) {
    return NlFail("create veth " + host_name, err);
  }
  auto host_side = [&]() -> Result<void> {
    Link host = BUILDER_TRY(GetLink(s.get(), host_name));
    if (int err = rtnl_link_enslave_ifindex(s.get(), rtnl_link_get_ifindex(br.get()),
                                            rtnl_link_get_ifindex(host.get()));
        err < 0) {
      return NlFail("attach " + host_name + " to " + bridge, err);
    }
    return SetUp(s.get(), host.get(), host_name);
  };
  auto inside = [&]() -> Result<void> {
    UniqueFd ns(::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) return FailErrno("open network namespace of " + std::to_string(pid), errno);
    Result<void> result;
    // setns(CLONE_NEWNET) affects only the calling thread: this thread ends in the container's
    // namespace and is discarded, the caller's threads never leave the host's.
    std::thread worker([&] {
      if (::setns(ns.get(), CLONE_NEWNET) != 0) {
        result = FailErrno("enter network namespace of " + std::to_string(pid), errno);
        return;
      }
      result = ConfigureInside(inner, address, prefix, gateway);
    });
    worker.join();
    return result;
  };
  Result<void> done = host_side();
  if (done) done = inside();
  if (!done) (void)DeleteLink(host_name);
  return done;
}

std::string MacAddressFor(const std::string& ipv4) {
  const uint32_t a = ParseIpv4(ipv4).value_or(0);
  char buf[18];
  std::snprintf(buf, sizeof buf, "02:42:%02x:%02x:%02x:%02x", (a >> 24) & 255, (a >> 16) & 255,
                (a >> 8) & 255, a & 255);
  return buf;
}

Result<void> WriteSysctl(const std::string& key, const std::string& value) {
  const std::string path = "/proc/sys/" + key;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return FailErrno("open " + path, errno);
  return WriteAll(fd.get(), value + "\n", path);
}

}  // namespace builder::runner::network

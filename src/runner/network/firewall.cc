// The `ip builder` nftables table, driven through libnftables' command buffer.
//
// Loopback publishing: a packet to 127.0.0.1:HOST is DNATed in the output chain to the
// container; the kernel only routes a 127/8 source out of a non-loopback device with
// route_localnet set on it (the attach code sets it on the bridge alone) and the reply only finds
// its way back when the source is masqueraded to the bridge address (postrouting rule below).
// Chosen over docker's userland proxy: no process per port to keep alive, so nothing leaks when
// the holder is SIGKILLed and the rules are the single thing to remove.
#include "runner/network/firewall.h"

#include <nftables/libnftables.h>

#include <memory>

namespace builder::runner::network {
namespace {

struct CtxFree {
  void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};

// Runs one batch; returns its output, or the library's error text.
Result<std::string> Run(const std::string& commands) {
  std::unique_ptr<nft_ctx, CtxFree> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) return Fail(ErrorCode::kIo, "nftables: cannot create a context");
  nft_ctx_buffer_output(ctx.get());
  nft_ctx_buffer_error(ctx.get());
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx.get());
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return Fail(ErrorCode::kIo, "nftables: " + err);
  }
  return std::string(nft_ctx_get_output_buffer(ctx.get()));
}

constexpr const char* kTable = R"(table ip builder {
  set bridges { type ifname; }
  set internal_bridges { type ifname; }
  set bridge_pairs { type ifname . ifname; }
  set nat_nets { type ipv4_addr; flags interval; }
  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
  map ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip
    fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip
    fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 127.0.0.0/8 oifname @bridges masquerade
    ip saddr @nat_nets oifname != @bridges masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname . oifname @bridge_pairs accept
    iifname @bridges oifname @bridges drop
    iifname @internal_bridges drop
    oifname @internal_bridges drop
    iifname @bridges accept
    oifname @bridges accept
  }
}
)";

std::string Key(const PortMapping& p) {
  std::string key = p.protocol + " . " + std::to_string(p.host_port);
  return p.host_ip.empty() ? key : p.host_ip + " . " + key;
}

std::string MapOf(const PortMapping& p) { return p.host_ip.empty() ? "ports_any" : "ports_ip"; }

}  // namespace

Result<void> EnsureFirewall() {
  if (Run("list set ip builder bridge_pairs")) return {};
  if (!Run("list table ip builder")) {
    BUILDER_TRY(Run(kTable));
    return {};
  }
  // A table of an older builder (no isolation between networks): the set added and the forward
  // chain rewritten, the elements (bridges, NAT, published ports) kept.
  std::string forward(kTable);
  forward = forward.substr(forward.find("  chain forward {"));
  forward = forward.substr(forward.find('\n', forward.find("policy accept;")) + 1);
  forward = forward.substr(0, forward.find("  }"));
  std::string cmd = "add set ip builder bridge_pairs { type ifname . ifname; }\nflush chain ip builder forward\n";
  for (size_t at = 0; at < forward.size();) {
    size_t nl = forward.find('\n', at);
    std::string rule = forward.substr(at, nl - at);
    rule.erase(0, rule.find_first_not_of(' '));
    if (!rule.empty()) cmd += "add rule ip builder forward " + rule + "\n";
    at = nl == std::string::npos ? forward.size() : nl + 1;
  }
  // Each existing bridge forwards to itself still.
  const std::string bridges = Run("list set ip builder bridges").value_or("");
  for (size_t open = bridges.find('"'); open != std::string::npos; open = bridges.find('"', open)) {
    const size_t close = bridges.find('"', open + 1);
    if (close == std::string::npos) break;
    const std::string b = bridges.substr(open, close - open + 1);  // quotes included
    cmd += "add element ip builder bridge_pairs { " + b + " . " + b + " }\n";
    open = close + 1;
  }
  BUILDER_TRY(Run(cmd));
  return {};
}

Result<void> AddNetworkRules(const std::string& bridge, const std::string& subnet, bool internal) {
  // Each bridge forwards to itself only (bridge_pairs): traffic between two networks is dropped.
  std::string cmd = "add element ip builder bridges { \"" + bridge + "\" }\n"
                    "add element ip builder bridge_pairs { \"" + bridge + "\" . \"" + bridge + "\" }\n";
  if (internal) {
    cmd += "add element ip builder internal_bridges { \"" + bridge + "\" }\n";
  } else {
    cmd += "add element ip builder nat_nets { " + subnet + " }\n";
  }
  BUILDER_TRY(Run(cmd));
  return {};
}

Result<void> RemoveNetworkRules(const std::string& bridge, const std::string& subnet) {
  // One command each: deleting a missing element fails the whole batch.
  (void)Run("delete element ip builder bridges { \"" + bridge + "\" }");
  (void)Run("delete element ip builder bridge_pairs { \"" + bridge + "\" . \"" + bridge + "\" }");
  (void)Run("delete element ip builder internal_bridges { \"" + bridge + "\" }");
  (void)Run("delete element ip builder nat_nets { " + subnet + " }");
  return {};
}

Result<void> AddPorts(const std::string& address, const std::vector<PortMapping>& ports) {
  if (ports.empty()) return {};
  std::string cmd;
  for (const PortMapping& p : ports) {
    cmd += "add element ip builder " + MapOf(p) + " { " + Key(p) + " : " + address + " . " +
           std::to_string(p.container_port) + " }\n";
  }
  BUILDER_TRY(Run(cmd));
  return {};
}

Result<void> RemovePorts(const std::vector<PortMapping>& ports) {
  for (const PortMapping& p : ports) {
    (void)Run("delete element ip builder " + MapOf(p) + " { " + Key(p) + " }");
  }
  return {};
}

Result<std::string> ListFirewall() {
  auto out = Run("list table ip builder");
  return out ? *out : std::string();
}

}  // namespace builder::runner::network

#!/bin/bash
# Several stores on one host share builder0 (a CI host with a store per job): inside a network
# namespace this test makes, each new store joins builder0's subnet instead of adding another
# address to it, two stores never hand out the same address, and a released address is free again.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
[ "$(id -u)" = 0 ] || skip "needs root (bridges, veths, nftables)"
need_tool busybox
need_tool unshare
need_tool nft

net_image
cp "$WORK/rootfs.tar" "$WORK/shared.tar"
stores=()
for s in a b c d e; do
  stores+=("$WORK/store-$s")
  BUILDER_ROOT="$WORK/store-$s" "$BUILDER" import "$WORK/shared.tar" bb:net >/dev/null 2>&1 || fail "import into store $s"
  add_cleanup "BUILDER_ROOT='$WORK/store-$s' '$BUILDER' rm -f \$(BUILDER_ROOT='$WORK/store-$s' '$BUILDER' ps -a -q) >/dev/null 2>&1"
done
sb() { local s=$1; shift; BUILDER_ROOT="$WORK/store-$s" "$BUILDER" "$@"; }
addr_of() { sb "$1" inspect "$2" | jq -r '.[0].NetworkSettings.Networks.bridge.IPAddress'; }

for s in a b c d e; do sb "$s" run -d --name "c-$s" bb:net sleep 1000 >/dev/null || fail "run -d in store $s"; done
n=$(ip -4 -o addr show dev builder0 | wc -l)
[ "$n" = 1 ] || fail "builder0 holds $n addresses for 5 stores: $(ip -4 -o addr show dev builder0)"
subnets=$(for s in a b c d e; do sb "$s" network inspect bridge | jq -r '.[0].IPAM.Config[0].Subnet'; done | sort -u)
[ "$(echo "$subnets" | wc -l)" = 1 ] || fail "the stores' bridge networks differ: $subnets"
note "5 stores share builder0's one subnet $subnets"

addrs=$(for s in a b c d e; do addr_of "$s" "c-$s"; done)
[ "$(echo "$addrs" | sort -u | wc -l)" = 5 ] || fail "two stores gave out one address: $(echo $addrs)"
ip_b=$(addr_of b c-b)
sb a exec c-a ping -c 1 -W 2 "$ip_b" >/dev/null || fail "store a's container cannot reach store b's at $ip_b"
note "5 containers, 5 distinct addresses ($(echo $addrs)); a reaches b"

# Released: store b's address is free for store a's next container.
claims=/run/builder/net-$(stat -L -c %i /proc/self/ns/net)/builder0
sb b rm -f c-b >/dev/null
# The monitor releases the lease as it ends, just after rm returns.
for _ in $(seq 50); do [ -e "$claims/$ip_b" ] || break; sleep 0.1; done
[ -e "$claims/$ip_b" ] && fail "the claim on $ip_b outlived its container"
sb a run -d --name c-a2 bb:net sleep 1000 >/dev/null || fail "run -d after a release"
[ "$(addr_of a c-a2)" = "$ip_b" ] || fail "the released $ip_b was not reused: got $(addr_of a c-a2)"
note "released addresses are reused"
# A holder killed by SIGKILL (the monitor, the init's parent) leaves a claim that is taken over.
ip_c=$(addr_of c c-c)
mon=$(awk '{print $4}' "/proc/$(sb c inspect c-c | jq -r '.[0].State.Pid')/stat")
kill -9 "$mon"
for _ in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
sb a run -d --name c-a3 bb:net sleep 1000 >/dev/null || fail "run -d after a SIGKILL"
[ "$(addr_of a c-a3)" = "$ip_c" ] || fail "the dead holder's $ip_c was not taken over: got $(addr_of a c-a3)"
note "a SIGKILLed holder's address is taken over"
for s in a b c d e; do sb "$s" rm -f $(sb "$s" ps -a -q) >/dev/null 2>&1; done
for _ in $(seq 50); do [ -e "$claims" ] || break; sleep 0.1; done
[ -e "$claims" ] && fail "claims left behind: $(ls -A "$claims")"
note ok

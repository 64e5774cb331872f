#!/bin/bash
# Networks II end to end, inside a network namespace this test makes: names of containers started
# later resolve, two networks cannot reach each other, --internal has no way out while a normal
# network reaches an "outside" server (a veth address of the test's namespace), network connect/disconnect
# on running and created containers (kept across a restart), --link, ps PORTS and inspect
# NetworkSettings, and 50 containers run and removed leave no veth, lease, nft element or dir.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
need_tool busybox
need_tool nft
need_tool ip
need_tool jq

net_image
add_cleanup '"$BUILDER" rm -f $("$BUILDER" ps -a -q) >/dev/null 2>&1'
web() { b run -d "$@" bb:net httpd -f -p 80 -h /www >/dev/null; }
# fetch CTR HOST [PORT]: one HTTP GET from inside CTR (exec), the answer on stdout.
fetch() { "$BUILDER" exec "$1" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $2 ${3:-80}" 2>&1; }

# "Outside": a server on an address of a veth pair of the test's own (no dummy module here),
# neither loopback nor a bridge.
{ ip link add outside type veth peer name outside-peer && ip addr add 192.0.2.1/24 dev outside &&
  ip link set outside up && ip link set outside-peer up; } || fail "cannot make the outside interface"
mkdir -p "$WORK/out" && echo hello-from-outside >"$WORK/out/index.html"
busybox httpd -f -p 192.0.2.1:8000 -h "$WORK/out" &
OUT=$!
add_cleanup "kill $OUT 2>/dev/null"

# 1. A container started later resolves by name from an earlier one (hosts files refreshed).
b network create neta >/dev/null
b network create netb >/dev/null
b run -d --network neta --name early bb:net sleep 1000 >/dev/null
web --network neta --name later
out=$(fetch early later)
echo "$out" | grep -q hello-from-web || fail "early does not reach later by name: $out"
note "a container started later resolves by name"

# 2. Two networks cannot reach each other; the same network can.
web --network netb --name other
ip_other=$(b inspect other | jq -r '.[0].NetworkSettings.Networks.netb.IPAddress')
ip_later=$(b inspect later | jq -r '.[0].NetworkSettings.Networks.neta.IPAddress')
case $ip_other in 10.*) ;; *) fail "no address for other on netb: $ip_other" ;; esac
fetch early "$ip_later" | grep -q hello-from-web || fail "same network: early cannot reach $ip_later"
out=$(fetch early "$ip_other")
echo "$out" | grep -q hello-from-web && fail "neta reached netb's $ip_other: $out"
note "neta cannot reach netb ($ip_other); same network can"

# 3. Outbound: a normal network reaches the outside server; --internal has no route out.
out=$(fetch early 192.0.2.1 8000)
echo "$out" | grep -q hello-from-outside || fail "neta cannot reach the outside server: $out"
b network create --internal inet >/dev/null
b run -d --network inet --name sealed bb:net sleep 1000 >/dev/null
"$BUILDER" exec sealed ip route | grep -q default && fail "an --internal container has a default route"
out=$(fetch sealed 192.0.2.1 8000)
echo "$out" | grep -q hello-from-outside && fail "--internal reached the outside server"
note "outbound ok; --internal has no route out"

# 4. connect / disconnect a running container: a new eth1, names both ways, gone again.
b network connect --alias joiner netb early
"$BUILDER" exec early ip -4 addr show eth1 | grep -q 'inet 10\.' || fail "no eth1 address after connect"
fetch early other | grep -q hello-from-web || fail "early (connected to netb) cannot reach other by name"
fetch other joiner >/dev/null  # resolves (its hosts file was refreshed), whatever answers
"$BUILDER" exec other grep -qw joiner /etc/hosts || fail "other's hosts file lacks early's alias joiner"
[ "$(b inspect early | jq -r '.[0].NetworkSettings.Networks | keys | join(",")')" = neta,netb ] ||
  fail "inspect networks after connect: $(b inspect early | jq -c '.[0].NetworkSettings.Networks | keys')"
"$BUILDER" network connect netb early 2>/dev/null && fail "a second connect to netb succeeded"
b stop -t 1 early >/dev/null && b start early >/dev/null
"$BUILDER" exec early ip -4 addr show eth1 | grep -q 'inet 10\.' || fail "restart lost netb (no eth1)"
b network disconnect netb early
"$BUILDER" exec early ip link show eth1 >/dev/null 2>&1 && fail "eth1 still there after disconnect"
"$BUILDER" exec other grep -qw early /etc/hosts && fail "other still lists early after disconnect"
fetch early "$ip_other" | grep -q hello-from-web && fail "early still reaches netb after disconnect"
"$BUILDER" network disconnect netb early 2>/dev/null && fail "disconnecting again succeeded"
b network disconnect -f netb early
note "connect/disconnect of a running container (kept across restart)"

# ... and of a created container: joins at start.
b create --network neta --name made bb:net sleep 1000 >/dev/null
b network connect netb made
b start made >/dev/null
"$BUILDER" exec made ip -4 addr show eth1 | grep -q 'inet 10\.' || fail "created+connected container has no eth1"
fetch made other | grep -q hello-from-web || fail "made cannot reach other on netb"
"$BUILDER" network connect host made 2>/dev/null && fail "connect to host accepted"
note "connect of a created container"

# 5. --link on the default bridge: a hosts entry under the alias.
web --name lweb -p 8080:80
out=$("$BUILDER" run --rm --link lweb:webalias bb:net sh -c 'grep webalias /etc/hosts; printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 webalias 80' 2>&1)
echo "$out" | grep -q hello-from-web || fail "--link lweb:webalias: $out"
note "--link adds a hosts entry"

# 6. ps PORTS and inspect NetworkSettings / PortBindings.
[ "$(b ps -f name=lweb --format '{{.Ports}}')" = "0.0.0.0:8080->80/tcp" ] ||
  fail "ps PORTS: '$(b ps -f name=lweb --format '{{.Ports}}')'"
b ps | grep lweb | grep -q '0.0.0.0:8080->80/tcp' || fail "ps table lacks PORTS: $(b ps)"
j=$(b inspect lweb)
[ "$(echo "$j" | jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort')" = 8080 ] || fail "inspect Ports: $(echo "$j" | jq -c '.[0].NetworkSettings.Ports')"
[ "$(echo "$j" | jq -r '.[0].HostConfig.PortBindings["80/tcp"][0].HostPort')" = 8080 ] || fail "inspect PortBindings: $(echo "$j" | jq -c '.[0].HostConfig.PortBindings')"
ipb=$(echo "$j" | jq -r '.[0].NetworkSettings.Networks.bridge.IPAddress')
gw=$(echo "$j" | jq -r '.[0].NetworkSettings.Networks.bridge.Gateway')
mac=$(echo "$j" | jq -r '.[0].NetworkSettings.Networks.bridge.MacAddress')
[ "$(echo "$j" | jq -r '.[0].NetworkSettings.IPAddress')" = "$ipb" ] || fail "top-level IPAddress differs"
"$BUILDER" exec lweb ip -4 addr show eth0 | grep -q "inet $ipb/" || fail "inspect IPAddress $ipb is not eth0's"
"$BUILDER" exec lweb ip route | grep -q "default via $gw" || fail "inspect Gateway $gw is not the default route"
"$BUILDER" exec lweb ip link show eth0 | grep -q "link/ether $mac" || fail "inspect MacAddress $mac is not eth0's"
note "ps PORTS, inspect NetworkSettings ($ipb via $gw, $mac) and PortBindings"
b rm -f early later other sealed made lweb >/dev/null

# 7. 50 containers run and removed leave nothing behind.
snapshot() {
  echo "links $(ip -o link | grep -c vb)"
  echo "nft $(nft list table ip builder | grep -c ' : ')"
  echo "leases $(cat "$BUILDER_ROOT"/networks/*.json | jq -s '[.[].leases | length] | add')"
  echo "dirs $(ls "$BUILDER_ROOT/containers" | wc -l)"
}
before=$(snapshot)
for i in $(seq 50); do
  "$BUILDER" run -d --name loop$i -p 80 bb:net sleep 1000 >/dev/null || fail "run -d loop$i"
  "$BUILDER" rm -f loop$i >/dev/null || fail "rm -f loop$i"
done
after=$(snapshot)
[ "$before" = "$after" ] || fail "50 run/rm left something: before: $before; after: $after"
note "50 containers run and removed: nothing left ($(echo $after))"
echo PASS

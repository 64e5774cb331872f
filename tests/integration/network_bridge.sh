#!/bin/bash
# Container networks end to end, inside a network namespace this test makes (the host's own
# network is never touched): a user-defined bridge network, a container's address and gateway,
# two containers reaching each other by name, a published port reachable on 127.0.0.1, its
# rule gone when the container exits, and `network rm` deleting the bridge.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
[ "$(id -u)" = 0 ] || skip "needs root (bridges, veths, nftables)"
need_tool busybox
need_tool unshare
need_tool ip
need_tool nft
need_tool curl

net_image

b network create --subnet 10.123.0.0/24 appnet >/dev/null
b network ls >"$WORK/ls"
grep -q appnet "$WORK/ls" || fail "network ls does not list appnet: $(cat "$WORK/ls")"

# An address from the subnet, a default route through the gateway, the gateway answers.
"$BUILDER" run --rm --network appnet --name c1 bb:net sh -c \
  'ip -4 addr show eth0; ip route; ping -c1 -W2 10.123.0.1 >/dev/null && echo gateway-ok' \
  >"$WORK/c1" 2>&1 || { cat "$WORK/c1" >&2; fail "a container on appnet failed"; }
grep -q 'inet 10\.123\.0\.' "$WORK/c1" || fail "no address in 10.123.0.0/24: $(cat "$WORK/c1")"
grep -q 'default via 10.123.0.1' "$WORK/c1" || fail "no default route via the gateway: $(cat "$WORK/c1")"
grep -q gateway-ok "$WORK/c1" || fail "the gateway does not answer: $(cat "$WORK/c1")"
note "address, route and gateway ok"

# A web server with a published port; a second container reaches it by name.
"$BUILDER" run --rm --network appnet --name web -p 8080:80 bb:net sh -c \
  'echo hello-from-web >/tmp/index.html; httpd -p 80 -h /tmp; sleep 4' >"$WORK/web" 2>&1 &
WEB=$!
add_cleanup "kill $WEB 2>/dev/null; wait $WEB 2>/dev/null"
up=0
for _ in $(seq 50); do
  curl -fsS -m 1 http://127.0.0.1:8080/ >"$WORK/curl" 2>/dev/null && { up=1; break; }
  sleep 0.1
done
[ $up = 1 ] || { cat "$WORK/web" >&2; fail "published port 8080 not reachable on 127.0.0.1"; }
grep -q hello-from-web "$WORK/curl" || fail "wrong answer on 127.0.0.1:8080: $(cat "$WORK/curl")"
note "published port reachable on 127.0.0.1"
"$BUILDER" run --rm --network appnet --name client bb:net sh -c \
  'grep -w web /etc/hosts; printf "GET / HTTP/1.0\r\n\r\n" | nc web 80' >"$WORK/client" 2>&1 ||
  { cat "$WORK/client" >&2; fail "client container failed"; }
grep -q hello-from-web "$WORK/client" || fail "web not reached by name: $(cat "$WORK/client")"
note "containers reach each other by name"

nft list ruleset | grep -q '8080' || fail "no rule for the published port while web runs"
wait "$WEB" 2>/dev/null
nft list ruleset | grep -q 8080 && { nft list ruleset >&2; fail "the published port's rule outlived its container"; }
note "port rule removed when the container exits"

# A holder (the monitor) killed outright cannot clean up: the next container on the network
# reclaims its lease and rules.
b run -d --network appnet --name killed -p 8081:80 bb:net sleep 30 >/dev/null
nft list ruleset | grep -q 8081 || fail "no rule for 8081"
kid=$(b inspect killed | sed -n 's/.*"Id": *"\([0-9a-f]*\)".*/\1/p' | head -1)
mpid=$(sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p' "$BUILDER_ROOT/containers/$kid/state.json")
[ -n "$mpid" ] && [ "$mpid" != 0 ] || fail "no monitor pid for killed"
kill -KILL "$mpid"
sleep 0.3
"$BUILDER" run --rm --network appnet --name after bb:net true >"$WORK/after" 2>&1 || { cat "$WORK/after" >&2; fail "a container after the kill failed"; }
nft list ruleset | grep -q 8081 && { nft list ruleset >&2; fail "the SIGKILLed holder's port rule was not reclaimed"; }
b rm -f killed >/dev/null
note "a SIGKILLed holder's rule is reclaimed"

bridge=$(ip -o link show type bridge | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^br-' | head -1)
[ -n "$bridge" ] || fail "no bridge for appnet"
b network rm appnet >/dev/null
ip link show "$bridge" >/dev/null 2>&1 && fail "network rm left bridge $bridge"
note "network rm removed bridge $bridge"
echo PASS

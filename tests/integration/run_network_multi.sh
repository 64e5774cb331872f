#!/bin/bash
# A container on two networks, inside a network namespace this test makes: aliases are per
# network (a peer on one network sees only the aliases given there, a member of both sees all),
# --add-host and --dns outlive a disconnect of the first network, and the published port moves
# to the container's remaining network; network and volume events in `events`; the `container`
# management command (ls, inspect, port, top, stats, pause, ...).
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
[ "$(id -u)" = 0 ] || skip "needs root (bridges, veths, nftables)"
need_tool busybox
need_tool curl
need_tool nft
need_tool python3

net_image
add_cleanup '"$BUILDER" rm -f $("$BUILDER" ps -a -q) >/dev/null 2>&1'
t0=$(date +%s)
wait_url() {  # URL: until it answers (5s)
  for _ in $(seq 50); do curl -fsS -m 1 "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
hosts_of() { "$BUILDER" exec "$1" cat /etc/hosts; }

b network create n1 >/dev/null
b network create n2 >/dev/null
b run -d --name ca --network n1 --add-host foo.example:10.9.9.9 --dns 10.1.1.1 -p 18090:80 \
  bb:net httpd -f -p 80 -h /www >/dev/null
b run -d --name cb --network n1 --network-alias cb1 bb:net httpd -f -p 80 -h /www >/dev/null
b network connect --alias cb2 n2 cb
b network connect --alias ca2 n2 ca
wait_url http://127.0.0.1:18090/ | grep -q hello-from-web || fail "18090 not reachable before the disconnect"

# Aliases per network: a container on n2 only knows b as b and b2, not b1 (given on n1).
out=$("$BUILDER" run --rm --network n2 bb:net sh -c 'cat /etc/hosts; for h in ca2 cb2; do printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 $h 80; done' 2>&1) ||
  fail "client on n2: $out"
[ "$(echo "$out" | grep -c hello-from-web)" = 2 ] || fail "ca2 and cb2 not both reached from n2: $out"
echo "$out" | grep -qw cb1 && fail "cb's n1 alias cb1 is visible on n2: $out"
note "a container on n2 reaches ca2 and cb2; cb1 (n1's alias) is not in its hosts"

# a is on both networks: it sees b under both aliases, at b's address on each network.
h=$(hosts_of ca)
echo "$h" | grep -qw cb1 && echo "$h" | grep -qw cb2 || fail "a (on n1 and n2) lacks cb1 or cb2: $h"
note "a member of both networks sees cb1 and cb2"

# Disconnect a from n1, its first network: --add-host and --dns stay, the port moves to n2.
b network disconnect n1 ca
h=$(hosts_of ca)
echo "$h" | grep -q '10.9.9.9.*foo.example' || fail "--add-host lost after disconnecting the first network: $h"
"$BUILDER" exec ca cat /etc/resolv.conf | grep -q 'nameserver 10.1.1.1' || fail "--dns lost after the disconnect"
wait_url http://127.0.0.1:18090/ | grep -q hello-from-web || fail "18090 not reachable after a left n1 (the port should move to n2)"
[ "$(b port ca 80)" = 0.0.0.0:18090 ] || fail "port ca 80 after the disconnect: $(b port ca 80)"
a_n2=$("$BUILDER" inspect ca | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["NetworkSettings"]["Networks"]["n2"]["IPAddress"])')
nft list ruleset | grep -q "$a_n2" || fail "no rule to a's n2 address $a_n2: $(nft list ruleset)"
note "after disconnecting n1: --add-host, --dns kept; 18090 published on ca's n2 address $a_n2"

# A container left on no network gets its ports back on the one it joins.
b network disconnect n2 ca
curl -fsS -m 1 http://127.0.0.1:18090/ >/dev/null 2>&1 && fail "18090 answers with a on no network"
b network connect n1 ca
wait_url http://127.0.0.1:18090/ | grep -q hello-from-web || fail "18090 not back after a rejoined n1"
note "a container rejoining a network gets its published port back"

# run with --network repeated (docker's advanced syntax for a per-network alias): eth0 on n1,
# eth1 on n2, the alias only on n2; what docker refuses is refused.
b run -d --name cm --network n1 --network name=n2,alias=cm2 bb:net httpd -f -p 80 -h /www >/dev/null
"$BUILDER" exec cm ip -4 addr show eth1 | grep -q 'inet 10\.' || fail "cm has no eth1 on n2"
out=$("$BUILDER" run --rm --network n2 bb:net sh -c 'cat /etc/hosts; printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 cm2 80' 2>&1)
echo "$out" | grep -q hello-from-web || fail "cm2 (cm's alias on n2) not reached from n2: $out"
"$BUILDER" exec ca grep -qw cm2 /etc/hosts && fail "ca (on n1 only) sees cm's n2 alias cm2"
for bad in "--network bridge --network n1" "--network n1 --network n1" "--network name=n1,ip=10.0.0.9" \
           "--network name=n1,alias=x --network-alias y"; do
  # shellcheck disable=SC2086
  "$BUILDER" create $bad bb:net true >/dev/null 2>"$WORK/err" && fail "create $bad succeeded"
  grep -q '^builder: error: ' "$WORK/err" || fail "create $bad: no clear error: $(cat "$WORK/err")"
done
b rm -f cm >/dev/null
note "run --network n1 --network name=n2,alias=cm2: two interfaces, the alias on n2 only; docker's refusals"

# Events: network create/connect/disconnect/destroy and volume create/destroy, as docker.
b volume create v1 >/dev/null
b volume rm v1 >/dev/null
b rm -f cb >/dev/null
b network rm n2 >/dev/null
ev=$("$BUILDER" events --since "$t0" --until "$(($(date +%s) + 1))" 2>&1) || fail "events: $ev"
n2_id=$(echo "$ev" | awk '$2 == "network" && $3 == "create" && /name=n2/ {print $4; exit}')
[ -n "$n2_id" ] || fail "no network create event for n2: $ev"
for want in "network connect $n2_id.*container=" "network disconnect $n2_id.*container=" \
            "network destroy $n2_id .*name=n2, type=bridge" "volume create v1 (driver=local)" \
            "volume destroy v1 (driver=local)"; do
  echo "$ev" | grep -q "$want" || fail "no event '$want' in: $ev"
done
fv=$("$BUILDER" events --since "$t0" --until "$(($(date +%s) + 1))" --filter type=volume --format '{{.Type}} {{.Action}} {{.ID}}')
[ "$fv" = "volume create v1
volume destroy v1" ] || fail "events --filter type=volume: $fv"
fn=$("$BUILDER" events --since "$t0" --until "$(($(date +%s) + 1))" --filter network=n2 --format '{{.Type}} {{.Action}}' | sort -u)
[ "$fn" = "network connect
network create
network destroy
network disconnect" ] || fail "events --filter network=n2: $fn"
note "network and volume events in the journal"

# The management command: every container command also under `container`.
[ "$(b container ls --format '{{.Names}}')" = ca ] || fail "container ls: $(b container ls)"
"$BUILDER" container inspect ca >"$WORK/inspect" || fail "container inspect"
grep -q '"Name": *"/ca"' "$WORK/inspect" || fail "container inspect: $(head -5 "$WORK/inspect")"
[ "$(b container port ca 80)" = 0.0.0.0:18090 ] || fail "container port"
"$BUILDER" container top ca | grep -q httpd || fail "container top"
"$BUILDER" container stats --no-stream ca | grep -q '^[0-9a-f]\{12\} *ca ' || fail "container stats: $(b container stats --no-stream ca)"
b container pause ca >/dev/null && b container unpause ca >/dev/null || fail "container pause/unpause"
[ -n "$("$BUILDER" container list -q)" ] || fail "container list"
b container rm -f ca >/dev/null || fail "container rm -f"
note "container ls/list/inspect/port/top/stats/pause/unpause/rm"
note ok

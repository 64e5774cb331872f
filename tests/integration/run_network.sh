#!/bin/bash
# `builder run --network` end to end, inside a network namespace this test makes (the host's own
# network is never touched): a detached busybox httpd with -p reached on 127.0.0.1, `builder
# port`, -P, two containers by name (and alias, --add-host), stop -> port rule gone, rm -f after
# a SIGKILL of the monitor -> lease and rule gone.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
[ "$(id -u)" = 0 ] || skip "needs root (bridges, veths, nftables)"
need_tool busybox
need_tool unshare
need_tool nft
need_tool curl

net_image

add_cleanup "'$BUILDER' rm -f web web2 pub >/dev/null 2>&1"
wait_url() {  # URL: until it answers (5s)
  for _ in $(seq 50); do curl -fsS -m 1 "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# The default bridge network, a fixed published port.
b run -d --network bridge --name web -p 8080:80 bb:net httpd -f -p 80 -h /www >/dev/null
wait_url http://127.0.0.1:8080/ >"$WORK/curl" || { b logs web >&2; fail "published port 8080 not reachable on 127.0.0.1"; }
grep -q hello-from-web "$WORK/curl" || fail "wrong answer on 127.0.0.1:8080: $(cat "$WORK/curl")"
note "run -d -p 8080:80: reachable on 127.0.0.1"

b port web >"$WORK/port"
grep -qx '80/tcp -> 0.0.0.0:8080' "$WORK/port" || fail "builder port web: $(cat "$WORK/port")"
[ "$(b port web 80)" = 0.0.0.0:8080 ] || fail "builder port web 80: $(b port web 80)"
"$BUILDER" port web 81 >/dev/null 2>&1 && fail "builder port web 81 succeeded"
note "builder port lists the mapping"

# -P: the image's EXPOSE 80 on a free host port, which `port` reports.
b run -d --network bridge --name pub -P bb:net httpd -f -p 80 -h /www >/dev/null
hp=$(b port pub 80) || fail "no port for -P"
hp=${hp##*:}
[ -n "$hp" ] && [ "$hp" != 0 ] || fail "-P gave no host port: $(b port pub)"
wait_url "http://127.0.0.1:$hp/" | grep -q hello-from-web || fail "-P port $hp not reachable"
b rm -f pub >/dev/null
note "-P published EXPOSE 80 on $hp"

# A second container reaches the first by name and by alias on a user network; --add-host and --dns land in its files.
b network create netb >/dev/null
b run -d --network netb --name web2 --network-alias www bb:net httpd -f -p 80 -h /www >/dev/null
sleep 0.3
b run --rm --network netb --add-host extra.example:10.9.9.9 --dns 10.1.1.1 bb:net sh -c \
  'grep -w extra.example /etc/hosts; grep nameserver /etc/resolv.conf; for h in web2 www; do printf "GET / HTTP/1.0\r\n\r\n" | nc $h 80; done' \
  >"$WORK/client" 2>&1 || { cat "$WORK/client" >&2; fail "client container failed"; }
[ "$(grep -c hello-from-web "$WORK/client")" = 2 ] || fail "web2 not reached by name and alias: $(cat "$WORK/client")"
grep -q '10.9.9.9' "$WORK/client" || fail "--add-host missing: $(cat "$WORK/client")"
grep -q 'nameserver 10.1.1.1' "$WORK/client" || fail "--dns missing: $(cat "$WORK/client")"
note "containers reach each other by name and alias; --add-host, --dns applied"

# stop: the monitor detaches, the port's rule goes.
nft list ruleset | grep -q 8080 || fail "no rule for 8080 while web runs"
b stop -t 1 web >/dev/null
nft list ruleset | grep -q 8080 && { nft list ruleset >&2; fail "the port rule outlived the stopped container"; }
"$BUILDER" port web | grep -q . && fail "a stopped container still lists ports"
note "stop removes the port rule"

# The monitor SIGKILLed cannot clean up; rm -f reclaims the lease and its rule.
b start web >/dev/null
wait_url http://127.0.0.1:8080/ >/dev/null || fail "restarted web not reachable"
id=$(b inspect web | sed -n 's/.*"Id": *"\([0-9a-f]*\)".*/\1/p' | head -1)
[ ${#id} = 64 ] || fail "no id for web"
mpid=$(sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p' "$BUILDER_ROOT/containers/$id/state.json")
[ -n "$mpid" ] && [ "$mpid" != 0 ] || fail "no monitor pid for web: $(cat "$BUILDER_ROOT/containers/$id/state.json")"
kill -KILL "$mpid"
sleep 0.3
nft list ruleset | grep -q 8080 || fail "the rule went with the killed monitor: nothing left for rm -f to reclaim"
b rm -f web web2 >/dev/null
nft list ruleset | grep -q 8080 && { nft list ruleset >&2; fail "rm -f left the killed monitor's port rule"; }
b network rm netb >/dev/null || fail "netb still has endpoints after rm -f"
note "rm -f after SIGKILL of the monitor reclaims the lease and its rule"
echo PASS

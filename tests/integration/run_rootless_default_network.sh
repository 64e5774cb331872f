#!/bin/bash
# Rootless `builder run` without --network, inside a network and mount namespace this test makes:
# with a usable /dev/net/tun the container gets pasta (outbound reaches the namespace's outside
# address) and, with the host's resolv.conf on 127.0.0.53 (systemd-resolved), a resolv.conf whose
# nameserver pasta relays to it; without one (/dev/net/tun 0600) it gets an isolated namespace
# (--network none) and one warning line naming the cause, never the host's network; a build's
# RUN too.
# Usage: run_rootless_default_network.sh BUILDER
BUILDER=$1
if [ -z "${IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  IN_NETNS=1 exec unshare --net --mount bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
need_tool busybox
need_tool pasta
need_tool python3

ip link set lo up || skip "cannot bring lo up"
ip link add rd0 type veth peer name rd1 || skip "no veth"
ip link set rd1 up && ip link set rd0 up || fail "veth up"
ip addr add 10.205.0.1/24 dev rd0 && ip addr add 10.206.0.1/32 dev rd0 || fail "addresses"
ip route add default via 10.205.0.254 || fail "default route"

SUBUID=640000
SUBGID=740000
HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" "$SUBUID" "$SUBGID" || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }
bu() { as_subid_user "$BIN" "$@" </dev/null; }
add_cleanup 'bu rm -f $(bu ps -a -q 2>/dev/null) >/dev/null 2>&1'

mkdir -p "$WORK/www"
echo hello-outside >"$WORK/www/index.html"
busybox httpd -f -p 10.206.0.1:8000 -h "$WORK/www" & out_pid=$!
add_cleanup "kill $out_pid 2>/dev/null"

r="$WORK/rootfs"
mkdir -p "$r/bin" "$r/etc" "$r/tmp"
cp "$(command -v busybox)" "$r/bin/busybox"
for a in sh echo cat nc nslookup sleep grep; do ln -s busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
tar -C "$r" -cf "$HOME_DIR/rootfs.tar" . || fail "tar"
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"
bu import -c 'ENV PATH=/bin' "$HOME_DIR/rootfs.tar" bb:net >/dev/null 2>"$WORK/log" || { cat "$WORK/log"; fail "import"; }

# As run_rootless_network.sh: nc's input stays open (Debian 12's pasta loses a FIN after a
# half-close).
fetch='(printf "GET / HTTP/1.0\r\n\r\n"; sleep 2) | nc -w 3 10.206.0.1 8000'
netmode() { bu inspect "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["HostConfig"]["NetworkMode"])'; }
# The interfaces the container sees besides lo.
ifaces='tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | grep -vx lo'

# 1. /dev/net/tun unusable (0600, as on this host): --network none, one warning naming it.
mknod -m 600 "$WORK/tun-closed" c 10 200 && mount --bind "$WORK/tun-closed" /dev/net/tun || skip "cannot replace /dev/net/tun"
as_subid_user sh -c 'test -w /dev/net/tun' && fail "the 0600 tun is writable by $SUBID_USER"
out=$(bu run --rm bb:net sh -c "$ifaces; $fetch" 2>"$WORK/err") && fail "fetched without a network: $out"
echo "$out" | grep -q hello-outside && fail "the fallback container reached the outside: $out"
[ -z "$(echo "$out" | grep -v '^$')" ] || fail "the fallback container has interfaces besides lo: $out"
[ "$(grep -c 'warning' "$WORK/err")" = 1 ] || fail "want one warning line, got: $(cat "$WORK/err")"
grep 'warning' "$WORK/err" | grep -q '/dev/net/tun' || fail "the warning does not name /dev/net/tun: $(cat "$WORK/err")"
grep 'warning' "$WORK/err" | grep -q -- '--network none' || fail "the warning does not say --network none: $(cat "$WORK/err")"
id=$(bu create bb:net true 2>/dev/null) || fail "create"
[ "$(netmode "$id")" = none ] || fail "fallback NetworkMode: $(netmode "$id")"
bu rm "$id" >/dev/null
note "without a usable /dev/net/tun: --network none and one warning ($(grep warning "$WORK/err"))"
# A build's RUN likewise: a namespace with only lo, one warning for the build, not the host's network.
ctx="$HOME_DIR/ctx"
mkdir -p "$ctx"
printf 'FROM bb:net\nRUN %s >/ifaces; %s >/fetched 2>&1 || true\n' "$ifaces" "$fetch" >"$ctx/Dockerfile"
chown -R "$SUBID_UID:$SUBID_GID" "$ctx"
bu build -q -t bb:built "$ctx" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "rootless build"; }
[ "$(grep -c 'warning' "$WORK/err")" = 1 ] && grep warning "$WORK/err" | grep -q '/dev/net/tun' ||
  fail "want one build warning naming /dev/net/tun: $(cat "$WORK/err")"
out=$(bu run --rm --network none bb:built sh -c 'cat /ifaces; echo ---; cat /fetched' 2>&1) || fail "run bb:built: $out"
[ -z "$(echo "${out%%---*}" | grep -v '^$')" ] || fail "the RUN had interfaces besides lo: $out"
echo "$out" | grep -q hello-outside && fail "the RUN reached the outside without pasta: $out"
note "a rootless RUN without pasta: only lo, one warning"
umount /dev/net/tun || fail "umount the closed tun"

# 2. A usable tun: the default is pasta, with outbound access and no warning.
tun_for_user
out=$(bu run --rm bb:net sh -c "$fetch" 2>"$WORK/err") || fail "fetch through the default network: $out $(cat "$WORK/err")"
echo "$out" | grep -q hello-outside || fail "no answer from the outside server: $out"
grep -q warning "$WORK/err" && fail "a warning with a usable pasta: $(cat "$WORK/err")"
id=$(bu create bb:net true) || fail "create"
[ "$(netmode "$id")" = bridge ] || fail "default NetworkMode: $(netmode "$id")"
bu rm "$id" >/dev/null
note "the rootless default network is pasta: the outside answers"

# 3. DNS: the host's resolv.conf names 127.0.0.53 (systemd-resolved), which the container
# cannot reach; it gets pasta's forwarder, which relays to the stub listening there.
printf 'nameserver 127.0.0.53\noptions edns0\nsearch corp.test\n' >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf || skip "cannot replace /etc/resolv.conf"
python3 "$(dirname "$0")/dns_stub.py" 127.0.0.53 outside.test 10.206.0.1 "$WORK/dns.log" & dns_pid=$!
add_cleanup "kill $dns_pid 2>/dev/null"
for _ in $(seq 50); do [ -f "$WORK/dns.log.ready" ] && break; sleep 0.1; done
[ -f "$WORK/dns.log.ready" ] || fail "the DNS stub did not start"
out=$(bu run --rm bb:net sh -c 'cat /etc/resolv.conf; echo ---; nslookup -type=a outside.test' 2>&1) || fail "nslookup: $out"
conf=${out%%---*}
echo "$conf" | grep -q '^nameserver 169.254.1.1$' || fail "resolv.conf lacks pasta's forwarder: $conf"
echo "$conf" | grep -q '127.0.0.53' && fail "resolv.conf keeps the unreachable loopback nameserver: $conf"
echo "$conf" | grep -q '^search corp.test$' || fail "resolv.conf lost the search list: $conf"
echo "${out#*---}" | grep -q '10.206.0.1' || fail "outside.test did not resolve through pasta: $out"
grep -q '^outside.test 1$' "$WORK/dns.log" || fail "the stub on 127.0.0.53 saw no query: $(cat "$WORK/dns.log")"
note "a loopback host nameserver is reached through pasta's forwarder 169.254.1.1"

# --dns still wins.
out=$(bu run --rm --dns 10.206.0.9 bb:net cat /etc/resolv.conf 2>&1) || fail "run --dns: $out"
[ "$(echo "$out" | grep -c '^nameserver')" = 1 ] && echo "$out" | grep -q '^nameserver 10.206.0.9$' ||
  fail "--dns not honoured under pasta: $out"
note "--dns replaces the nameservers under pasta"
note ok

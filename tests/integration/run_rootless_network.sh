#!/bin/bash
# Rootless `builder run --network bridge` through pasta, inside a network namespace this test
# makes: as an unprivileged user with subordinate ids, a container fetches from a server on the
# namespace's outside address but not from one on its loopback, publishes a port (-p) that curl
# reaches, `port` lists it, and no pasta is left after rm -f, nor after a SIGKILL of the monitor.
# Usage: run_rootless_network.sh BUILDER
BUILDER=$1
if [ -z "${IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  IN_NETNS=1 exec unshare --net --mount bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
need_tool busybox
need_tool curl
need_tool pasta
need_tool python3

# The namespace's "outside": a veth with an address and a default route (pasta copies both into
# the container), plus a second address for the server, so the container (which gets
# 10.203.0.1 itself) reaches it through pasta rather than its own interface.
ip link set lo up || skip "cannot bring lo up"
ip link add rn0 type veth peer name rn1 || skip "no veth"
ip link set rn1 up && ip link set rn0 up || fail "veth up"
ip addr add 10.203.0.1/24 dev rn0 && ip addr add 10.204.0.1/32 dev rn0 || fail "addresses"
ip route add default via 10.203.0.254 || fail "default route"

SUBUID=610000
SUBGID=710000
HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" "$SUBUID" "$SUBGID" || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }
bu() { as_subid_user "$BIN" "$@" </dev/null; }
tun_for_user
add_cleanup 'bu rm -f $(bu ps -a -q 2>/dev/null) >/dev/null 2>&1'

# Servers of the test's namespace: one on the outside address, one on loopback only.
mkdir -p "$WORK/www"
echo hello-outside >"$WORK/www/index.html"
busybox httpd -f -p 10.204.0.1:8000 -h "$WORK/www" & out_pid=$!
busybox httpd -f -p 127.0.0.1:8001 -h "$WORK/www" & lo_pid=$!
add_cleanup "kill $out_pid $lo_pid 2>/dev/null"

r="$WORK/rootfs"
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/www"
cp "$(command -v busybox)" "$r/bin/busybox"
for a in sh echo cat ip nc httpd sleep true grep; do ln -s busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\n' >"$r/etc/group"
echo hello-from-web >"$r/www/index.html"
tar -C "$r" -cf "$HOME_DIR/rootfs.tar" . || fail "tar"
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"
bu import -c 'ENV PATH=/bin' "$HOME_DIR/rootfs.tar" bb:net >/dev/null 2>"$WORK/log" || { cat "$WORK/log"; fail "import"; }

user_pastas() { pgrep -u "$SUBID_UID" -f '(^|/)(pasta|passt)' ; }
# nc's input stays open a while: Debian 12's pasta loses the server's FIN after the client's
# half-close, and nc would wait for it forever.
fetch='(printf "GET / HTTP/1.0\r\n\r\n"; sleep 2) | nc -w 3'

# Outbound: the outside address answers through pasta.
out=$(bu run --rm --network bridge bb:net sh -c "$fetch 10.204.0.1 8000" 2>&1) || fail "fetch from 10.204.0.1:8000: $out"
echo "$out" | grep -q hello-outside || fail "no answer from the outside server: $out"
note "a container reaches the namespace's outside address"

# The namespace's loopback is not the container's, and pasta maps nothing onto it.
out=$(bu run --rm --network bridge bb:net sh -c "$fetch 127.0.0.1 8001; $fetch 10.203.0.254 8001" 2>&1)
echo "$out" | grep -q hello-outside && fail "the container reached a server on the host's loopback: $out"
note "the host's loopback stays out of reach"
[ -z "$(user_pastas)" ] || fail "pasta left after run --rm: $(ps -fu "$SUBID_UID")"

# A published port, reached from the test's namespace, and listed by `port`.
bu run -d --network bridge --name web -p 18080:80 -p 127.0.0.1::81 bb:net \
  sh -c 'httpd -p 81 -h /www; exec httpd -f -p 80 -h /www' >/dev/null || fail "run -d -p"
ok=
for _ in $(seq 50); do curl -fsS -m 1 http://127.0.0.1:18080/ >"$WORK/curl" 2>/dev/null && { ok=1; break; }; sleep 0.1; done
[ -n "$ok" ] || { bu logs web >&2; fail "published port 18080 not reachable"; }
grep -q hello-from-web "$WORK/curl" || fail "wrong answer on 18080: $(cat "$WORK/curl")"
curl -fsS -m 2 http://10.203.0.1:18080/ | grep -q hello-from-web || fail "18080 not reachable on the namespace's address"
[ "$(bu port web 80)" = 0.0.0.0:18080 ] || fail "port web 80: $(bu port web 80)"
hp=$(bu port web 81) || fail "port web 81"
case "$hp" in 127.0.0.1:[0-9]*) ;; *) fail "port web 81: '$hp'" ;; esac
curl -fsS -m 2 "http://$hp/" | grep -q hello-from-web || fail "the picked port $hp is not reachable"
note "-p 18080:80 and -p 127.0.0.1::81 ($hp) published through pasta"

[ -n "$(user_pastas)" ] || fail "no pasta of $SUBID_USER while web runs"
bu rm -f web >/dev/null || fail "rm -f web"
sleep 0.2
[ -z "$(user_pastas)" ] || fail "pasta left after rm -f: $(ps -fu "$SUBID_UID")"
curl -fsS -m 1 http://127.0.0.1:18080/ >/dev/null 2>&1 && fail "18080 still answers after rm -f"
note "rm -f leaves no pasta and no port"

# SIGKILL of the monitor: pasta dies with it (PR_SET_PDEATHSIG).
id2=$(bu run -d --network bridge --name web2 -p 18081:80 bb:net httpd -f -p 80 -h /www) || fail "run -d web2"
# Its monitor: the user's only live builder-monitor now (a forked one; an exec'd one says
# `debug monitor ID`); zombies of earlier ones are not it.
mon=$( (ps -u "$SUBID_UID" -o pid=,stat=,comm=,args= | awk '$2 !~ /Z/ && ($3 == "builder-monitor" || /debug monitor '"$id2"'/) {print $1}') | head -1)
[ -n "$(user_pastas)" ] || fail "no pasta while web2 runs"
[ -n "$mon" ] || fail "no monitor pid for web2"
kill -KILL "$mon"
for _ in $(seq 20); do [ -z "$(user_pastas)" ] && break; sleep 0.1; done
[ -z "$(user_pastas)" ] || fail "pasta outlived its SIGKILLed monitor $mon: $(ps -fu "$SUBID_UID")"
bu rm -f web2 >/dev/null || fail "rm -f web2"
note "pasta dies with a SIGKILLed monitor"
note ok

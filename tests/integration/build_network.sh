#!/bin/bash
# A build's RUN network, inside a network namespace this test makes: by default a RUN has a
# namespace of its own with outbound access (root: a veth on the default bridge; rootless:
# pasta), so it fetches from a server on the namespace's outside address but cannot connect to
# one on its loopback; `--network host` (build flag and RUN flag) reaches both; and the cache key
# does not depend on the default network.
# Usage: build_network.sh BUILDER root|rootless
BUILDER=$1
PART=${2:-root}
if [ -z "${IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  IN_NETNS=1 exec unshare --net --mount bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ -n "${IN_NETNS:-}" ] || skip "needs root and a network namespace of its own"
need_tool busybox
ip link set lo up || skip "cannot bring lo up"
# The outside: a veth with an address and a default route; the server listens on a second
# address (pasta gives a rootless RUN the first one as its own).
ip link add bn0 type veth peer name bn1 || skip "no veth"
ip link set bn1 up && ip link set bn0 up || fail "veth up"
ip addr add 10.203.0.1/24 dev bn0 && ip addr add 10.204.0.1/32 dev bn0 || fail "addresses"
ip route add default via 10.203.0.254 || fail "default route"

mkdir -p "$WORK/www"
echo hello-outside >"$WORK/www/index.html"
busybox httpd -f -p 10.204.0.1:8000 -h "$WORK/www" & srv1=$!
echo hello-loopback >"$WORK/www/lo.html"
busybox httpd -f -p 127.0.0.1:8001 -h "$WORK/www" & srv2=$!
add_cleanup "kill $srv1 $srv2 2>/dev/null"

bld() { "$BUILDER" "$@"; }
case "$PART" in
  root)
    [ "$(id -u)" = 0 ] || skip "needs root"
    need_tool nft
    export BUILDER_ROOT="$WORK/store"
    make_rootfs_tar "$WORK/rootfs.tar"
    b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
    ctx="$WORK/ctx"
    ;;
  rootless)
    need_tool pasta
    chmod 755 "$WORK"
    subid_user_setup "$WORK/home" 620000 720000 || skip "$SUBID_SKIP"
    BIN="$BUILDER"
    as_subid_user test -x "$BIN" || { cp "$BUILDER" "$WORK/home/builder"; BIN="$WORK/home/builder"; }
    bld() { as_subid_user "$BIN" "$@" </dev/null; }
    tun_for_user
    make_rootfs_tar "$WORK/home/rootfs.tar"
    ctx="$WORK/home/ctx"
    mkdir -p "$ctx"
    chown -R "$SUBID_UID:$SUBID_GID" "$WORK/home"
    bld import -c 'CMD ["sh"]' "$WORK/home/rootfs.tar" busybox:latest >/dev/null || fail "import as $SUBID_USER"
    ;;
  *) fail "unknown part $PART" ;;
esac

mkdir -p "$ctx"
# Each RUN prints what it got from both servers; nc fails on a refused connection. The request
# keeps nc's input open a while: Debian 12's pasta loses the server's FIN after the client's
# half-close, and nc would wait for it forever.
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
ARG NONCE
RUN echo "nonce $NONCE"; \
    (printf 'GET /index.html HTTP/1.0\r\n\r\n'; sleep 2) | busybox nc -w 5 10.204.0.1 8000 || echo OUTSIDE-FAILED; \
    printf 'GET /lo.html HTTP/1.0\r\n\r\n' | busybox nc -w 5 127.0.0.1 8001 || echo LOOPBACK-FAILED
RUN --network=host printf 'GET /lo.html HTTP/1.0\r\n\r\n' | busybox nc -w 5 127.0.0.1 8001
DF
[ "$PART" = rootless ] && chown -R "$SUBID_UID:$SUBID_GID" "$ctx"
build() { bld build --progress plain "$@" "$ctx" >"$WORK/id" 2>"$WORK/log"; }

# What step N's RUN printed (the log's "#N 0.123 text" lines; the step's title line has no time).
out_of() { sed -n "s/^#$1 [0-9][0-9.]* //p" "$WORK/log" | tr -d '\r'; }
build --build-arg NONCE=1 || { cat "$WORK/log"; fail "default build failed"; }
out_of 2 | grep -qx hello-outside || { cat "$WORK/log"; fail "the default RUN did not reach the outside server"; }
out_of 2 | grep -qx LOOPBACK-FAILED || { cat "$WORK/log"; fail "the default RUN could connect to the host's loopback"; }
out_of 2 | grep -q hello-loopback && { cat "$WORK/log"; fail "the default RUN read from the host's loopback"; }
out_of 3 | grep -qx hello-loopback || { cat "$WORK/log"; fail "RUN --network=host did not reach the host's loopback"; }
note "$PART: default RUN -> outside reached, loopback refused; RUN --network=host -> loopback reached"

build --build-arg NONCE=2 --network host || { cat "$WORK/log"; fail "build --network host failed"; }
out_of 2 | grep -qx hello-outside && out_of 2 | grep -qx hello-loopback && ! out_of 2 | grep -q FAILED ||
  { cat "$WORK/log"; fail "build --network host did not reach both servers"; }
note "$PART: build --network host reaches both"

# The default network is no part of the cache key: the same build again is all cached.
build --build-arg NONCE=1 || { cat "$WORK/log"; fail "rebuild failed"; }
grep -q CACHED "$WORK/log" || { cat "$WORK/log"; fail "the rebuild was not cached"; }
out_of 2 | grep -q hello-outside && { cat "$WORK/log"; fail "the rebuild ran the RUN again"; }
if [ "$PART" = root ]; then
  ip -br link | grep -q '^vb' && { ip -br link; fail "a RUN's veth was left behind"; }
fi
if [ "$PART" = rootless ]; then
  [ -z "$(pgrep -u "$SUBID_UID" -f '(^|/)(pasta|passt)')" ] || fail "pasta left after the build: $(ps -fu "$SUBID_UID")"
fi
note ok

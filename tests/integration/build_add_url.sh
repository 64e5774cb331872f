#!/bin/sh
# `ADD <url>` from a local http.server: the file lands with mode 0600 under the URL's base name,
# an unchanged download is a cache hit, --checksum is verified, a 404 fails the build.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool umoci
need_tool python3
export BUILDER_ROOT="$WORK/store"
umoci init --layout "$BUILDER_ROOT" >/dev/null 2>&1 || fail "umoci init"
umoci new --image "$BUILDER_ROOT:docker.io/library/empty:1" >/dev/null 2>&1 || fail "umoci new"

mkdir -p "$WORK/www" "$WORK/ctx"
printf 'payload\n' >"$WORK/www/file.txt"
sum=$(sha256sum "$WORK/www/file.txt" | cut -d' ' -f1)
(cd "$WORK/www" && exec python3 -u -m http.server 0 --bind 127.0.0.1 >"$WORK/http.log" 2>&1) &
server=$!
add_cleanup "kill $server 2>/dev/null"
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "http.server did not start: $(cat "$WORK/http.log")"
url="http://127.0.0.1:$port"

cat >"$WORK/ctx/Dockerfile" <<DF
FROM empty:1
ADD $url/file.txt /dl/
ADD --checksum=sha256:$sum $url/file.txt /checked.txt
DF
"$BUILDER" build -q -t url:1 "$WORK/ctx" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "ADD url build failed"; }
umoci unpack --image "$BUILDER_ROOT:docker.io/library/url:1" "$WORK/out" >/dev/null 2>&1 || fail "umoci unpack"
[ "$(cat "$WORK/out/rootfs/dl/file.txt")" = payload ] || fail "downloaded content differs"
[ "$(stat -c %a "$WORK/out/rootfs/dl/file.txt")" = 600 ] || fail "ADD url mode is not 600"
[ "$(cat "$WORK/out/rootfs/checked.txt")" = payload ] || fail "checksummed download differs"

# Without --checksum the download is keyed on its content and Last-Modified: an unchanged
# resource hits, and so do the steps after it.
printf 'FROM empty:1\nADD %s/file.txt /dl/\nCOPY Dockerfile /df\n' "$url" >"$WORK/ctx/Dockerfile"
build_url() { "$BUILDER" build --progress plain --explain -t url:2 "$WORK/ctx" >/dev/null 2>"$WORK/log" || { cat "$WORK/log"; fail "ADD url rebuild failed"; }; }
build_url
build_url
[ "$(grep -c CACHED "$WORK/log")" = 2 ] || { cat "$WORK/log"; fail "an unchanged ADD url did not hit the cache"; }
printf 'payload 2\n' >"$WORK/www/file.txt"
touch -d '2020-01-01 00:00:00 UTC' "$WORK/www/file.txt"
build_url
grep -q "cache miss: ADD $url/file.txt: content changed" "$WORK/log" || { cat "$WORK/log"; fail "no explanation for the changed download"; }
[ "$(grep -c CACHED "$WORK/log")" = 0 ] || { cat "$WORK/log"; fail "steps after a changed download hit the cache"; }
umoci unpack --image "$BUILDER_ROOT:docker.io/library/url:2" "$WORK/out2" >/dev/null 2>&1 || fail "umoci unpack url:2"
[ "$(cat "$WORK/out2/rootfs/dl/file.txt")" = "payload 2" ] || fail "the changed download was not used"
[ "$(stat -c %Y "$WORK/out2/rootfs/dl/file.txt")" = 1577836800 ] || fail "mtime is not Last-Modified"
build_url
[ "$(grep -c CACHED "$WORK/log")" = 2 ] || { cat "$WORK/log"; fail "the changed download did not hit on the next build"; }
touch -d '2021-01-01 00:00:00 UTC' "$WORK/www/file.txt"
build_url
grep -q "cache miss: ADD $url/file.txt: last-modified changed" "$WORK/log" || { cat "$WORK/log"; fail "a new Last-Modified did not miss"; }
ls "$BUILDER_ROOT/tmp" | grep -q . && fail "downloads left in the store's tmp/: $(ls "$BUILDER_ROOT/tmp")"

printf 'FROM empty:1\nADD --checksum=sha256:%064d %s/file.txt /x\n' 0 "$url" >"$WORK/ctx/Dockerfile"
"$BUILDER" build -q "$WORK/ctx" >/dev/null 2>"$WORK/err" && fail "a wrong checksum was accepted"
grep -q "digest mismatch" "$WORK/err" || fail "wrong-checksum error: $(cat "$WORK/err")"

printf 'FROM empty:1\nADD %s/missing.txt /x\n' "$url" >"$WORK/ctx/Dockerfile"
"$BUILDER" build -q "$WORK/ctx" >/dev/null 2>"$WORK/err" && fail "a 404 was accepted"
grep -q "404" "$WORK/err" || fail "404 error: $(cat "$WORK/err")"
note ok

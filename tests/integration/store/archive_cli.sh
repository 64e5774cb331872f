#!/bin/bash
# import/save/load as a user sees them: docker's output lines, byte-identical saves, compressed
# and stdin input, --change edits, and errors that leave nothing tagged.
# Usage: archive_cli.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
need_tool jq
export BUILDER_ROOT="$WORK/store"
export SOURCE_DATE_EPOCH=946684800
make_rootfs_tar "$WORK/rootfs.tar"

id=$(b import -c 'ENTRYPOINT ["/bin/sh"]' -c 'ENV A=1 B="two words"' -c 'EXPOSE 80/udp' \
  -c 'WORKDIR /srv' -c 'LABEL x=y' -m "hello" "$WORK/rootfs.tar" app:1.0)
[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fail "import printed '$id', not an image id"
cfg=$(b inspect app:1.0 | jq -c '.[0].Config')
[ "$cfg" = '{"ExposedPorts":{"80/udp":{}},"Env":["A=1","B=two words"],"Entrypoint":["/bin/sh"],"WorkingDir":"/srv","Labels":{"x":"y"}}' ] ||
  fail "config after --change: $cfg"
b history app:1.0 | grep -q ' hello$' || fail "history lacks the -m message"
"$BUILDER" import -c 'RUN true' "$WORK/rootfs.tar" 2>"$WORK/err" && fail "RUN accepted as a change"
grep -q 'RUN is not a valid change command' "$WORK/err" || fail "wrong error: $(cat "$WORK/err")"
b import - <"$WORK/rootfs.tar" >/dev/null
gzip -c "$WORK/rootfs.tar" >"$WORK/rootfs.tar.gz"
[ "$(b import "$WORK/rootfs.tar.gz")" = "$(b import "$WORK/rootfs.tar")" ] ||
  fail "gzip input gives another image than the plain tar"

# A URL source is downloaded (libcurl) and imported like the file; 404 is an error.
if command -v python3 >/dev/null 2>&1; then
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$WORK" >"$WORK/http.log" 2>&1 &
  http_pid=$!
  add_cleanup "kill $http_pid 2>/dev/null"
  port=""
  for _ in $(seq 1 50); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "http.server did not start: $(cat "$WORK/http.log")"
  [ "$(b import -m same "http://127.0.0.1:$port/rootfs.tar" 2>/dev/null)" = \
    "$(b import -m same "$WORK/rootfs.tar" 2>/dev/null)" ] ||
    fail "URL import differs from the file import"
  b history "$(b import "http://127.0.0.1:$port/rootfs.tar" 2>/dev/null)" |
    grep -q "Imported from http://127.0.0.1:$port/rootfs.tar" || fail "URL import comment"
  "$BUILDER" import "http://127.0.0.1:$port/missing.tar" 2>"$WORK/err" && fail "404 imported"
  grep -q 'HTTP 404' "$WORK/err" || fail "wrong 404 error: $(cat "$WORK/err")"
fi

b tag app:1.0 app:latest
b save -o "$WORK/one.tar" app:1.0
b save app:1.0 >"$WORK/two.tar"
cmp -s "$WORK/one.tar" "$WORK/two.tar" || fail "two saves of one image differ"
b save -o "$WORK/repo.tar" app
[ "$(tar -xOf "$WORK/repo.tar" manifest.json | jq -c '.[0].RepoTags')" = '["app:1.0","app:latest"]' ] ||
  fail "save of a bare name must record every tag of the repository"

export BUILDER_ROOT="$WORK/store2"
[ "$(b load -i "$WORK/one.tar")" = "Loaded image: app:1.0" ] || fail "load output"
b save -o "$WORK/byid.tar" "${id#sha256:}"
[ "$(b load -q <"$WORK/byid.tar")" = "Loaded image ID: $id" ] || fail "untagged load output"
zstd -q -c "$WORK/repo.tar" >"$WORK/repo.tar.zst"
b load -i "$WORK/repo.tar.zst" >"$WORK/loaded.txt"
[ "$(cat "$WORK/loaded.txt")" = $'Loaded image: app:1.0\nLoaded image: app:latest' ] ||
  fail "zstd load output: $(cat "$WORK/loaded.txt")"

# A damaged archive tags nothing.
export BUILDER_ROOT="$WORK/store3"
mkdir "$WORK/bad" && tar -C "$WORK/bad" -xf "$WORK/one.tar"
layer=$(jq -r '.[0].Layers[0]' "$WORK/bad/manifest.json")
printf 'x' | dd of="$WORK/bad/$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
tar -C "$WORK/bad" -cf "$WORK/bad.tar" .
"$BUILDER" load -i "$WORK/bad.tar" >/dev/null 2>"$WORK/err" && fail "damaged archive loaded"
grep -q 'does not match its digest' "$WORK/err" || fail "wrong error: $(cat "$WORK/err")"
[ -z "$(b images -q)" ] || fail "a damaged load left images behind"
b debug fsck >/dev/null
note "ok"

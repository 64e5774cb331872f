#!/bin/sh
# `builder build` cache: hits print CACHED and give the same image, --explain names why a step
# missed (changed file, build arg, base image), --no-cache runs everything.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool umoci
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
mkdir -p "$WORK/rootfs" && tar -C "$WORK/rootfs" -xf "$WORK/rootfs.tar"
umoci init --layout "$BUILDER_ROOT" >/dev/null 2>&1 || fail "umoci init"
umoci new --image "$BUILDER_ROOT:docker.io/library/busybox:test" >/dev/null 2>&1 || fail "umoci new"
umoci unpack --image "$BUILDER_ROOT:docker.io/library/busybox:test" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci unpack"
cp -a "$WORK/rootfs/." "$WORK/bundle/rootfs/"
umoci repack --image "$BUILDER_ROOT:docker.io/library/busybox:test" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci repack"

CTX="$WORK/ctx"
mkdir -p "$CTX/src"
echo 'int main(){}' >"$CTX/src/main.c"
echo 'notes' >"$CTX/README"
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox:test
ARG VERSION=1
COPY src/ /src/
RUN echo "v$VERSION" > /version && cat /src/main.c > /copy.c
COPY README /README
DF
build() { "$BUILDER" build --progress plain --explain "$@" "$CTX" >"$WORK/id" 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build $* failed"; }; }
count() { grep -c "$1" "$WORK/log"; }

build -t app:1
id1=$(cat "$WORK/id")
[ "$(count CACHED)" = 0 ] || fail "first build had cache hits"
sleep 1  # a new creation time must not change the id of a fully cached build
build -t app:2
[ "$(cat "$WORK/id")" = "$id1" ] || fail "a fully cached rebuild gave another image id"
[ "$(count CACHED)" = 3 ] || { cat "$WORK/log"; fail "second build: want 3 CACHED, got $(count CACHED)"; }

echo 'int main(){return 1;}' >"$CTX/src/main.c"
build -t app:3
grep -q "cache miss: COPY src/: src/main.c changed" "$WORK/log" || { cat "$WORK/log"; fail "no explanation for the changed file"; }
# the README step runs over a snapshot of the cached layers and is itself a hit afterwards
build -t app:3
[ "$(count CACHED)" = 3 ] || fail "rebuild after the change should be fully cached"

snapshots_before=$(ls "$BUILDER_ROOT/snapshots" | wc -l)
build --build-arg VERSION=2 -t app:4
grep -q "cache miss: build arg VERSION changed" "$WORK/log" || { cat "$WORK/log"; fail "no build-arg explanation"; }
[ "$(count CACHED)" = 1 ] || { cat "$WORK/log"; fail "only COPY src/ should be cached with a new VERSION"; }
# the RUN stacked the cached COPY's kept layer dir instead of unpacking a new snapshot
[ "$(ls "$BUILDER_ROOT/snapshots" | wc -l)" = "$snapshots_before" ] || fail "a cache hit unpacked a snapshot"
ls "$BUILDER_ROOT/diffs" | grep -q . || fail "no layer dirs kept in $BUILDER_ROOT/diffs"

# a mtime-only change keeps the cache
touch -d '2001-01-01' "$CTX/README"
build --build-arg VERSION=2 -t app:5
[ "$(count CACHED)" = 3 ] || { cat "$WORK/log"; fail "an mtime change broke the cache"; }

sleep 2  # past the racy window: the context's hashes settle and its tree digests are memoized
build --no-cache -t app:6
[ "$(count CACHED)" = 0 ] || fail "--no-cache used the cache"

# a different base image misses from the first step on
umoci config --image "$BUILDER_ROOT:docker.io/library/busybox:test" --config.env X=1 >/dev/null 2>&1 || fail "umoci config"
build -t app:7
[ "$(count CACHED)" = 0 ] || { cat "$WORK/log"; fail "a new base image kept cache hits"; }
# COPY src/ missed with its tree unchanged (digest from the memo, no per-file entries): the
# record it wrote must still hold them, so the next change is named
echo 'int main(){return 2;}' >"$CTX/src/main.c"
build -t app:8
grep -q "cache miss: COPY src/: src/main.c changed" "$WORK/log" || { cat "$WORK/log"; fail "no per-file explanation after a memoized miss"; }

# the cached image is sound: unpack it and read what the RUN wrote
umoci unpack --image "$BUILDER_ROOT:docker.io/library/app:5" "$WORK/out" >/dev/null 2>&1 || fail "umoci unpack app:5"
[ "$(cat "$WORK/out/rootfs/version")" = v2 ] || fail "app:5 /version is $(cat "$WORK/out/rootfs/version")"
[ -f "$WORK/out/rootfs/README" ] || fail "app:5 lacks README"
# A wildcard COPY reads only what it matches: an unmatched sibling changing keeps the cache, a
# matched file changing or a new match does not; --exclude'd files never count.
W="$WORK/wild"
mkdir -p "$W/src"
echo 'int a;' >"$W/src/a.c"
echo 'readme' >"$W/src/README"
echo 'doc' >"$W/src/notes.md"
cat >"$W/Dockerfile" <<'DF'
FROM busybox:test
COPY src/*.c /out/
COPY --exclude=*.md src /all/
DF
wbuild() { "$BUILDER" build --progress plain --explain -t wild:1 "$W" >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "wild build failed"; }; }
wbuild
echo 'readme 2' >"$W/src/README"
wbuild
[ "$(count CACHED)" = 1 ] || { cat "$WORK/log"; fail "an unmatched sibling invalidated the wildcard COPY"; }
echo 'doc 2' >"$W/src/notes.md"
wbuild
[ "$(count CACHED)" = 2 ] || { cat "$WORK/log"; fail "an --exclude'd file invalidated the COPY"; }
echo 'int a = 1;' >"$W/src/a.c"
wbuild
grep -q "cache miss: COPY src/\*.c: src/a.c changed" "$WORK/log" || { cat "$WORK/log"; fail "no explanation naming the matched file"; }
echo 'int b;' >"$W/src/b.c"
wbuild
grep -q "cache miss: COPY src/\*.c: src/b.c added" "$WORK/log" || { cat "$WORK/log"; fail "a new match did not miss"; }
note ok

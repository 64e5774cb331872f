#!/bin/sh
# `builder build --cache-to type=local` / `--cache-from type=local`: a cache exported from one
# store makes a build on an empty store run no step and give the same image; a changed file
# reruns only the steps after it; mode=min leaves intermediate stages out; skopeo reads the
# export as an OCI layout.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool umoci

# The same base image (same digest) in every store: made once, copied as a save archive.
export BUILDER_ROOT="$WORK/a"
make_rootfs_tar "$WORK/rootfs.tar"
mkdir -p "$WORK/rootfs" && tar -C "$WORK/rootfs" -xf "$WORK/rootfs.tar"
umoci init --layout "$BUILDER_ROOT" >/dev/null 2>&1 || fail "umoci init"
umoci new --image "$BUILDER_ROOT:docker.io/library/busybox:test" >/dev/null 2>&1 || fail "umoci new"
umoci unpack --image "$BUILDER_ROOT:docker.io/library/busybox:test" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci unpack"
cp -a "$WORK/rootfs/." "$WORK/bundle/rootfs/"
umoci repack --image "$BUILDER_ROOT:docker.io/library/busybox:test" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci repack"
b save -o "$WORK/base.tar" busybox:test 2>/dev/null
new_store() { export BUILDER_ROOT="$WORK/$1"; b load -i "$WORK/base.tar" >/dev/null 2>&1; }

CTX="$WORK/ctx"
mkdir -p "$CTX/src"
echo 'int main(){}' >"$CTX/src/main.c"
echo 'notes' >"$CTX/README"
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox:test AS builder
COPY src/ /src/
RUN cat /src/main.c > /built
FROM busybox:test
COPY --from=builder /built /app/built
COPY README /README
RUN cat /README /app/built > /combined
DF
build() { "$BUILDER" build --progress plain "$@" "$CTX" >"$WORK/id" 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build $* failed"; }; }
cached() { grep -c "CACHED" "$WORK/log"; }

export BUILDER_ROOT="$WORK/a"
build -t app:1 --cache-to "type=local,dest=$WORK/cache-min" --cache-to "type=local,dest=$WORK/cache-max,mode=max"
id_a=$(cat "$WORK/id")
[ "$(cached)" = 0 ] || fail "first build had cache hits"
[ -f "$WORK/cache-max/index.json" ] && [ -f "$WORK/cache-max/oci-layout" ] || fail "no OCI layout written"
[ ! -e "$WORK/cache-max/tmp" ] || fail "staging dir left in the export"
grep -q 'application/vnd.builder.cache.config.v1+json' "$WORK/cache-max/index.json" || fail "index.json has no cache artifact"

# mode=max: an empty store runs nothing and gets the same image.
new_store b
build -t app:1 --cache-from "type=local,src=$WORK/cache-max"
[ "$(cached)" = 5 ] || { cat "$WORK/log"; fail "mode=max import: want 5 CACHED, got $(cached)"; }
[ "$(cat "$WORK/id")" = "$id_a" ] || fail "image from the imported cache differs: $(cat "$WORK/id") vs $id_a"
b debug fsck >/dev/null
# The image's files are really there: unpack it.
b debug unpack app:1 "$WORK/unpacked-b" >/dev/null
[ "$(cat "$WORK/unpacked-b/combined")" = "notes
int main(){}" ] || fail "cached image content is wrong"

# mode=min: only the final stage's steps; the builder stage runs, the rest hits.
new_store c
build -t app:1 --cache-from "type=local,src=$WORK/cache-min"
[ "$(cached)" = 3 ] || { cat "$WORK/log"; fail "mode=min import: want 3 CACHED, got $(cached)"; }
[ "$(cat "$WORK/id")" = "$id_a" ] || fail "mode=min image differs"

# One changed file on an empty store: the steps before it hit, it and the RUN after it run
# (over the imported layers, unpacked).
echo 'changed notes' >"$CTX/README"
new_store d
build -t app:2 --cache-from "type=local,src=$WORK/cache-max"
[ "$(cached)" = 3 ] || { cat "$WORK/log"; fail "changed README: want 3 CACHED, got $(cached)"; }
grep -q "COPY README /README" "$WORK/log" || fail "the changed step is not in the log"
b debug unpack app:2 "$WORK/unpacked-d" >/dev/null
[ "$(cat "$WORK/unpacked-d/combined")" = "changed notes
int main(){}" ] || fail "rebuilt image content is wrong"

# A missing cache is a warning, not a failure (a CI pipeline's first run).
build -t app:3 --cache-from "type=local,src=$WORK/nothing-here"
grep -q "WARNING: importing local cache $WORK/nothing-here failed" "$WORK/log" || { cat "$WORK/log"; fail "no warning for a missing cache"; }
# Bad specs are clear errors.
"$BUILDER" build --cache-to type=local "$CTX" 2>"$WORK/err" && fail "type=local without dest= accepted"
grep -q "builder: error: --cache-to: type=local needs dest=" "$WORK/err" || fail "unclear error: $(cat "$WORK/err")"
"$BUILDER" build --cache-to type=local,dest=x,mode=all "$CTX" 2>"$WORK/err" && fail "mode=all accepted"
grep -q "mode must be min or max" "$WORK/err" || fail "unclear error: $(cat "$WORK/err")"

# type=inline: the image config lists its steps' cache keys.
export BUILDER_ROOT="$WORK/a"
build -t app:inline --cache-to type=inline
b inspect app:inline >/dev/null
config="$WORK/a/blobs/sha256/$(cat "$WORK/id" | cut -d: -f2)"
grep -q '"builder.cache.v1":{"entries":\[{' "$config" || fail "no inline cache in the image config"

# skopeo reads the export as an OCI layout.
if command -v skopeo >/dev/null 2>&1; then
  skopeo copy --quiet "oci:$WORK/cache-max" "oci:$WORK/skopeo-copy:cache" >/dev/null 2>"$WORK/err" ||
    fail "skopeo copy of the cache failed: $(cat "$WORK/err")"
else
  note "skopeo not installed: layout check skipped"
fi
echo PASS

#!/bin/bash
# Reproducible builds: with SOURCE_DATE_EPOCH the same multi-stage Dockerfile (RUN steps writing
# files, a hard link, a whiteout, an opaque dir) and context give the same manifest digest in two
# stores, as root and as another user (own HOME, rootless over subordinate ids), a second apart,
# for gzip and zstd; `--build-arg SOURCE_DATE_EPOCH=` does the same; every layer's mtimes are
# clamped to the epoch; a different epoch gives a different digest.
# Usage: build_reproducible.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (the sandbox, and a second user with subordinate ids)"
need_tool python3
EPOCH=1262304000   # 2010-01-01T00:00:00Z

HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" 410000 510000 || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }

make_rootfs_tar "$WORK/rootfs.tar"
CTX="$HOME_DIR/ctx"
mkdir -p "$CTX/src"
echo one >"$CTX/src/a.txt"
echo two >"$CTX/src/b.txt"
touch -d @2000000000 "$CTX/src/b.txt"   # later than the epoch: clamped
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox AS build
RUN busybox --install -s /bin && mkdir -p /out/dir && echo built > /out/file && \
    ln /out/file /out/dir/hard && echo x > /out/dir/gone
COPY src /out/src
RUN rm /out/dir/gone && touch /out/later
FROM busybox
RUN busybox --install -s /bin && echo gone > /etc/extra && mkdir -p /opq && echo old > /opq/old
RUN rm /etc/passwd && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd2 && \
    rm -rf /opq && mkdir /opq && echo new > /opq/new && echo l > /l1 && ln /l1 /l2
COPY --from=build /out /out
RUN rm /etc/extra
ENV A=b
CMD ["sh"]
DF
cp "$WORK/rootfs.tar" "$HOME_DIR/rootfs.tar"
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"

# build_digest WHO STORE COMPRESSION EPOCH_MODE: the manifest digest of a fresh build of the
# context into STORE as WHO (root or user); EPOCH_MODE env or arg.
build_digest() {
  local who=$1 store=$2 comp=$3 mode=$4 run=()
  [ "$who" = user ] && run=(as_subid_user env BUILDER_ROOT="$store") || run=(env BUILDER_ROOT="$store")
  local bin=$BUILDER
  [ "$who" = user ] && bin=$BIN
  local epoch_env=() epoch_arg=()
  [ "$mode" = env ] && epoch_env=(SOURCE_DATE_EPOCH="$EPOCH") || epoch_arg=(--build-arg "SOURCE_DATE_EPOCH=$EPOCH")
  "${run[@]}" SOURCE_DATE_EPOCH=946684800 "$bin" import -c 'CMD ["sh"]' "$HOME_DIR/rootfs.tar" busybox:latest >/dev/null 2>"$WORK/log" ||
    { cat "$WORK/log" >&2; fail "import into $store as $who"; }
  "${run[@]}" "${epoch_env[@]}" "$bin" build --progress plain --network none --compression "$comp" "${epoch_arg[@]}" \
    -t rep:1 "$CTX" >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build into $store as $who ($comp)"; }
  "${run[@]}" "$bin" images --digests --format '{{.Digest}}' rep:1 || fail "images --digests in $store"
}
# RUN steps need no network here: --network none keeps the builds off the host's bridges.
# build_digest runs in $(...), where fail only ends the subshell: callers check for a digest.

for comp in gzip zstd; do
  d_root=$(build_digest root "$WORK/store-root-$comp" "$comp" env)
  sleep 1
  d_user=$(build_digest user "$HOME_DIR/store-$comp" "$comp" env)
  sleep 1
  d_arg=$(build_digest root "$WORK/store-arg-$comp" "$comp" arg)
  [ -n "$d_root" ] && [ -n "$d_user" ] && [ -n "$d_arg" ] || fail "$comp: a build failed"
  [ "$d_root" = "$d_user" ] || fail "$comp: root built $d_root, the user $d_user"
  [ "$d_root" = "$d_arg" ] || fail "$comp: --build-arg SOURCE_DATE_EPOCH built $d_arg, the env $d_root"
  note "$comp: $d_root in three stores (root, user, --build-arg)"
done

# What the image holds: created from the epoch, every entry's mtime <= epoch, the whiteout
# and the opaque marker present, owners numeric.
export BUILDER_ROOT="$WORK/store-root-gzip"
b save rep:1 >"$WORK/saved.tar"
mkdir -p "$WORK/saved" && tar -C "$WORK/saved" -xf "$WORK/saved.tar" || fail "untar saved image"
python3 - "$WORK/saved" "$EPOCH" <<'PY' || fail "image content check"
import json, sys, tarfile, os
root, epoch = sys.argv[1], int(sys.argv[2])
idx = json.load(open(os.path.join(root, "index.json")))
blob = lambda d: os.path.join(root, "blobs", *d.split(":"))
m = json.load(open(blob(idx["manifests"][0]["digest"])))
cfg = json.load(open(blob(m["config"]["digest"])))
want = "2010-01-01T00:00:00Z"
assert cfg["created"] == want, cfg["created"]
for h in cfg["history"][1:]:
    assert h["created"] == want, h
names = set()
for layer in m["layers"]:
    with tarfile.open(blob(layer["digest"]), "r:*") as t:
        for e in t.getmembers():
            assert e.mtime <= epoch, (e.name, e.mtime)
            assert e.uname == "" and e.gname == "", (e.name, e.uname)
            names.add(e.name)
for n in ["etc/.wh.passwd", "opq/.wh..wh..opq", "etc/.wh.extra", "out/dir/hard"]:
    assert n in names, n
PY
note "config/history created $EPOCH, every mtime clamped, whiteouts and opaque marker present"

d_other=$(EPOCH=1262304001 build_digest root "$WORK/store-other" gzip env)
d_gzip=$(BUILDER_ROOT="$WORK/store-root-gzip" "$BUILDER" images --digests --format '{{.Digest}}' rep:1)
[ -n "$d_other" ] && [ "$d_other" != "$d_gzip" ] || fail "a different epoch gave the same digest"

# A store that built the same context without the epoch first (its cache then holds unclamped
# layers) still gives the reproducible digest: the epoch is part of the cache key.
export BUILDER_ROOT="$WORK/store-warm"
SOURCE_DATE_EPOCH=946684800 b import -c 'CMD ["sh"]' "$HOME_DIR/rootfs.tar" busybox:latest >/dev/null
b build --progress plain --network none -t rep:1 "$CTX" >/dev/null 2>"$WORK/log"
d_warm=$(EPOCH=$EPOCH build_digest root "$WORK/store-warm" gzip env)
[ -n "$d_warm" ] && [ "$d_warm" = "$d_gzip" ] || fail "after a build without the epoch the store built $d_warm, want $d_gzip"
note "a store warm from a build without the epoch: still $d_gzip"

# A bad epoch is refused before anything runs.
SOURCE_DATE_EPOCH=yesterday "$BUILDER" build -t rep:bad "$CTX" >/dev/null 2>"$WORK/log" &&
  fail "SOURCE_DATE_EPOCH=yesterday was accepted"
grep -q "builder: error: invalid SOURCE_DATE_EPOCH: yesterday" "$WORK/log" || { cat "$WORK/log"; fail "no clear error for a bad epoch"; }
note ok

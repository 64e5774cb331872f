#!/bin/sh
# Builds one testdata/dockerfiles/build-<name>/ case with `builder build` and checks the result:
#   Dockerfile       the build; the case directory (copied) is the context
#   build.args       optional extra `builder build` arguments, one per line (@CTX@: the context)
#   prepare.sh       optional, run in the copied context first (archives, symlinks, ...)
#   Dockerfile.base  optional, built first and tagged base:case (ONBUILD and similar)
#   expect-fail      optional: the build must fail and stderr contain every line of it
#   check.sh         assertions (tests/integration/build_lib.sh) on the image unpacked by umoci
# The base image docker.io/library/busybox:test is a busybox-static rootfs made with umoci
# (an independent writer of the store's layout). Needs root (the sandbox and ownership checks).
BUILDER=$1
CASE=$2
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
. "$(dirname "$0")/build_lib.sh"
TEST_NAME=$(basename "$CASE")
[ "$(id -u)" = 0 ] || skip "needs root (ownership checks, sandbox)"
need_tool umoci
need_tool busybox
need_tool python3
export BUILDER_ROOT="$WORK/store"

make_base_image() {
  local r="$WORK/base-rootfs"
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/home/app" "$r/usr/bin" "$r/usr/lib"
  cp "$(command -v busybox)" "$r/bin/busybox"
  for a in sh echo cat ls id env true false sleep printf stat mkdir touch rm ln pwd wc head tail \
           readlink test chmod grep tar awk cut tr; do
    ln -s busybox "$r/bin/$a"
  done
  ln -s usr/lib "$r/lib64"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nweb:x:1001:1002::/:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nwebgrp:x:1002:\nextra:x:2000:app\n' >"$r/etc/group"
  chmod 1777 "$r/tmp"
  local ref="$BUILDER_ROOT:docker.io/library/busybox:test"
  umoci init --layout "$BUILDER_ROOT" >/dev/null 2>&1 || fail "umoci init"
  umoci new --image "$ref" >/dev/null 2>&1 || fail "umoci new"
  umoci unpack --image "$ref" "$WORK/base-bundle" >/dev/null 2>&1 || fail "umoci unpack (base)"
  cp -a "$r/." "$WORK/base-bundle/rootfs/"
  umoci repack --image "$ref" "$WORK/base-bundle" >/dev/null 2>&1 || fail "umoci repack"
  umoci config --image "$ref" --config.cmd sh --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    >/dev/null 2>&1 || fail "umoci config"
}

# The config blob of a tagged image in the store.
config_path() {
  python3 - "$BUILDER_ROOT" "$1" <<'PY'
import json, sys
root, ref = sys.argv[1], sys.argv[2]
for m in json.load(open(root + '/index.json'))['manifests']:
    if m.get('annotations', {}).get('org.opencontainers.image.ref.name') == ref:
        man = json.load(open(root + '/blobs/sha256/' + m['digest'][7:]))
        print(root + '/blobs/sha256/' + man['config']['digest'][7:])
        break
PY
}

make_base_image
IMAGE_CONFIG=$(config_path docker.io/library/busybox:test)
BASE_LAYERS=$(cfg rootfs.diff_ids.#)

CTX="$WORK/ctx"
cp -a "$CASE" "$CTX"
if [ -f "$CTX/prepare.sh" ]; then (cd "$CTX" && sh ./prepare.sh) || fail "prepare.sh failed"; fi
if [ -f "$CTX/Dockerfile.base" ]; then
  "$BUILDER" build -q -f "$CTX/Dockerfile.base" -t base:case "$CTX" >/dev/null 2>"$WORK/base.log" ||
    { cat "$WORK/base.log" >&2; fail "building Dockerfile.base failed"; }
fi
set --
if [ -f "$CTX/build.args" ]; then
  while IFS= read -r line; do
    [ -n "$line" ] && set -- "$@" "$(printf '%s' "$line" | sed "s|@CTX@|$CTX|g")"
  done <"$CTX/build.args"
fi
LOG="$WORK/build.log"
"$BUILDER" build --progress plain -t test:case "$@" "$CTX" >"$WORK/iid" 2>"$LOG"
rc=$?
if [ -f "$CTX/expect-fail" ]; then
  [ $rc -ne 0 ] || { cat "$LOG"; fail "the build should have failed"; }
  while IFS= read -r want; do
    [ -z "$want" ] && continue
    grep -qF -- "$want" "$LOG" || { cat "$LOG" >&2; fail "error output lacks '$want'"; }
  done <"$CTX/expect-fail"
  note "failed as expected"
  exit 0
fi
[ $rc -eq 0 ] || { cat "$LOG" >&2; fail "builder build exited $rc"; }
IMAGE_CONFIG=$(config_path docker.io/library/test:case)
[ -n "$IMAGE_CONFIG" ] || fail "test:case not tagged in the store"
grep -q "^$(cat "$WORK/iid")\$" "$WORK/iid" && [ "$(cat "$WORK/iid")" = "sha256:$(basename "$IMAGE_CONFIG")" ] ||
  fail "printed image id $(cat "$WORK/iid") is not the config digest"
umoci unpack --image "$BUILDER_ROOT:docker.io/library/test:case" "$WORK/bundle" >/dev/null 2>"$WORK/unpack.log" ||
  { cat "$WORK/unpack.log" >&2; fail "umoci unpack of the built image failed"; }
ROOTFS="$WORK/bundle/rootfs"
. "$CTX/check.sh"
note "ok"

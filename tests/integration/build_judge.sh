#!/bin/bash
# An independent OCI runtime runs what `builder build` made: the hello image is built on a
# busybox base from `builder import`, unpacked by umoci into a runtime bundle and run by crun
# (runc when crun refuses this VM's hybrid cgroup layout; see ../shared/peers/README.md).
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (sandbox and OCI runtime)"
need_tool umoci
need_tool jq
command -v crun >/dev/null 2>&1 || command -v runc >/dev/null 2>&1 || skip "neither crun nor runc installed"
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
b build -q -t hello:judge "$(dirname "$0")/../../testdata/dockerfiles/hello" >/dev/null
umoci unpack --image "$BUILDER_ROOT:docker.io/library/hello:judge" "$WORK/bundle" >/dev/null ||
  fail "umoci unpack of the built image"
jq '.process.terminal = false' "$WORK/bundle/config.json" >"$WORK/config.json" &&
  mv "$WORK/config.json" "$WORK/bundle/config.json"
id="builder-judge-$$"
out=""
if command -v crun >/dev/null 2>&1; then
  out=$(crun run -b "$WORK/bundle" "$id" 2>&1) && runtime=crun
  crun delete -f "$id" >/dev/null 2>&1
fi
if [ -z "${runtime:-}" ]; then
  case "$out" in *"hybrid mode not supported"*|"") ;; *) fail "crun: $out" ;; esac
  need_tool runc
  out=$(runc run -b "$WORK/bundle" "$id" 2>&1) || fail "runc: $out"
  runc delete -f "$id" >/dev/null 2>&1
  runtime=runc
fi
[ "$out" = "Hello from builder" ] || fail "$runtime printed '$out', want 'Hello from builder'"
note "$runtime ran the built image's entrypoint: $out"

#!/bin/bash
# An independent OCI runtime runs what `builder build` made: the hello image is built on a
# busybox base from `builder import`, unpacked by umoci into a runtime bundle and run by crun.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox and OCI runtime)"
need_tool umoci
need_tool jq
need_tool crun
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
b build -q -t hello:judge "$(dirname "$0")/../../testdata/dockerfiles/hello" >/dev/null
umoci unpack --image "$BUILDER_ROOT:docker.io/library/hello:judge" "$WORK/bundle" >/dev/null ||
  fail "umoci unpack of the built image"
jq '.process.terminal = false' "$WORK/bundle/config.json" >"$WORK/config.json" &&
  mv "$WORK/config.json" "$WORK/bundle/config.json"
id="builder-judge-$$"
# Cgroups are not what is judged: with the manager disabled crun also runs on VMs whose hybrid
# cgroup layout it otherwise refuses ("cgroups in hybrid mode not supported").
out=$(crun --cgroup-manager=disabled run -b "$WORK/bundle" "$id" 2>&1) || fail "crun: $out"
crun delete -f "$id" >/dev/null 2>&1
[ "$out" = "Hello from builder" ] || fail "crun printed '$out', want 'Hello from builder'"
note "crun ran the built image's entrypoint: $out"

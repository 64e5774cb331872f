#!/bin/sh
# `builder build` runs stages as a DAG: a 6-stage Dockerfile's two independent branches run at
# the same time (each RUN waits for the other's marker: a sequential build fails), so do the
# steps of a stage before its COPY --from and the stage it copies from, the unused
# stage never runs, and two concurrent builds of it in one store both succeed with the same
# image, every step having run once (a cache mount counts the executions).
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool busybox

make_rootfs_tar "$WORK/rootfs.tar"
CTX="$WORK/ctx"
mkdir -p "$CTX"
# Each branch leaves its marker in the shared cache mount and waits (up to 20 s) for the other's:
# left with right (two stages on one base), and left2 with the final stage's first RUN (the
# final stage does not wait for left2 until its COPY --from=left2: steps, not stages, wait).
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox:test AS base
RUN --mount=type=cache,id=runs,target=/log echo base >> /log/runs && echo base > /base

FROM base AS left
RUN --mount=type=cache,id=runs,target=/log echo left >> /log/runs && echo > /log/left.here && \
    i=0; while [ ! -e /log/right.here ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
    [ -e /log/right.here ] && echo left > /left

FROM base AS right
RUN --mount=type=cache,id=runs,target=/log echo right >> /log/runs && echo > /log/right.here && \
    i=0; while [ ! -e /log/left.here ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
    [ -e /log/left.here ] && echo right > /right

FROM left AS left2
RUN --mount=type=cache,id=runs,target=/log echo left2 >> /log/runs && echo > /log/left2.here && \
    i=0; while [ ! -e /log/final.here ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
    [ -e /log/final.here ] && cat /left > /left2

FROM busybox:test AS unused
RUN --mount=type=cache,id=runs,target=/log echo unused >> /log/runs

FROM base AS final
RUN --mount=type=cache,id=runs,target=/log echo final0 >> /log/runs && echo > /log/final.here && \
    i=0; while [ ! -e /log/left2.here ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; \
    [ -e /log/left2.here ]
COPY --from=left2 /left2 /left2
COPY --from=right /right /right
RUN --mount=type=cache,id=runs,target=/log echo final >> /log/runs && cat /left2 /right > /both
DF

new_store() {
  export BUILDER_ROOT="$WORK/$1"
  "$BUILDER" import "$WORK/rootfs.tar" busybox:test >/dev/null 2>"$WORK/import.log" ||
    { cat "$WORK/import.log" >&2; fail "import of the base image failed"; }
}
# The executions the cache mount counted: "name count" lines, sorted.
runs() { sort "$(find "$BUILDER_ROOT/cache/mounts" -name runs)" | uniq -c | awk '{print $2, $1}' | tr '\n' ' '; }
want_runs="base 1 final 1 final0 1 left 1 left2 1 right 1 "

# One build: the branches meet, the unused stage does not run, each step runs once.
new_store store1
"$BUILDER" build --jobs 4 --network none --progress plain -t par:1 "$CTX" >"$WORK/id1" 2>"$WORK/log1" ||
  { cat "$WORK/log1" >&2; fail "the parallel build failed"; }
[ "$(runs)" = "$want_runs" ] || fail "executions: got '$(runs)', want '$want_runs'"
grep -q '\[unused' "$WORK/log1" && fail "the unused stage was planned or ran"
# Plain progress keeps the vertices apart: every output line carries its vertex's number, and
# the left and right RUN vertices each end with DONE.
for name in 'left 2/2' 'right 2/2'; do
  id=$(sed -n "s|^#\([0-9]*\) \[$name\] RUN.*|\1|p" "$WORK/log1" | head -n1)
  [ -n "$id" ] || { cat "$WORK/log1"; fail "no vertex for [$name]"; }
  grep -q "^#$id DONE" "$WORK/log1" || fail "vertex #$id [$name] has no DONE"
done
"$BUILDER" build --jobs 4 --network none --progress plain -t par:1b "$CTX" >"$WORK/id1b" 2>"$WORK/log1b" ||
  fail "the cached rebuild failed"
[ "$(cat "$WORK/id1b")" = "$(cat "$WORK/id1")" ] || fail "a cached rebuild gave another image"
[ "$(runs)" = "$want_runs" ] || fail "the cached rebuild ran steps again: '$(runs)'"

# --jobs 1: the branches cannot meet, the build fails naming the step that gave up, and the
# stage left over is never started.
new_store store-seq
if "$BUILDER" build --jobs 1 --network none --progress plain "$CTX" >/dev/null 2>"$WORK/log-seq"; then
  fail "a sequential build of the rendezvous passed: the branches did not need to overlap"
fi
grep -q 'builder: error: .*step \[left 2/2\] RUN' "$WORK/log-seq" ||
  { cat "$WORK/log-seq"; fail "the error does not name the failing step"; }

# Two builds at once in one fresh store: the same image, every step run once in all.
new_store store2
"$BUILDER" build --jobs 4 --network none --progress json -t par:a "$CTX" >"$WORK/ida" 2>"$WORK/loga" &
pa=$!
"$BUILDER" build --jobs 4 --network none --progress json -t par:b "$CTX" >"$WORK/idb" 2>"$WORK/logb" &
pb=$!
wait $pa || { cat "$WORK/loga" >&2; fail "concurrent build a failed"; }
wait $pb || { cat "$WORK/logb" >&2; fail "concurrent build b failed"; }
[ "$(cat "$WORK/ida")" = "$(cat "$WORK/idb")" ] || fail "concurrent builds gave different images"
[ "$(runs)" = "$want_runs" ] || fail "concurrent builds: executions '$(runs)', want '$want_runs'"
cached=$(cat "$WORK/loga" "$WORK/logb" | grep -c '"event":"cached"')
[ "$cached" -ge 5 ] || fail "the concurrent builds shared $cached steps, want at least 5"
echo "ok"

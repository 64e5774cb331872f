#!/bin/sh
# A failing step stops a parallel build cleanly: the other stage's running RUN is killed
# (CANCELED), nothing of it is stored, and the error names the step that failed.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool busybox
need_tool pgrep

make_rootfs_tar "$WORK/rootfs.tar"
export BUILDER_ROOT="$WORK/store"
b import "$WORK/rootfs.tar" busybox:test >/dev/null
CTX="$WORK/ctx"
mkdir -p "$CTX"
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox:test AS slow
RUN --mount=type=cache,id=runs,target=/log echo slow-start >> /log/runs && sleep 77 && echo slow-end >> /log/runs

FROM busybox:test AS bad
RUN sleep 1 && echo about to fail && false

FROM busybox:test
COPY --from=slow /etc/passwd /a
COPY --from=bad /etc/passwd /b
DF

for mode in plain json; do
  start=$(date +%s)
  if "$BUILDER" build --jobs 2 --network none --progress $mode "$CTX" >/dev/null 2>"$WORK/log-$mode"; then
    fail "$mode: the build passed"
  fi
  took=$(( $(date +%s) - start ))
  [ "$took" -lt 40 ] || fail "$mode: the failing build took ${took}s: the slow RUN was not stopped"
  grep -q '^builder: error: step \[bad 2/2\] RUN sleep 1 && echo about to fail && false (Dockerfile line 5): process' \
    "$WORK/log-$mode" || { cat "$WORK/log-$mode"; fail "$mode: the error does not name the failing step"; }
done
grep -q '^#[0-9]* CANCELED$' "$WORK/log-plain" || { cat "$WORK/log-plain"; fail "plain: no CANCELED vertex"; }
grep -q '"event":"canceled"' "$WORK/log-json" || fail "json: no canceled event"
grep -q '"event":"error".*about to fail' "$WORK/log-json" || fail "json: no error event with the step's output"
# The slow RUN started (twice) and was killed before it ended; its sandbox is gone.
runs=$(cat "$(find "$BUILDER_ROOT/cache/mounts" -name runs)" | tr '\n' ' ')
[ "$runs" = "slow-start slow-start " ] || fail "slow RUN executions: '$runs'"
pgrep -f 'sleep 77' >/dev/null && fail "the canceled RUN's process is still running"
# Nothing half-stored: no cache entry, no scratch left, the store verifies.
entries=$(find "$BUILDER_ROOT/cache/entries" -type f 2>/dev/null | wc -l)
[ "$entries" = 0 ] || fail "$entries cache entries recorded by failed builds"
leftover=$(find "$BUILDER_ROOT/tmp" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
[ "$leftover" = 0 ] || { ls -la "$BUILDER_ROOT/tmp"; fail "scratch left in the store's tmp/"; }
b debug fsck >/dev/null
echo "ok"

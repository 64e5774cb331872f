#!/bin/bash
# Staging of dead processes is reclaimed at once: 5 builds of a 50 MB context killed with
# SIGKILL leave staging in tmp/; `prune` removes all of it (their leases are free) while a
# build that runs during that prune keeps its staging and succeeds.
# Usage: dead_staging.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
export BUILDER_ROOT="$WORK/store"
TMP="$BUILDER_ROOT/tmp"

mkdir -p "$WORK/ctx"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$WORK/ctx/big.bin"
printf 'FROM scratch\nCOPY big.bin /big.bin\nCOPY big.bin /again.bin\n' >"$WORK/ctx/Dockerfile"

# Killed at different moments of hashing, copying and writing the layers.
for delay in 0.4 0.8 1.2 1.6 2.0; do
  "$BUILDER" build --no-cache -q "$WORK/ctx" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
mapfile -t dead < <(ls -A "$TMP" 2>/dev/null)
staged=0
for name in "${dead[@]}"; do [[ $name == lease.* ]] || staged=$((staged + 1)); done
[ "$staged" -gt 0 ] || skip "no build was killed while it had staging (machine too fast?)"
note "killed builds left ${#dead[@]} entries in tmp/ ($(du -sm "$TMP" | cut -f1) MB)"

# A live build, caught with staging in tmp/, and prune meanwhile.
"$BUILDER" build --no-cache -q -t live:1 "$WORK/ctx" >"$WORK/live.out" 2>"$WORK/live.err" &
live=$!
for _ in $(seq 100); do
  [ "$(ls -A "$TMP" | grep -vxF -f <(printf '%s\n' "${dead[@]}") | grep -v '^lease\.' | wc -l)" -gt 0 ] && break
  sleep 0.05
done
b prune >"$WORK/prune.out"
wait "$live" || fail "the build running during prune failed: $(cat "$WORK/live.err")"
for name in "${dead[@]}"; do
  [ ! -e "$TMP/$name" ] || fail "prune left $name of a killed build in tmp/"
done
b inspect live:1 >/dev/null
b debug fsck >/dev/null
b prune >/dev/null
left=$(ls -A "$TMP" | grep -v '^lease\.' || true)
[ -z "$left" ] || fail "tmp/ after the live build ended and a second prune: $left"
note "ok: ${#dead[@]} entries of killed builds reclaimed, the concurrent build succeeded"

#!/bin/bash
# Crash safety: `builder load` and `builder import` killed with SIGKILL at 20 random moments each;
# after every kill `builder debug fsck` reports a clean store and a retry succeeds.
# Usage: crash.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
# A bigger input makes the kill land inside the write, not only before or after it.
head -c 24M /dev/urandom >"$WORK/big.bin"
tar -C "$WORK" -rf "$WORK/rootfs.tar" big.bin
b import "$WORK/rootfs.tar" crash:seed >/dev/null
b save -o "$WORK/saved.tar" crash:seed
b rmi crash:seed >/dev/null
b prune >/dev/null

for cmd in load import; do
  for i in $(seq 1 20); do
    delay_ms=$(( (RANDOM % 400) + 1 ))
    if [ "$cmd" = load ]; then
      "$BUILDER" load -i "$WORK/saved.tar" >/dev/null 2>&1 &
    else
      "$BUILDER" import "$WORK/rootfs.tar" "crash:imp$i" >/dev/null 2>&1 &
    fi
    pid=$!
    sleep "$(printf '0.%03d' "$delay_ms")"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    "$BUILDER" debug fsck >"$WORK/fsck.log" 2>&1 ||
      { cat "$WORK/fsck.log" >&2; fail "$cmd killed after ${delay_ms}ms: fsck reports damage"; }
  done
  if [ "$cmd" = load ]; then b load -i "$WORK/saved.tar" >/dev/null; else b import "$WORK/rootfs.tar" crash:retry >/dev/null; fi
  note "$cmd: 20 kills, store clean, retry ok"
done
b debug fsck >/dev/null
b prune >/dev/null
b debug fsck >/dev/null

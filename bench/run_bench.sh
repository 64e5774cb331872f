#!/usr/bin/env bash
# builder against crun (the same image unpacked as a bundle, config.json from `builder debug
# spec`) and podman, in one run: a foreground `run --rm IMG true` from start to exit, a detached
# start (`run -d IMG sleep` until it returns) and `exec CTR true` in a running container. Prints
# medians and builder/crun, builder/podman ratios. The image is a busybox-static rootfs, imported
# by each tool. A missing podman only drops its column; hyperfine is used when installed, else a
# plain loop (or with NO_HYPERFINE=1). Needs root, crun and bc. Usage: bench/run_bench.sh [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rows.sh
RUNS=${1:-5}
BUILDER=${BUILDER:-$PWD/build/tools/builder/builder}
[ -x "$BUILDER" ] || { echo "build builder first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (the sandbox, crun)" >&2; exit 1; }
for t in crun busybox python3 bc; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
HAVE_PODMAN=0; command -v podman >/dev/null && HAVE_PODMAN=1
HAVE_HF=0; command -v hyperfine >/dev/null && [ "${NO_HYPERFINE:-0}" != 1 ] && HAVE_HF=1
WORK=$(mktemp -d /tmp/builder-run-bench-XXXXXX)
export BUILDER_ROOT="$WORK/store"
CLEANUPS=()
cleanup() {
  local c
  for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
  # podman's overlay driver bind-mounts its storage dir onto itself: unmount what is left below.
  local m
  for m in $(awk -v w="$WORK" '$2 ~ "^"w {print $2}' /proc/self/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# crun refuses this VM's hybrid cgroup layout while cgroup2 still owns a controller (hugetlb):
# mount each such controller as a v1 hierarchy for the bench and undo it after.
if [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
    if ! mountpoint -q "/sys/fs/cgroup/$c"; then
      mkdir -p "/sys/fs/cgroup/$c"
      mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" || { echo "cannot mount the $c v1 hierarchy crun needs" >&2; exit 1; }
      CLEANUPS+=("umount /sys/fs/cgroup/$c; rmdir /sys/fs/cgroup/$c")
    fi
  done
fi

# The image: busybox-static with a few applet links, as the integration tests use.
root="$WORK/rootfs-src"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh true sleep id; do ln -s busybox "$root/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$WORK/rootfs.tar" .
IMG=bench/run:1
"$BUILDER" import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" "$IMG" >/dev/null 2>&1
CLEANUPS+=('"$BUILDER" rm -f $("$BUILDER" ps -a -q) >/dev/null 2>&1; "$BUILDER" prune -a -f >/dev/null 2>&1')

# crun's bundles: one per command (config.json differs only in process.args), one rootfs.
BUNDLE="$WORK/bundle"
"$BUILDER" debug unpack "$IMG" "$BUNDLE/rootfs" >/dev/null
for cmd in true sleep; do
  mkdir -p "$WORK/b-$cmd"
  ln -s "$BUNDLE/rootfs" "$WORK/b-$cmd/rootfs"
done
"$BUILDER" debug spec --rootfs "$BUNDLE/rootfs" --image "$IMG" true >"$WORK/b-true/config.json"
"$BUILDER" debug spec --rootfs "$BUNDLE/rootfs" --image "$IMG" sleep 100000 >"$WORK/b-sleep/config.json"
CRUN_ID="builder-bench-$$"
CLEANUPS+=('crun delete -f "$CRUN_ID" >/dev/null 2>&1; crun delete -f "$CRUN_ID-d" >/dev/null 2>&1; crun delete -f "$CRUN_ID-x" >/dev/null 2>&1')

# podman with a private store and the settings this VM needs (../shared/peers/setup.sh).
if [ "$HAVE_PODMAN" = 1 ]; then
  mkdir -p "$WORK/podman"
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
    "$WORK/podman/storage" "$WORK/podman/run" >"$WORK/podman/storage.conf"
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\nnetns = "host"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
    >"$WORK/podman/containers.conf"
  export CONTAINERS_CONF="$WORK/podman/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/podman/storage.conf"
  podman import -q -c 'CMD ["sh"]' -c 'ENV PATH=/bin' "$WORK/rootfs.tar" localhost/bench/run:1 >/dev/null
  CLEANUPS+=('podman rm -f -a >/dev/null 2>&1; podman rmi -a -f >/dev/null 2>&1')
fi

# bench NAME PREPARE CMD: the median seconds of CMD over RUNS runs (PREPARE before each, untimed).
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
bench() {
  local name=$1 prepare=$2 cmd=$3
  if [ "$HAVE_HF" = 1 ]; then
    hyperfine -N --style none --runs "$RUNS" --warmup 1 --prepare "sh -c '$prepare >/dev/null 2>&1 || true'" \
      --export-json "$WORK/$name.json" "$cmd" >/dev/null 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; exit 1; }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/$name.json"
  else
    local t0 t1
    bash -c "$prepare" >/dev/null 2>&1; bash -c "$cmd" >/dev/null 2>&1  # warm-up
    for _ in $(seq "$RUNS"); do
      bash -c "$prepare" >/dev/null 2>&1
      t0=$(date +%s.%N); bash -c "$cmd" >/dev/null 2>&1; t1=$(date +%s.%N)
      echo "$t1 - $t0" | bc
    done | median
  fi
}
declare -A R
# Like for like: crun's spec gives the container an empty network namespace, podman's is set to
# the host's (containers.conf above); builder's default for root is now a veth on its bridge.
B="$BUILDER"
NET="--network none"
# Foreground: start to exit, the container removed (--rm; crun run deletes its own on exit).
R[run-builder]=$(bench run-builder true "$B run --rm $NET $IMG true")
R[run-crun]=$(bench run-crun "crun delete -f $CRUN_ID" "crun run --bundle $WORK/b-true $CRUN_ID")
# Detached: until the command returns with the container running; the previous one removed first.
R[detach-builder]=$(bench detach-builder "$B rm -f bench-d" "$B run -d $NET --name bench-d $IMG sleep 100000")
R[detach-crun]=$(bench detach-crun "crun delete -f $CRUN_ID-d" "crun run -d --bundle $WORK/b-sleep $CRUN_ID-d")
# exec in one running container of each.
"$B" run -d $NET --name bench-x "$IMG" sleep 100000 >/dev/null
crun run -d --bundle "$WORK/b-sleep" "$CRUN_ID-x" >/dev/null
R[exec-builder]=$(bench exec-builder true "$B exec bench-x true")
R[exec-crun]=$(bench exec-crun true "crun exec $CRUN_ID-x true")
if [ "$HAVE_PODMAN" = 1 ]; then
  P=localhost/bench/run:1
  R[run-podman]=$(bench run-podman true "podman run --rm $P true")
  R[detach-podman]=$(bench detach-podman "podman rm -f -t 0 bench-d" "podman run -d --name bench-d $P sleep 100000")
  podman run -d --name bench-x "$P" sleep 100000 >/dev/null
  R[exec-podman]=$(bench exec-podman true "podman exec bench-x true")
fi

# Peak RSS of one more foreground run of each (bench/run's table).
"$B" rm -f bench-x >/dev/null 2>&1 || true
RSS_B=$(peak_rss_kb $B run --rm $NET $IMG true)
crun delete -f "$CRUN_ID" >/dev/null 2>&1 || true
RSS_C=$(peak_rss_kb crun run --bundle "$WORK/b-true" "$CRUN_ID")
bench_row "run --rm true" "${R[run-builder]}" crun "${R[run-crun]}" "$RSS_B" "$RSS_C"
bench_row "run -d (detached start)" "${R[detach-builder]}" crun "${R[detach-crun]}"
bench_row "exec true" "${R[exec-builder]}" crun "${R[exec-crun]}"
if [ "$HAVE_PODMAN" = 1 ]; then
  bench_row "run --rm true" "${R[run-builder]}" podman "${R[run-podman]}" "$RSS_B" \
    "$(peak_rss_kb podman run --rm $P true)"
  bench_row "run -d (detached start)" "${R[detach-builder]}" podman "${R[detach-podman]}"
  bench_row "exec true" "${R[exec-builder]}" podman "${R[exec-podman]}"
fi

echo "$RUNS runs each ($([ "$HAVE_HF" = 1 ] && echo hyperfine || echo 'shell loop')), medians in ms$([ "$HAVE_PODMAN" = 1 ] || echo '; podman not installed: its columns skipped')"
printf '%-8s %9s %9s %9s %10s %10s\n' op builder crun podman b/crun b/podman
for op in run detach exec; do
  b=${R[$op-builder]} c=${R[$op-crun]} p=${R[$op-podman]:-}
  printf '%-8s %9.1f %9.1f %9s %10.2f %10s\n' "$op" "$(echo "$b * 1000" | bc -l)" "$(echo "$c * 1000" | bc -l)" \
    "$([ -n "$p" ] && printf '%.1f' "$(echo "$p * 1000" | bc -l)" || echo -)" "$(echo "$b / $c" | bc -l)" \
    "$([ -n "$p" ] && printf '%.2f' "$(echo "$b / $p" | bc -l)" || echo -)"
done

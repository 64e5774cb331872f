#!/usr/bin/env bash
# builder against skopeo on one loopback docker-registry, in one run: push and pull of a ~700 MB
# image of gzip layers (7 x 100 MB of incompressible data). Each push run starts from an empty
# registry with no mount hints on either side (builder's store record, skopeo's blob-info cache),
# each pull run from an empty destination. Prints medians and builder/skopeo ratios.
# Needs docker-registry, skopeo, python3 and root (the build). Usage: bench/registry_bench.sh [RUNS (default 3)]
# LAYERS (default 7) and LAYER_MB (default 100) shrink the image (bench/run --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rows.sh
RUNS=${1:-3}
BUILDER=${BUILDER:-$PWD/build/tools/builder/builder}
[ -x "$BUILDER" ] || { echo "build builder first" >&2; exit 1; }
for t in docker-registry skopeo python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/builder-registry-bench-XXXXXX)
REGISTRY_PID=""
stop() {
  if [ -n "$REGISTRY_PID" ]; then kill "$REGISTRY_PID" 2>/dev/null || true; wait "$REGISTRY_PID" 2>/dev/null || true; fi
  REGISTRY_PID=""
}
trap 'stop; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG="127.0.0.1:$PORT"
start_registry() {  # a fresh, empty registry
  stop
  rm -rf "$WORK/registry-data"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
    "$WORK/registry-data" "$REG" >"$WORK/registry.yml"
  docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REGISTRY_PID=$!
  for _ in $(seq 100); do curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && return; sleep 0.1; done
  cat "$WORK/registry.log" >&2; exit 1
}

# The image: 7 layers of 100 MB random bytes (gzip cannot shrink them), built by builder.
export BUILDER_ROOT="$WORK/store"
mkdir -p "$WORK/ctx"
LAYERS=${LAYERS:-7} LAYER_MB=${LAYER_MB:-100}
{ echo "FROM scratch"; for i in $(seq "$LAYERS"); do head -c $((LAYER_MB << 20)) /dev/urandom >"$WORK/ctx/l$i"; echo "COPY l$i /l$i"; done; } >"$WORK/ctx/Dockerfile"
"$BUILDER" build -q -t bench/img:1 "$WORK/ctx" >/dev/null
rm -rf "$WORK/ctx"
SRC="oci:$BUILDER_ROOT:docker.io/bench/img:1"
size=$(du -sm "$BUILDER_ROOT/blobs" | cut -f1)
echo "image: $size MB of blobs in the store, $RUNS runs each"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
SKOPEO_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
: >"$WORK/b_push"; : >"$WORK/s_push"; : >"$WORK/b_pull"; : >"$WORK/s_pull"
for r in $(seq "$RUNS"); do
  start_registry; rm -rf "$BUILDER_ROOT/registry"
  t0=$(now); /usr/bin/time -f %M -o "$WORK/rss_b_push" "$BUILDER" push -q bench/img:1 "$REG/b/img:$r" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/b_push"
  start_registry; rm -f "$SKOPEO_CACHE"
  t0=$(now); /usr/bin/time -f %M -o "$WORK/rss_s_push" skopeo copy -q --dest-tls-verify=false "$SRC" "docker://$REG/s/img:$r" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/s_push"
done
# Pulls: both from the image skopeo pushed last, into empty destinations.
for r in $(seq "$RUNS"); do
  rm -rf "$WORK/pull-store" "$WORK/pull-oci"
  t0=$(now); BUILDER_ROOT="$WORK/pull-store" /usr/bin/time -f %M -o "$WORK/rss_b_pull" "$BUILDER" pull -q "$REG/s/img:$RUNS" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/b_pull"
  rm -f "$SKOPEO_CACHE"
  t0=$(now); /usr/bin/time -f %M -o "$WORK/rss_s_pull" skopeo copy -q --src-tls-verify=false "docker://$REG/s/img:$RUNS" "oci:$WORK/pull-oci:img" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc >>"$WORK/s_pull"
done
printf '%-6s %10s %10s %8s\n' op builder skopeo ratio
for op in push pull; do
  b=$(median <"$WORK/b_$op"); s=$(median <"$WORK/s_$op")
  printf '%-6s %9.2fs %9.2fs %8.2f\n' "$op" "$b" "$s" "$(echo "$b / $s" | bc -l)"
  bench_row "$op ${size} MB image" "$b" skopeo "$s" "$(tail -1 "$WORK/rss_b_$op")" "$(tail -1 "$WORK/rss_s_$op")"
done

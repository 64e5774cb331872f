#!/usr/bin/env bash
# builder against buildah and BuildKit on one machine, in one run: cold build, no-op rebuild and
# one-byte-change rebuild of (a) a small 6-step Dockerfile and (b) a COPY-heavy context (20k
# files, 500 MB, from ../shared/peers/make-context.sh; SMALL_ONLY=1 skips it), and per-RUN
# overhead (10 x `RUN true` against the same file without RUN). Prints medians and ratios.
# Needs root; sets the peers up with ../shared/peers/setup.sh (apt) and a loopback registry for
# BuildKit's base image. Usage: bench/build_bench.sh [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rows.sh
RUNS=${1:-5}
PEERS_SCRIPTS=$(cd ../shared/peers && pwd)
export PEERS_DIR=${PEERS_DIR:-/tmp/peers}
BUILDER=${BUILDER:-$PWD/build/tools/builder/builder}
[ -x "$BUILDER" ] || { echo "build builder first (tools/test or tools/demo)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (peers and registry)" >&2; exit 1; }
[ -f "$PEERS_DIR/env.sh" ] || "$PEERS_SCRIPTS/setup.sh" "$PEERS_DIR" >&2
"$PEERS_SCRIPTS/registry.sh" status "$PEERS_DIR" >/dev/null 2>&1 || "$PEERS_SCRIPTS/registry.sh" start "$PEERS_DIR" >&2
"$PEERS_SCRIPTS/registry.sh" seed "$PEERS_DIR" >&2
BASE=127.0.0.1:5000/busybox:local

# builder pulls the base from the same loopback registry the peers pull it from.
export BUILDER_ROOT="$PEERS_DIR/builder-store"
"$BUILDER" pull -q "$BASE" >/dev/null

WORK=$(mktemp -d /tmp/builder-build-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
small="$WORK/small"
mkdir -p "$small/src"
for i in $(seq 1 20); do echo "file $i" >"$small/src/f$i.txt"; done
echo 0 >"$small/src/counter"
cat >"$small/Dockerfile" <<EOF
FROM $BASE
ENV APP=/app
WORKDIR /app
COPY src/ /app/src/
RUN cat /app/src/counter > /app/built && ls /app/src | wc -l > /app/count
CMD ["cat", "/app/built"]
EOF
heavy="$PEERS_DIR/heavy-context"
if [ "${SMALL_ONLY:-0}" != 1 ] && [ ! -f "$heavy/Dockerfile" ]; then
  BASE=$BASE "$PEERS_SCRIPTS/make-context.sh" "$heavy" >/dev/null
fi
runs="$WORK/runs"
BASE=$BASE "$PEERS_SCRIPTS/make-runs.sh" "$runs" 10 >/dev/null

# Each tool: cold (--no-cache), no-op (everything cached), one-byte change (counter bumped
# before every run, so the COPY and the RUN after it rebuild), per-RUN overhead.
source "$PEERS_DIR/env.sh"
export DOCKER_HOST="unix://$PEERS_DIR/docker.sock"
DOCKERD_PID=""
stop_dockerd() { [ -n "$DOCKERD_PID" ] && kill "$DOCKERD_PID" 2>/dev/null; rm -rf "$WORK"; }
trap stop_dockerd EXIT
if ! /usr/bin/docker version >/dev/null 2>&1; then
  mkdir -p "$PEERS_DIR/docker-root" "$PEERS_DIR/docker-exec"
  dockerd --data-root "$PEERS_DIR/docker-root" --exec-root "$PEERS_DIR/docker-exec" \
    --pidfile "$PEERS_DIR/docker-exec/dockerd.pid" -H "$DOCKER_HOST" --iptables=false \
    --ip6tables=false --bridge=none --storage-driver overlay2 >"$PEERS_DIR/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
  for _ in $(seq 1 100); do /usr/bin/docker version >/dev/null 2>&1 && break; sleep 0.2; done
fi
/usr/bin/docker pull -q "$BASE" >/dev/null
buildah pull --quiet "$BASE" >/dev/null

declare -A CMD
CMD[builder]="$BUILDER build -q -t bench/builder:1"
CMD[buildkit]="env DOCKER_BUILDKIT=1 /usr/bin/docker build -q --network none -t bench/docker:1"
CMD[buildah]="buildah bud --layers --pull=false -q --isolation chroot -t bench/buildah:1"
bump="sh -c 'date +%s%N > $small/src/counter'"
median() { jq '.results[0].median' "$1"; }
declare -A R RSS
for tool in builder buildkit buildah; do
  c=${CMD[$tool]}
  hf=(hyperfine -N --style none --runs "$RUNS" --warmup 1)
  "${hf[@]}" --export-json "$WORK/$tool-cold.json" "$c --no-cache $small" >/dev/null
  "${hf[@]}" --export-json "$WORK/$tool-noop.json" "$c $small" >/dev/null
  "${hf[@]}" --prepare "$bump" --export-json "$WORK/$tool-change.json" "$c $small" >/dev/null
  "${hf[@]}" --export-json "$WORK/$tool-run10.json" "$c --no-cache -f $runs/Dockerfile $runs" >/dev/null
  "${hf[@]}" --export-json "$WORK/$tool-run0.json" "$c --no-cache -f $runs/Dockerfile.norun $runs" >/dev/null
  # Peak RSS of one more cold build (not BuildKit's: its work is done inside dockerd).
  [ "$tool" = buildkit ] || RSS[$tool-cold]=$(peak_rss_kb sh -c "$c --no-cache $small")
  R[$tool-cold]=$(median "$WORK/$tool-cold.json")
  R[$tool-noop]=$(median "$WORK/$tool-noop.json")
  R[$tool-change]=$(median "$WORK/$tool-change.json")
  R[$tool-run]=$(jq -n "($(median "$WORK/$tool-run10.json") - $(median "$WORK/$tool-run0.json")) / 10")
  if [ "${SMALL_ONLY:-0}" != 1 ]; then
    "${hf[@]}" --export-json "$WORK/$tool-hcold.json" "$c --no-cache $heavy" >/dev/null
    # The cold builds just created and deleted 20k-file trees; their dentries crowd the dcache
    # and slow every lookup of the no-op's stat walk. Each tool's no-op starts from the same
    # trimmed dentry/inode caches (page cache kept; the warmup run walks the context once).
    sync && echo 2 >/proc/sys/vm/drop_caches
    "${hf[@]}" --export-json "$WORK/$tool-hnoop.json" "$c $heavy" >/dev/null
    "${hf[@]}" --prepare "$heavy/touch-one.sh bump" --export-json "$WORK/$tool-hchange.json" "$c $heavy" >/dev/null
    [ "$tool" = buildkit ] || RSS[$tool-hcold]=$(peak_rss_kb sh -c "$c --no-cache $heavy")
    R[$tool-hcold]=$(median "$WORK/$tool-hcold.json")
    R[$tool-hnoop]=$(median "$WORK/$tool-hnoop.json")
    R[$tool-hchange]=$(median "$WORK/$tool-hchange.json")
  fi
done

printf '%-22s %10s %10s %10s   %s\n' "median seconds" builder buildkit buildah "builder speed vs buildkit / buildah"
keys="cold noop change run"
[ "${SMALL_ONLY:-0}" = 1 ] || keys="$keys hcold hnoop hchange"
for k in $keys; do
  label=$k
  case $k in noop) label="no-op rebuild";; change) label="one-byte change";; run) label="per RUN (10 vs 0)";; cold) label="cold (--no-cache)";;
    hcold) label="20k files: cold";; hnoop) label="20k files: no-op";; hchange) label="20k files: 1 byte";; esac
  printf '%-22s %10.4f %10.4f %10.4f   %6.1fx / %6.1fx\n' "$label" "${R[builder-$k]}" "${R[buildkit-$k]}" \
    "${R[buildah-$k]}" "$(jq -n "${R[buildkit-$k]} / ${R[builder-$k]}")" "$(jq -n "${R[buildah-$k]} / ${R[builder-$k]}")"
  for peer in buildkit buildah; do
    bench_row "build: $label" "${R[builder-$k]}" "$peer" "${R[$peer-$k]}" "${RSS[builder-$k]:-}" "${RSS[$peer-$k]:-}"
  done
done

#!/usr/bin/env bash
# builder against BuildKit on a 6-stage Dockerfile with two independent branches (each RUN
# sleeps 1 s, so running them at once saves a second) and one unused stage (never built):
# cold (--no-cache) and cached, builder with its default --jobs and with --jobs 1 (the
# sequential baseline), medians and ratios printed. Needs root; sets the peers up with
# ../shared/peers/setup.sh (apt) and a loopback registry for the base image, starts Debian's
# dockerd when none answers and stops it (by its pid) on exit. Usage: bench/parallel_bench.sh [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
PEERS_SCRIPTS=${PEERS_SCRIPTS:-$(cd ../shared/peers && pwd)}
export PEERS_DIR=${PEERS_DIR:-/tmp/peers}
BUILDER=${BUILDER:-$PWD/build/tools/builder/builder}
[ -x "$BUILDER" ] || { echo "build builder first (tools/test or tools/demo)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (peers and registry)" >&2; exit 1; }
[ -f "$PEERS_DIR/env.sh" ] || "$PEERS_SCRIPTS/setup.sh" "$PEERS_DIR" >&2
"$PEERS_SCRIPTS/registry.sh" status "$PEERS_DIR" >/dev/null 2>&1 || "$PEERS_SCRIPTS/registry.sh" start "$PEERS_DIR" >&2
"$PEERS_SCRIPTS/registry.sh" seed "$PEERS_DIR" >&2
BASE=127.0.0.1:5000/busybox:local
export BUILDER_ROOT="$PEERS_DIR/builder-store"
"$BUILDER" pull -q "$BASE" >/dev/null

WORK=$(mktemp -d /tmp/builder-parallel-bench-XXXXXX)
ctx="$WORK/ctx"
mkdir -p "$ctx/src"
for i in $(seq 1 20); do echo "file $i" >"$ctx/src/f$i.txt"; done
cat >"$ctx/Dockerfile" <<EOF
FROM $BASE AS base
RUN echo base > /base

FROM base AS left
COPY src/ /src/
RUN sleep 1 && ls /src > /left

FROM base AS right
RUN sleep 1 && echo right > /right

FROM left AS left2
RUN cat /left > /left2

FROM $BASE AS unused
RUN sleep 5

FROM base
COPY --from=left2 /left2 /left2
COPY --from=right /right /right
RUN cat /left2 /right > /both
EOF

source "$PEERS_DIR/env.sh"
export DOCKER_HOST="unix://$PEERS_DIR/docker.sock"
DOCKERD_PID=""
cleanup() { [ -n "$DOCKERD_PID" ] && kill "$DOCKERD_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
if ! /usr/bin/docker version >/dev/null 2>&1; then
  mkdir -p "$PEERS_DIR/docker-root" "$PEERS_DIR/docker-exec"
  dockerd --data-root "$PEERS_DIR/docker-root" --exec-root "$PEERS_DIR/docker-exec" \
    --pidfile "$PEERS_DIR/docker-exec/dockerd.pid" -H "$DOCKER_HOST" --iptables=false \
    --ip6tables=false --bridge=none --storage-driver overlay2 >"$PEERS_DIR/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
  for _ in $(seq 1 100); do /usr/bin/docker version >/dev/null 2>&1 && break; sleep 0.2; done
fi
/usr/bin/docker pull -q "$BASE" >/dev/null

declare -A CMD
CMD[builder]="$BUILDER build -q --network none -t bench/parallel:1"
CMD[builder-j1]="$BUILDER build -q --network none --jobs 1 -t bench/parallel:1"
CMD[buildkit]="env DOCKER_BUILDKIT=1 /usr/bin/docker build -q --network none -t bench/parallel:1"
median() { jq '.results[0].median' "$1"; }
declare -A R
for tool in builder builder-j1 buildkit; do
  c=${CMD[$tool]}
  hf=(hyperfine -N --style none --runs "$RUNS" --warmup 1)
  "${hf[@]}" --export-json "$WORK/$tool-cold.json" "$c --no-cache $ctx" >/dev/null
  "${hf[@]}" --export-json "$WORK/$tool-cached.json" "$c $ctx" >/dev/null
  R[$tool-cold]=$(median "$WORK/$tool-cold.json")
  R[$tool-cached]=$(median "$WORK/$tool-cached.json")
done

printf '%-16s %10s %12s %10s   %s\n' "median seconds" builder "builder -j1" buildkit "builder speed vs buildkit / vs -j1"
for k in cold cached; do
  printf '%-16s %10.4f %12.4f %10.4f   %6.2fx / %6.2fx\n' "$k" "${R[builder-$k]}" "${R[builder-j1-$k]}" \
    "${R[buildkit-$k]}" "$(jq -n "${R[buildkit-$k]} / ${R[builder-$k]}")" \
    "$(jq -n "${R[builder-j1-$k]} / ${R[builder-$k]}")"
done

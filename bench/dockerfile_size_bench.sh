#!/bin/bash
# Planning cost against Dockerfile size: builds FROM scratch + N ENV lines and N LABEL lines
# (default 5,000 and 20,000) into a private store and prints wall time and peak RSS of each
# build. Target (issue 14): 20,000 lines in under 2 s and 200 MB.
# Usage: bench/dockerfile_size_bench.sh [BUILDER] [N...]
set -eu
BUILDER=${1:-build/tools/builder/builder}
shift || true
SIZES=${*:-5000 20000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/builder-size-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export BUILDER_ROOT="$WORK/store"

# Wall time and the child's peak RSS (getrusage), without depending on GNU time.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
secs = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{secs:8.2f} s {rss:8.1f} MB" + ("" if rc == 0 else f"  (exit {rc})"))
PY
}

printf '%-8s %8s %13s %13s\n' kind lines time 'peak RSS'
for n in $SIZES; do
  for kind in ENV LABEL; do
    dir="$WORK/$kind-$n"
    mkdir -p "$dir"
    { echo 'FROM scratch'; for ((i = 0; i < n; i++)); do echo "$kind k$i=value$i"; done; } >"$dir/Dockerfile"
    printf '%-8s %8d %s\n' "$kind" "$n" "$(measure "$BUILDER" build -q --no-cache "$dir")"
  done
done

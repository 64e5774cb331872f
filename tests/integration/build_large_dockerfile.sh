#!/bin/bash
# Planning cost is linear in the Dockerfile: 20,000 ENV and 20,000 LABEL lines build under a
# 1 GB address-space limit (quadratic planning needed 6.3 GB for the ENV case), and the image
# holds every value.
# Usage: build_large_dockerfile.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
need_tool jq
export BUILDER_ROOT="$WORK/store"
N=20000

mkdir -p "$WORK/env" "$WORK/label"
{ echo 'FROM scratch'; for ((i = 0; i < N; i++)); do echo "ENV V$i=value$i"; done; echo 'ENV V7=${V19999}'; } \
  >"$WORK/env/Dockerfile"
{ echo 'FROM scratch'; for ((i = 0; i < N; i++)); do echo "LABEL l$i=value$i"; done; } >"$WORK/label/Dockerfile"

for kind in env label; do
  start=$(date +%s%N)
  ( ulimit -v 1048576 && "$BUILDER" build -q -t "big-$kind:1" "$WORK/$kind" ) >"$WORK/$kind.out" 2>"$WORK/$kind.err" ||
    fail "$N $kind lines under a 1 GB limit: $(tail -3 "$WORK/$kind.err")"
  note "$N $kind lines: $(( ($(date +%s%N) - start) / 1000000 )) ms"
done

cfg=$(b inspect big-env:1 | jq -c '.[0].Config.Env | [length, .[0], .[8], .[20000]]')
[ "$cfg" = '[20001,"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","V7=value19999","V19999=value19999"]' ] ||
  fail "env of the 20,000-ENV image: $cfg"
[ "$(b history big-env:1 | wc -l)" -gt "$N" ] || fail "history of the 20,000-ENV image is short"
labels=$(b inspect big-label:1 | jq -c '.[0].Config.Labels | [length, .l0, .l19999]')
[ "$labels" = '[20000,"value0","value19999"]' ] || fail "labels of the 20,000-LABEL image: $labels"
note "ok"

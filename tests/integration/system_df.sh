#!/bin/bash
# `builder system df -v` prints docker's four detail tables: images with SHARED and UNIQUE SIZE
# (a layer two images hold counts as shared), containers with their COMMAND, volumes with their
# links, and one build cache row per cached step (SHARED when an image holds its layer).
# Usage: system_df.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
runner_setup

b import "$WORK/rootfs.tar" df/base:1 >/dev/null 2>&1
ctx="$WORK/ctx"
mkdir -p "$ctx"
head -c 300000 /dev/urandom >"$ctx/blob"
printf 'FROM df/base:1\nCOPY blob /blob\n' >"$ctx/Dockerfile"
b build -q -t df/app:1 "$ctx" >/dev/null 2>"$WORK/build.err" || { cat "$WORK/build.err"; fail "build"; }
b create --name dfc df/app:1 sleep 1000 >/dev/null
b volume create dfv >/dev/null

out=$("$BUILDER" system df -v) || fail "system df -v"
section() { echo "$out" | awk -v h="$1" '$0 == h {on=1; next} on && /space usage:$|^Build cache usage:/ {exit} on && NF'; }

img=$(section "Images space usage:")
echo "$img" | head -1 | grep -q '^REPOSITORY *TAG *IMAGE ID *CREATED *SIZE *SHARED SIZE *UNIQUE SIZE *CONTAINERS$' ||
  fail "images header: $img"
base=$(echo "$img" | awk '$1 == "df/base"')
app=$(echo "$img" | awk '$1 == "df/app"')
# SIZE, SHARED SIZE, UNIQUE SIZE: the last four fields before CONTAINERS are sizes ("1.2MB").
sizes() { echo "$1" | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}'; }
read -r bsize bshared bunique bn <<<"$(sizes "$base")"
read -r asize ashared aunique an <<<"$(sizes "$app")"
[ "$bshared" != 0B ] || fail "df/base's layer is in df/app too, yet SHARED SIZE is 0B: $img"
[ "$ashared" = "$bshared" ] || fail "the two images share one layer, yet SHARED SIZE differs: $img"
[ "$aunique" != 0B ] || fail "df/app's COPY layer is its own, yet UNIQUE SIZE is 0B: $img"
[ "$an" = 1 ] && [ "$bn" = 0 ] || fail "CONTAINERS: base $bn app $an: $img"
note "images: shared $bshared, df/app unique $aunique"

ctr=$(section "Containers space usage:")
echo "$ctr" | head -1 | grep -q '^CONTAINER ID *IMAGE *COMMAND *LOCAL VOLUMES *SIZE *CREATED *STATUS *NAMES$' ||
  fail "containers header: $ctr"
echo "$ctr" | grep 'dfc$' | grep -q '"sleep 1000"' || fail "container row lacks its command: $ctr"

vol=$(section "Local Volumes space usage:")
echo "$vol" | head -1 | grep -q '^VOLUME NAME *LINKS *SIZE$' || fail "volumes header: $vol"
echo "$vol" | grep -q '^dfv *0 ' || fail "volume row: $vol"

cache=$(echo "$out" | sed -n '/^Build cache usage:/,$p' | tail -n +2 | grep .)
echo "$cache" | head -1 | grep -q '^CACHE ID *CACHE TYPE *SIZE *CREATED *LAST USED *USAGE *SHARED$' ||
  fail "build cache header: $cache"
rows=$(echo "$cache" | tail -n +2 | grep -c .)
[ "$rows" -ge 1 ] || fail "no build cache row after a build: $out"
echo "$cache" | tail -n +2 | grep -q 'regular .* true$' || fail "the COPY step's layer is df/app's, yet no row is SHARED: $cache"
total=$("$BUILDER" system df --format json | python3 -c 'import json,sys
for l in sys.stdin:
    j = json.loads(l)
    if j["Type"] == "Build Cache": print(j["TotalCount"])')
[ "$total" = "$rows" ] || fail "build cache rows ($rows) vs TotalCount ($total)"
note "containers with COMMAND, volumes, $rows build cache row(s)"
note ok

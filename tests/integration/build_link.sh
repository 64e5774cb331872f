#!/bin/sh
# COPY --link / ADD --link: the layer is built over nothing, and after the base changes (another
# FROM, an earlier RUN) it is reused as is (the image is rebased, no copy runs) and the image runs.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
runner_setup
need_tool python3
need_tool skopeo
b import "$WORK/rootfs.tar" bb:1 >/dev/null
mkdir -p "$WORK/ctx"
printf 'FROM bb:1\nRUN echo two >/base2\n' >"$WORK/ctx/Dockerfile.base2"
b build -q --network none -f "$WORK/ctx/Dockerfile.base2" -t bb:2 "$WORK/ctx" >/dev/null
echo payload >"$WORK/ctx/f"
printf 'ADD-ME\n' >"$WORK/ctx/a.txt"
cat >"$WORK/ctx/Dockerfile" <<'DF'
ARG BASE=bb:1
FROM $BASE
ARG V=1
RUN echo "$V" >/v
COPY --link f /app/f
ADD --link a.txt /app/
RUN cat /app/f /app/a.txt >/app/g
DF

# Events of one build: "<step name> cached|done", and whether a "linked:" line came with it.
steps() {
  python3 -c '
import json, sys
names, state, linked = {}, {}, set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "start": names[e["id"]] = e["name"]
    elif e["event"] in ("cached", "done"): state[e["id"]] = e["event"]
    elif e["event"] == "output" and "linked:" in e.get("line", e.get("text", "")): linked.add(e["id"])
for i, n in names.items():
    print(n.split("] ", 1)[-1], state.get(i, "?"), "linked" if i in linked else "-")
' "$1"
}
build() {  # build OUT TAG ARGS...: json progress to $WORK/OUT.events, step states to $WORK/OUT
  out=$1 tag=$2
  shift 2
  "$BUILDER" build --network none --progress json -t "$tag" "$@" "$WORK/ctx" >/dev/null 2>"$WORK/$out.events" ||
    { cat "$WORK/$out.events" >&2; fail "build $tag $* failed"; }
  steps "$WORK/$out.events" >"$WORK/$out"
}
layer_digests() { skopeo inspect oci:"$BUILDER_ROOT":docker.io/library/"$1" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["Layers"]))'; }

build first l:1
grep -q '^COPY --link f /app/f done' "$WORK/first" || fail "first build: $(cat "$WORK/first")"
# The linked layer holds only what the COPY adds, nothing of the base beneath.
copy_layer=$(layer_digests l:1 | sed -n 3p)
tar -tzf "$BUILDER_ROOT/blobs/sha256/${copy_layer#sha256:}" | sed 's|^\./||; s|/$||' | LC_ALL=C sort >"$WORK/copy-entries"
[ "$(tr '\n' ' ' <"$WORK/copy-entries")" = "app app/f " ] || fail "linked layer holds: $(cat "$WORK/copy-entries")"

# Another FROM: both linked steps are reused (cached, said to be linked), the RUN after them runs.
build rebase l:2 --build-arg BASE=bb:2
grep -q '^COPY --link f /app/f cached linked$' "$WORK/rebase" || fail "COPY --link not reused over a new base: $(cat "$WORK/rebase")"
grep -q '^ADD --link a.txt /app/ cached linked$' "$WORK/rebase" || fail "ADD --link not reused over a new base: $(cat "$WORK/rebase")"
grep -q '^RUN cat /app/f /app/a.txt >/app/g done' "$WORK/rebase" || fail "RUN after the linked steps did not run: $(cat "$WORK/rebase")"
layer_digests l:2 | grep -qx "$copy_layer" || fail "the rebased image does not hold the linked layer's blob"
got=$("$BUILDER" run --rm --network none l:2 cat /base2 /app/f /app/g 2>"$WORK/err") || fail "run l:2: $(cat "$WORK/err")"
[ "$got" = "$(printf 'two\npayload\npayload\nADD-ME')" ] || fail "the rebased image runs with: $got"

# An earlier RUN changes: the same.
build rerun l:3 --build-arg V=2
grep -q '^RUN echo "$V" >/v done' "$WORK/rerun" || fail "the changed RUN did not run: $(cat "$WORK/rerun")"
grep -q '^COPY --link f /app/f cached linked$' "$WORK/rerun" || fail "COPY --link not reused after an earlier RUN changed: $(cat "$WORK/rerun")"
got=$("$BUILDER" run --rm --network none l:3 cat /v /app/f 2>"$WORK/err") || fail "run l:3: $(cat "$WORK/err")"
[ "$got" = "$(printf '2\npayload')" ] || fail "l:3 runs with: $got"

# Control: the same Dockerfile without --link copies again over a new base.
sed -i 's/ --link//' "$WORK/ctx/Dockerfile"
build plain1 p:1
build plain2 p:2 --build-arg BASE=bb:2
grep -q '^COPY f /app/f done' "$WORK/plain2" || fail "plain COPY was reused over a new base: $(cat "$WORK/plain2")"
# The linked source changes: the linked COPY runs again.
sed -i 's/COPY f/COPY --link f/' "$WORK/ctx/Dockerfile"
build linked-again l:4 --build-arg BASE=bb:2
echo changed >"$WORK/ctx/f"
build changed l:5 --build-arg BASE=bb:2
grep -q '^COPY --link f /app/f done' "$WORK/changed" || fail "changed source reused: $(cat "$WORK/changed")"

# A cache export holds the linked steps under their chained keys: a store that imports it hits
# them over the same base, and afterwards reuses them over a new base too.
build exported l:6 --build-arg BASE=bb:2 --cache-to type=local,dest="$WORK/cache"
b save -o "$WORK/bases.tar" bb:1 bb:2
export BUILDER_ROOT="$WORK/store2"
b load -i "$WORK/bases.tar" >/dev/null
build imported l:6 --build-arg BASE=bb:2 --cache-from type=local,src="$WORK/cache"
grep -q '^COPY --link f /app/f cached -$' "$WORK/imported" || fail "imported cache missed the linked COPY: $(cat "$WORK/imported")"
build imported-rebase l:7 --build-arg BASE=bb:1
grep -q '^COPY --link f /app/f cached linked$' "$WORK/imported-rebase" || fail "imported linked COPY not reused over a new base: $(cat "$WORK/imported-rebase")"
note ok

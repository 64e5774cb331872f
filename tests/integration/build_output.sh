#!/bin/sh
# `builder build --output` (oci, docker, tar, local, -o DIR) and --metadata-file, each output
# judged by another tool (skopeo, umoci, tar) or against the store's own unpack of the image.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool skopeo
need_tool umoci
need_tool python3
export BUILDER_ROOT="$WORK/store"
DTAG="builder-it-out$$:1"  # unique: a docker load below must not replace anyone's tag
make_rootfs_tar "$WORK/rootfs.tar"
b import "$WORK/rootfs.tar" bb:1 >/dev/null
mkdir -p "$WORK/ctx"
echo payload >"$WORK/ctx/f"
# a COPY, a RUN that writes and one that deletes (a whiteout the flattened outputs must apply)
printf 'FROM bb:1\nCOPY f /app/f\nRUN echo ran >/app/ran && rm /bin/false\n' >"$WORK/ctx/Dockerfile"

# Bad specs fail before anything is built.
for bad in type=zip,dest=x type=local type=local,dest=- type=oci,dest=x,foo=1 type=tar,dest=x,name=a:1; do
  "$BUILDER" build --network none -o "$bad" "$WORK/ctx" >/dev/null 2>"$WORK/err" && fail "--output $bad accepted"
  grep -q '^builder: error: --output' "$WORK/err" || fail "--output $bad: $(cat "$WORK/err")"
done

b build -q --network none -t out:1 --metadata-file "$WORK/meta.json" \
  --output "type=oci,dest=$WORK/img-oci.tar" --output "type=tar,dest=$WORK/rootfs-out.tar" \
  -o "$WORK/local" "$WORK/ctx" >"$WORK/id"
b build -q --network none --output type=docker,name="$DTAG" "$WORK/ctx" >"$WORK/img-docker.tar"
b build -q --network none -o - "$WORK/ctx" >"$WORK/rootfs-stdout.tar"
cmp -s "$WORK/rootfs-out.tar" "$WORK/rootfs-stdout.tar" || fail "-o - differs from type=tar,dest=FILE"

# The store's unpack of the image: what tar and local must equal.
b debug unpack out:1 "$WORK/unpacked"
[ -f "$WORK/unpacked/app/ran" ] && [ ! -e "$WORK/unpacked/bin/false" ] || fail "store unpack lacks the RUN's changes"
tree_listing "$WORK/unpacked" >"$WORK/want"

# type=local and -o DIR: the same tree.
tree_listing "$WORK/local" >"$WORK/got-local"
diff -u "$WORK/want" "$WORK/got-local" || fail "-o DIR differs from the store's unpack"
# type=tar: a plain tar of the same tree, no whiteouts in it.
tar -tf "$WORK/rootfs-out.tar" | grep -q '\.wh\.' && fail "type=tar holds whiteouts"
mkdir -p "$WORK/tarout" && tar -C "$WORK/tarout" --numeric-owner -xpf "$WORK/rootfs-out.tar" || fail "tar -x of type=tar"
tree_listing "$WORK/tarout" >"$WORK/got-tar"
diff -u "$WORK/want" "$WORK/got-tar" || fail "type=tar differs from the store's unpack"

# type=oci: skopeo reads the archive, its digest is the metadata's; umoci unpacks it.
skopeo inspect --raw oci-archive:"$WORK/img-oci.tar" >"$WORK/oci-manifest" 2>"$WORK/err" || { cat "$WORK/err"; fail "skopeo inspect oci-archive:"; }
oci_digest="sha256:$(sha256sum <"$WORK/oci-manifest" | cut -c1-64)"
skopeo inspect oci-archive:"$WORK/img-oci.tar" >"$WORK/oci-inspect" 2>"$WORK/err" || { cat "$WORK/err"; fail "skopeo inspect"; }
mkdir -p "$WORK/ocilayout" && tar -C "$WORK/ocilayout" -xf "$WORK/img-oci.tar" || fail "untar oci archive"
umoci unpack --image "$WORK/ocilayout:1" "$WORK/bundle" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "umoci unpack"; }
[ "$(cat "$WORK/bundle/rootfs/app/f")" = payload ] && [ "$(cat "$WORK/bundle/rootfs/app/ran")" = ran ] ||
  fail "umoci's unpack of the OCI archive lacks the build's files"
[ ! -e "$WORK/bundle/rootfs/bin/false" ] || fail "umoci's unpack still has the deleted file"

# --metadata-file: buildx's keys, matching the store and the archive.
python3 - "$WORK/meta.json" "$oci_digest" "$(cat "$WORK/id")" <<'PY' || fail "metadata file: $(cat "$WORK/meta.json")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["containerimage.digest"] == sys.argv[2], (m, sys.argv[2])
assert m["containerimage.config.digest"] == sys.argv[3], m
assert m["containerimage.descriptor"]["digest"] == sys.argv[2], m
assert m["image.name"] == "docker.io/library/out:1", m
PY

# type=docker: skopeo reads it as a docker archive, the same image (config digest).
skopeo inspect --config docker-archive:"$WORK/img-docker.tar" >"$WORK/docker-config" 2>"$WORK/err" ||
  { cat "$WORK/err"; fail "skopeo inspect docker-archive:"; }
skopeo inspect docker-archive:"$WORK/img-docker.tar" >/dev/null 2>&1 || fail "skopeo inspect docker-archive"
python3 - "$WORK/img-docker.tar" "$(cat "$WORK/id")" "$DTAG" <<'PY' || fail "docker archive manifest.json"
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))
assert m[0]["RepoTags"] == [sys.argv[3]], m
assert m[0]["Config"] == "blobs/sha256/" + sys.argv[2].split(":")[1], m
PY
# Where a docker engine runs, it loads the archive as the same image.
if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
  add_cleanup "docker rmi '$DTAG' >/dev/null 2>&1"
  docker load -i "$WORK/img-docker.tar" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "docker load"; }
  [ "$(docker image inspect --format '{{.Id}}' "$DTAG")" = "$(cat "$WORK/id")" ] || fail "docker loaded another image id"
else
  note "no docker engine: docker load not tried"
fi
note "ok"

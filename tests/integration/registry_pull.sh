#!/bin/bash
# `builder pull` and FROM a registry image against a real registry (Debian's docker-registry on
# 127.0.0.1, seeded with skopeo): digests agree with skopeo, builds pull missing bases, --pull
# re-resolves a moved tag, a dead registry and an unknown tag fail clearly, an index is narrowed
# to the host platform.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool docker-registry
need_tool skopeo
need_tool umoci
need_tool curl
need_tool python3

registry_start

# Seed images: a busybox-static rootfs as an OCI layout (umoci), pushed with skopeo.
SEED="$WORK/seed"
make_rootfs_tar "$WORK/rootfs.tar"
mkdir -p "$WORK/rootfs" && tar -C "$WORK/rootfs" -xf "$WORK/rootfs.tar"
umoci init --layout "$SEED" >/dev/null 2>&1 || fail "umoci init"
umoci new --image "$SEED:bb" >/dev/null 2>&1 || fail "umoci new"
umoci unpack --image "$SEED:bb" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci unpack"
cp -a "$WORK/rootfs/." "$WORK/bundle/rootfs/"
echo 1 >"$WORK/bundle/rootfs/marker"
umoci repack --image "$SEED:bb" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci repack"
# bb2: the same config over another /marker (an env change would change the RUN's own key)
umoci unpack --image "$SEED:bb" "$WORK/bundle2" >/dev/null 2>&1 || fail "umoci unpack bb"
echo 2 >"$WORK/bundle2/rootfs/marker"
umoci repack --image "$SEED:bb2" "$WORK/bundle2" >/dev/null 2>&1 || fail "umoci repack bb2"
push() { skopeo copy --quiet --dest-tls-verify=false "$@" >"$WORK/skopeo.log" 2>&1 || { cat "$WORK/skopeo.log" >&2; fail "skopeo copy $*"; }; }
remote_digest() { skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/$1"; }
push "oci:$SEED:bb" "docker://$REG/lib/bb:1"

# builder pull into a fresh store: docker's output, skopeo's digest, a store skopeo reads.
export BUILDER_ROOT="$WORK/store1"
"$BUILDER" pull "$REG/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "builder pull failed"; }
want=$(remote_digest lib/bb:1) || fail "skopeo inspect of the registry"
grep -qx "Digest: $want" "$WORK/out" || { cat "$WORK/out"; fail "pull printed another digest than skopeo's $want"; }
[ "$(tail -n1 "$WORK/out")" = "$REG/lib/bb:1" ] || { cat "$WORK/out"; fail "pull did not end with the full reference"; }
grep -q "Downloaded newer image" "$WORK/out" || fail "first pull did not say it downloaded"
got=$(skopeo inspect --format '{{.Digest}}' "oci:$BUILDER_ROOT:$REG/lib/bb:1") || fail "skopeo cannot read the pulled image"
[ "$got" = "$want" ] || fail "stored manifest $got, registry $want"
"$BUILDER" pull -q "$REG/lib/bb:1" >"$WORK/out" 2>&1 || fail "second pull failed"
[ "$(cat "$WORK/out")" = "$REG/lib/bb:1" ] || { cat "$WORK/out"; fail "pull -q printed more than the reference"; }
"$BUILDER" pull "$REG/lib/bb:1" >"$WORK/out" 2>&1 || fail "third pull failed"
grep -q "Image is up to date" "$WORK/out" || { cat "$WORK/out"; fail "re-pull did not say up to date"; }
grep -q "Already exists" "$WORK/out" || { cat "$WORK/out"; fail "re-pull did not skip present blobs"; }

# Failures: unknown tag, dead registry.
"$BUILDER" pull "$REG/lib/bb:nope" >"$WORK/out" 2>"$WORK/err" && fail "pulling an unknown tag succeeded"
grep -q "not found in the registry" "$WORK/err" || { cat "$WORK/err"; fail "unknown tag: unclear error"; }
DEAD=$(free_port)
"$BUILDER" pull "127.0.0.1:$DEAD/x:1" >"$WORK/out" 2>"$WORK/err" && fail "pulling from a dead registry succeeded"
grep -qF "pull 127.0.0.1:$DEAD/x:1: connect to 127.0.0.1:$DEAD: Connection refused" "$WORK/err" ||
  { cat "$WORK/err"; fail "dead registry: unclear error"; }

# A build FROM the registry image in a fresh store pulls it.
export BUILDER_ROOT="$WORK/store2"
CTX="$WORK/ctx"
mkdir -p "$CTX"
printf 'FROM %s/lib/bb:1\nRUN cat /marker > /x\n' "$REG" >"$CTX/Dockerfile"
build() { "$BUILDER" build --progress plain "$@" "$CTX" >"$WORK/id" 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build $* failed"; }; }
build -t app:1
grep -q "\[internal\] pull $REG/lib/bb:1" "$WORK/log" || { cat "$WORK/log"; fail "the build did not report its pull"; }
"$BUILDER" build --progress json -t app:1 "$CTX" >/dev/null 2>"$WORK/log" || fail "json build failed"
grep -q '"CACHED"\|"cached"' "$WORK/log" || { cat "$WORK/log"; fail "json rebuild not cached"; }
grep -q "\[internal\] pull" "$WORK/log" && { cat "$WORK/log"; fail "a stored base was pulled again without --pull"; }

# The tag moves: without --pull the stored base stays; --pull takes the new one.
push "oci:$SEED:bb2" "docker://$REG/lib/bb:1"
build -t app:2
grep -q "\[internal\] pull" "$WORK/log" && { cat "$WORK/log"; fail "without --pull the registry was asked"; }
grep -q "CACHED" "$WORK/log" || { cat "$WORK/log"; fail "without --pull the RUN was not cached"; }
build --pull --explain -t app:3
grep -q "\[internal\] pull $REG/lib/bb:1" "$WORK/log" || { cat "$WORK/log"; fail "--pull did not pull"; }
grep -q "CACHED" "$WORK/log" && { cat "$WORK/log"; fail "--pull with a new base kept the cache"; }
grep -q "cache miss: .*base image" "$WORK/log" || { cat "$WORK/log"; fail "--explain did not name the base image"; }
umoci unpack --image "$BUILDER_ROOT:docker.io/library/app:3" "$WORK/out3" >/dev/null 2>&1 || fail "umoci unpack app:3"
[ "$(cat "$WORK/out3/rootfs/x")" = "2" ] || fail "app:3 was not built on the new base"
build --pull -t app:4
grep -q "image is up to date" "$WORK/log" || { cat "$WORK/log"; fail "an unchanged tag was not reported up to date"; }
grep -q " pulled$" "$WORK/log" && { cat "$WORK/log"; fail "an unchanged tag downloaded blobs"; }
grep -q "CACHED" "$WORK/log" || { cat "$WORK/log"; fail "an unchanged base lost the cache"; }

# COPY --from=<registry image> pulls too (a fresh store; the tag now names bb2).
export BUILDER_ROOT="$WORK/store5"
printf 'FROM scratch\nCOPY --from=%s/lib/bb:1 /marker /m\n' "$REG" >"$CTX/Dockerfile"
build -t copied:1
grep -q "\[internal\] pull $REG/lib/bb:1" "$WORK/log" || { cat "$WORK/log"; fail "COPY --from did not pull its image"; }
umoci unpack --image "$BUILDER_ROOT:docker.io/library/copied:1" "$WORK/out5" >/dev/null 2>&1 || fail "umoci unpack copied:1"
[ "$(cat "$WORK/out5/rootfs/m")" = 2 ] || fail "COPY --from copied the wrong /marker"

# A build whose base registry is dead fails naming it.
printf 'FROM 127.0.0.1:%s/x:1\n' "$DEAD" >"$CTX/Dockerfile"
"$BUILDER" build --progress plain "$CTX" >/dev/null 2>"$WORK/log" && fail "a build from a dead registry succeeded"
grep -qF "connect to 127.0.0.1:$DEAD: Connection refused" "$WORK/log" || { cat "$WORK/log"; fail "dead base registry: unclear error"; }

# A multi-platform index: builder keeps the host's manifest, reports the index digest.
umoci config --image "$SEED:bb" --tag bbarm --architecture arm64 >/dev/null 2>&1 || fail "umoci config arm64"
python3 - "$SEED" <<'PY' || fail "making the index"
import hashlib, json, os, sys
root = sys.argv[1]
idx = json.load(open(os.path.join(root, "index.json")))
by = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in idx["manifests"]}
entries = []
for name, arch in (("bbarm", "arm64"), ("bb", "amd64")):
    d = dict(by[name]); d.pop("annotations", None)
    d["platform"] = {"architecture": arch, "os": "linux"}
    entries.append(d)
blob = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": entries}).encode()
digest = hashlib.sha256(blob).hexdigest()
open(os.path.join(root, "blobs/sha256", digest), "wb").write(blob)
idx["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                         "digest": "sha256:" + digest, "size": len(blob),
                         "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(idx, open(os.path.join(root, "index.json"), "w"))
PY
push --all "oci:$SEED:multi" "docker://$REG/lib/multi:1"
export BUILDER_ROOT="$WORK/store3"
"$BUILDER" pull "$REG/lib/multi:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "pull of the index failed"; }
want=$(remote_digest lib/multi:1) || fail "skopeo inspect of the index"
grep -qx "Digest: $want" "$WORK/out" || { cat "$WORK/out"; fail "index pull printed another digest than $want"; }
arch=$(skopeo inspect --format '{{.Architecture}}' "oci:$BUILDER_ROOT:$REG/lib/multi:1") || fail "skopeo cannot read the pulled index image"
[ "$arch" = amd64 ] || fail "the index was narrowed to $arch, not amd64"
# FROM pinned by the index digest (the store keeps the platform manifest, not the index)
printf 'FROM %s/lib/multi@%s\nRUN cat /marker > /x\n' "$REG" "$want" >"$CTX/Dockerfile"
build -t pinned:1
# Basic authentication (htpasswd) with credentials from $REGISTRY_AUTH_FILE; none leak.
if command -v htpasswd >/dev/null 2>&1; then
  APORT=$(free_port)
  htpasswd -Bbn alice 's3cret-pw' >"$WORK/htpasswd" || fail "htpasswd"
  sed -e "s|rootdirectory: .*|rootdirectory: $WORK/registry-auth|" -e "s|addr: .*|addr: 127.0.0.1:$APORT|" \
    "$WORK/registry.yml" >"$WORK/registry-auth.yml"
  printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s\n' "$WORK/htpasswd" >>"$WORK/registry-auth.yml"
  docker-registry serve "$WORK/registry-auth.yml" >"$WORK/registry-auth.log" 2>&1 &
  AUTH_PID=$!
  add_cleanup "kill $AUTH_PID 2>/dev/null; wait $AUTH_PID 2>/dev/null"
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APORT/v2/")" = 401 ] && break
    sleep 0.1
  done
  push --dest-creds 'alice:s3cret-pw' "oci:$SEED:bb" "docker://127.0.0.1:$APORT/lib/bb:1"
  export BUILDER_ROOT="$WORK/store4" REGISTRY_AUTH_FILE="$WORK/auth.json"
  echo '{}' >"$REGISTRY_AUTH_FILE"
  "$BUILDER" pull -q "127.0.0.1:$APORT/lib/bb:1" >/dev/null 2>"$WORK/err" && fail "pull without credentials succeeded"
  grep -q "requires credentials" "$WORK/err" || { cat "$WORK/err"; fail "no-credentials error unclear"; }
  printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$APORT" "$(printf alice:wrong-pw | base64)" >"$REGISTRY_AUTH_FILE"
  "$BUILDER" pull -q "127.0.0.1:$APORT/lib/bb:1" >/dev/null 2>"$WORK/err" && fail "pull with a wrong password succeeded"
  grep -q "credentials were refused" "$WORK/err" || { cat "$WORK/err"; fail "wrong-password error unclear"; }
  grep -q "wrong-pw" "$WORK/err" && fail "the password leaked into the error"
  printf '{"auths":{"http://127.0.0.1:%s/v2/":{"auth":"%s"}}}' "$APORT" "$(printf alice:s3cret-pw | base64)" >"$REGISTRY_AUTH_FILE"
  "$BUILDER" pull -q "127.0.0.1:$APORT/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "pull with credentials failed"; }
  [ "$(cat "$WORK/out")" = "127.0.0.1:$APORT/lib/bb:1" ] || fail "authenticated pull printed $(cat "$WORK/out")"
  unset REGISTRY_AUTH_FILE
else
  note "htpasswd (apache2-utils) missing: basic-auth part skipped"
fi
note ok

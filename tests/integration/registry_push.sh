#!/bin/bash
# `builder push` against a real registry (Debian's docker-registry on 127.0.0.1): skopeo seeds a
# base, builder pulls and builds FROM it, pushes the result (base layer mounted from the other
# repository, judged from the registry's access log), a second push uploads nothing, skopeo and
# umoci read what builder pushed, a pull round trip gives the same digests; pushes to oci:,
# oci-archive: and docker-archive: are judged by skopeo; a faulty proxy (500/503/429, cut
# connections) and SIGKILL do not stop a push or pull; build --push pushes every -t.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool docker-registry
need_tool skopeo
need_tool umoci
need_tool curl
need_tool python3

registry_start info
# Requests the registry served since the last mark, as "METHOD PATH" lines (its access log).
mark() { wc -l <"$WORK/registry.log" >"$WORK/mark"; }
requests() { tail -n +"$(($(cat "$WORK/mark") + 1))" "$WORK/registry.log" | grep -o '"[A-Z]* /v2/[^ ]*' | tr -d '"'; }

# Seed: a busybox-static rootfs as an OCI layout (umoci), pushed with skopeo to lib/bb:1.
seed_layout
skopeo copy --quiet --dest-tls-verify=false "oci:$SEED:bb" "docker://$REG/lib/bb:1" >"$WORK/skopeo.log" 2>&1 ||
  { cat "$WORK/skopeo.log" >&2; fail "skopeo seed push"; }
remote_digest() { skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/$1"; }

# skopeo pushed, builder pulls it and builds FROM it.
export BUILDER_ROOT="$WORK/store"
CTX="$WORK/ctx"
mkdir -p "$CTX"
printf 'FROM %s/lib/bb:1\nRUN echo built > /built\n' "$REG" >"$CTX/Dockerfile"
"$BUILDER" build --progress plain -t "$REG/lib/app:1" "$CTX" >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build FROM the skopeo-pushed base failed"; }

# builder pushes: the base layer is mounted from lib/bb, the new layer uploaded, manifest last.
mark
"$BUILDER" push "$REG/lib/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push failed"; }
cat "$WORK/out"
grep -qx "The push refers to repository \[$REG/lib/app\]" "$WORK/out" || fail "push did not name the repository"
grep -q ": Mounted from lib/bb$" "$WORK/out" || fail "the base layer was not mounted from lib/bb"
grep -q ": Pushed$" "$WORK/out" || fail "the new layer was not reported pushed"
want=$(remote_digest lib/app:1) || fail "skopeo inspect of the pushed image"
grep -qx "1: digest: $want size: [0-9]*" "$WORK/out" || fail "push printed another digest than the registry's $want"
local_digest=$(skopeo inspect --format '{{.Digest}}' "oci:$BUILDER_ROOT:$REG/lib/app:1") || fail "skopeo inspect of the store"
[ "$local_digest" = "$want" ] || fail "stored manifest $local_digest, registry $want"
requests >"$WORK/req1"
grep -q "^POST /v2/lib/app/blobs/uploads/?mount=sha256:[0-9a-f]*&from=lib/bb" "$WORK/req1" || { cat "$WORK/req1"; fail "no mount request in the registry log"; }
[ "$(grep -c '^PUT /v2/lib/app/manifests/1' "$WORK/req1")" = 1 ] || { cat "$WORK/req1"; fail "not exactly one manifest PUT"; }
[ "$(grep "^\(POST\|PATCH\|PUT\) " "$WORK/req1" | tail -n1 | cut -d' ' -f1-2)" = "PUT /v2/lib/app/manifests/1" ] || { cat "$WORK/req1"; fail "the manifest was not the last request"; }

# A second push uploads no blob.
mark
"$BUILDER" push "$REG/lib/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "second push failed"; }
grep -q ": Pushed$\|Mounted" "$WORK/out" && { cat "$WORK/out"; fail "the second push transferred a layer"; }
grep -q ": Layer already exists$" "$WORK/out" || { cat "$WORK/out"; fail "the second push did not say the layers exist"; }
requests >"$WORK/req2"
grep -q '^\(POST\|PATCH\) ' "$WORK/req2" && { cat "$WORK/req2"; fail "the second push started an upload"; }
grep -q '^PUT /v2/lib/app/blobs' "$WORK/req2" && { cat "$WORK/req2"; fail "the second push uploaded a blob"; }
"$BUILDER" push -q "$REG/lib/app:1" >"$WORK/out" 2>&1 || fail "push -q failed"
[ "$(cat "$WORK/out")" = "$REG/lib/app:1" ] || { cat "$WORK/out"; fail "push -q printed more than the reference"; }

# skopeo copies what builder pushed into an OCI dir that umoci unpacks.
skopeo copy --quiet --src-tls-verify=false "docker://$REG/lib/app:1" "oci:$WORK/copied:app" >"$WORK/skopeo.log" 2>&1 ||
  { cat "$WORK/skopeo.log" >&2; fail "skopeo cannot copy what builder pushed"; }
umoci unpack --image "$WORK/copied:app" "$WORK/unpacked" >/dev/null 2>&1 || fail "umoci cannot unpack what builder pushed"
[ "$(cat "$WORK/unpacked/rootfs/built")" = built ] || fail "the pushed image lost the built file"
[ -x "$WORK/unpacked/rootfs/bin/busybox" ] || [ -e "$WORK/unpacked/rootfs/bin/sh" ] || fail "the pushed image lost its base layer"

# Round trip: a fresh store pulls the same digests back.
export BUILDER_ROOT="$WORK/store-rt"
"$BUILDER" pull "$REG/lib/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "pull of the pushed image failed"; }
grep -qx "Digest: $want" "$WORK/out" || { cat "$WORK/out"; fail "pull got another digest than the push"; }
export BUILDER_ROOT="$WORK/store"

# --all-tags and another destination name.
"$BUILDER" tag "$REG/lib/app:1" "$REG/lib/app:2" || fail "tag"
mark
"$BUILDER" push --all-tags "$REG/lib/app" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push --all-tags failed"; }
grep -q "^1: digest: $want" "$WORK/out" && grep -q "^2: digest: $want" "$WORK/out" || { cat "$WORK/out"; fail "--all-tags did not push both tags"; }
"$BUILDER" push "$REG/lib/app:1" "$REG/other/app:7" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push to DEST failed"; }
[ "$(remote_digest other/app:7)" = "$want" ] || fail "push to DEST: another digest"

# --compression zstd: layers recompressed, the manifest rewritten; skopeo copies it, builder
# pulls it back.
"$BUILDER" push --compression zstd "$REG/lib/app:1" "$REG/lib/zst:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push --compression zstd failed"; }
skopeo inspect --raw --tls-verify=false "docker://$REG/lib/zst:1" >"$WORK/raw" || fail "skopeo inspect --raw of the zstd push"
grep -q 'tar+zstd' "$WORK/raw" || { cat "$WORK/raw"; fail "--compression zstd pushed no zstd layer"; }
grep -q 'tar+gzip\|diff.tar.gzip' "$WORK/raw" && { cat "$WORK/raw"; fail "--compression zstd left a gzip layer"; }
zwant=$(remote_digest lib/zst:1) || fail "skopeo inspect of the zstd push"
[ "$zwant" != "$want" ] || fail "the rewritten manifest kept the stored digest"
grep -q "digest: $zwant" "$WORK/out" || { cat "$WORK/out"; fail "push --compression printed another digest"; }
skopeo copy --quiet --src-tls-verify=false "docker://$REG/lib/zst:1" "oci:$WORK/copied:zst" >"$WORK/skopeo.log" 2>&1 ||
  { cat "$WORK/skopeo.log" >&2; fail "skopeo cannot copy the zstd push"; }
BUILDER_ROOT="$WORK/store-zst" "$BUILDER" pull "$REG/lib/zst:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "pull of the zstd push failed"; }

# Local destinations, as skopeo names them.
"$BUILDER" push "$REG/lib/app:1" "oci:$WORK/layout:v1" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push to oci: failed"; }
[ "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/layout:v1")" = "$want" ] || fail "oci: layout holds another digest"
umoci unpack --image "$WORK/layout:v1" "$WORK/unpacked2" >/dev/null 2>&1 || fail "umoci cannot unpack the oci: push"
"$BUILDER" push "$REG/lib/app:1" "oci-archive:$WORK/app.tar:v1" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push to oci-archive: failed"; }
skopeo inspect "oci-archive:$WORK/app.tar:v1" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "skopeo cannot read the oci-archive"; }
"$BUILDER" push "$REG/lib/app:1" "docker-archive:$WORK/app-docker.tar:my/app:3" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push to docker-archive: failed"; }
skopeo inspect "docker-archive:$WORK/app-docker.tar:my/app:3" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "skopeo cannot read the docker-archive under my/app:3"; }

# Errors: an image the store lacks, a dead registry.
"$BUILDER" push "$REG/lib/none:1" >/dev/null 2>"$WORK/err" && fail "pushing a missing image succeeded"
grep -q "No such image" "$WORK/err" || { cat "$WORK/err"; fail "missing image: unclear error"; }
DEAD=$(free_port)
"$BUILDER" tag "$REG/lib/app:1" "127.0.0.1:$DEAD/x:1" || fail "tag"
"$BUILDER" push "127.0.0.1:$DEAD/x:1" >/dev/null 2>"$WORK/err" && fail "pushing to a dead registry succeeded"
grep -qF "connect to 127.0.0.1:$DEAD" "$WORK/err" || { cat "$WORK/err"; fail "dead registry: unclear error"; }
"$BUILDER" debug fsck >"$WORK/fsck" 2>&1 || { cat "$WORK/fsck"; fail "fsck after pushes"; }

# Faults: a proxy that answers 503/429/500 and cuts connections in the middle of blobs, both
# directions; push and pull still complete, with the registry's digests.
FPORT=$(free_port)
python3 "$(dirname "$0")/fault_proxy.py" "$FPORT" "$REG" 5 >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
add_cleanup "kill $PROXY_PID 2>/dev/null; wait $PROXY_PID 2>/dev/null"
for _ in $(seq 50); do grep -q listening "$WORK/proxy.log" && break; sleep 0.1; done
FREG="127.0.0.1:$FPORT"
head -c $((3 << 20)) /dev/urandom >"$CTX/big"
printf 'FROM %s/lib/bb:1\nCOPY big /big\n' "$REG" >"$CTX/Dockerfile"
"$BUILDER" build --progress plain -t "$FREG/fault/app:1" "$CTX" >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build of the fault image failed"; }
"$BUILDER" push "$FREG/fault/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" "$WORK/proxy.log" >&2; fail "push through the faulty proxy failed"; }
grep -q "fault cut-upload" "$WORK/proxy.log" || { cat "$WORK/proxy.log"; fail "no upload was cut"; }
grep -q "fault 503\|fault 429\|fault 500" "$WORK/proxy.log" || { cat "$WORK/proxy.log"; fail "no error status was injected"; }
fwant=$(remote_digest fault/app:1) || fail "skopeo inspect of the fault push"
grep -q "digest: $fwant" "$WORK/out" || { cat "$WORK/out"; fail "the faulty push printed another digest than $fwant"; }
skopeo copy --quiet --src-tls-verify=false "docker://$REG/fault/app:1" "oci:$WORK/copied:fault" >"$WORK/skopeo.log" 2>&1 ||
  { cat "$WORK/skopeo.log" >&2; fail "skopeo cannot copy what the faulty push left"; }
export BUILDER_ROOT="$WORK/store-fault"
"$BUILDER" pull "$FREG/fault/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" "$WORK/proxy.log" >&2; fail "pull through the faulty proxy failed"; }
grep -qx "Digest: $fwant" "$WORK/out" || { cat "$WORK/out"; fail "the faulty pull got another digest"; }
grep -q "fault cut-download" "$WORK/proxy.log" || { cat "$WORK/proxy.log"; fail "no download was cut"; }
"$BUILDER" debug fsck >"$WORK/fsck" 2>&1 || { cat "$WORK/fsck"; fail "fsck after the faulty pull"; }

# SIGKILL in the middle of a push and of a pull: fsck stays clean and a re-run completes.
export BUILDER_ROOT="$WORK/store"
head -c $((${REGISTRY_PUSH_KILL_MB:-32} << 20)) /dev/urandom >"$CTX/big"
"$BUILDER" build --progress plain -t "$REG/kill/app:1" "$CTX" >/dev/null 2>"$WORK/log" || { cat "$WORK/log" >&2; fail "build of the kill image failed"; }
"$BUILDER" push "$REG/kill/app:1" >/dev/null 2>&1 &
KPID=$!
sleep 0.3
kill -9 $KPID 2>/dev/null
wait $KPID 2>/dev/null
"$BUILDER" debug fsck >"$WORK/fsck" 2>&1 || { cat "$WORK/fsck"; fail "fsck after a killed push"; }
"$BUILDER" push "$REG/kill/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "push after a killed push failed"; }
kwant=$(remote_digest kill/app:1) || fail "skopeo inspect after the killed push"
grep -q "digest: $kwant" "$WORK/out" || fail "re-run push: another digest"
export BUILDER_ROOT="$WORK/store-kill"
"$BUILDER" pull "$REG/kill/app:1" >/dev/null 2>&1 &
KPID=$!
sleep 0.3
kill -9 $KPID 2>/dev/null
wait $KPID 2>/dev/null
"$BUILDER" debug fsck >"$WORK/fsck" 2>&1 || { cat "$WORK/fsck"; fail "fsck after a killed pull"; }
"$BUILDER" pull "$REG/kill/app:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "pull after a killed pull failed"; }
grep -qx "Digest: $kwant" "$WORK/out" || fail "re-run pull: another digest"

# build --push with two -t: both tags land in the registry.
export BUILDER_ROOT="$WORK/store"
printf 'FROM %s/lib/bb:1\nRUN echo pushed > /p\n' "$REG" >"$CTX/Dockerfile"
rm -f "$CTX/big"
"$BUILDER" build --progress plain --push -t "$REG/bp/one:1" -t "$REG/bp/two:2" "$CTX" >"$WORK/id" 2>"$WORK/log" ||
  { cat "$WORK/log" >&2; fail "build --push failed"; }
d1=$(remote_digest bp/one:1) || fail "build --push: first tag missing in the registry"
d2=$(remote_digest bp/two:2) || fail "build --push: second tag missing in the registry"
[ "$d1" = "$d2" ] || fail "build --push: the two tags name different manifests"
[ "$d1" = "$(skopeo inspect --format '{{.Digest}}' "oci:$BUILDER_ROOT:$REG/bp/one:1")" ] || fail "build --push: another digest than the store's"
note ok

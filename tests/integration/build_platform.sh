#!/bin/bash
# Multi-platform builds: --platform sets BuildKit's TARGET*/BUILD* args, FROM --platform=$BUILDPLATFORM
# runs natively, several platforms give an OCI image index (one manifest per platform, judged by
# skopeo); a RUN for a foreign architecture without a binfmt handler fails naming qemu-user-static;
# with qemu-aarch64 registered (the test registers it where it can, and undoes that), the index
# of `RUN uname -m > /arch` holds x86_64 and aarch64.
# Usage: build_platform.sh BUILDER native|qemu
BUILDER=$1
PART=${2:-native}
. "$(dirname "$0")/lib.sh"
need_tool busybox
need_tool skopeo
need_tool jq
[ "$(id -u)" = 0 ] || skip "needs root (RUN in the sandbox)"
[ "$(uname -m)" = x86_64 ] || skip "the expectations are written for an amd64 host"
export BUILDER_ROOT="$WORK/store"
ctx="$WORK/ctx"
mkdir -p "$ctx"
cp "$(command -v busybox)" "$ctx/busybox-amd64"

# The platform of one architecture's image in the index: its /arch and config, via skopeo + umoci.
unpack_arch() {  # unpack_arch REF ARCH DIR
  rm -rf "$WORK/oci-$2"
  skopeo copy -q --override-arch "$2" "oci:$BUILDER_ROOT:$1" "oci:$WORK/oci-$2:x" || fail "skopeo copy $2"
  need_tool umoci
  umoci raw unpack --rootless --image "$WORK/oci-$2:x" "$3" >/dev/null 2>&1 || fail "umoci unpack $2"
}

case "$PART" in
native)
  # 1. The automatic args for --platform linux/amd64, in a RUN.
  cat >"$ctx/Dockerfile.args" <<'DF'
FROM scratch
COPY busybox-amd64 /bin/busybox
ARG TARGETPLATFORM
ARG TARGETOS
ARG TARGETARCH
ARG TARGETVARIANT
ARG BUILDPLATFORM
ARG BUILDOS
ARG BUILDARCH
ARG BUILDVARIANT
RUN ["/bin/busybox", "sh", "-c", "echo T=$TARGETPLATFORM,$TARGETOS,$TARGETARCH,$TARGETVARIANT B=$BUILDPLATFORM,$BUILDOS,$BUILDARCH,$BUILDVARIANT >/args"]
DF
  b build -q --network none --platform linux/amd64 -f "$ctx/Dockerfile.args" -t args:1 "$ctx" >/dev/null
  raw=$(skopeo inspect --raw oci:"$BUILDER_ROOT":docker.io/library/args:1) || fail "skopeo inspect args:1"
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.oci.image.manifest.v1+json ] ||
    fail "one --platform should give a plain image: $raw"
  unpack_arch docker.io/library/args:1 amd64 "$WORK/args"
  got=$(cat "$WORK/args/args")
  [ "$got" = "T=linux/amd64,linux,amd64, B=linux/amd64,linux,amd64," ] || fail "args: $got"

  # 2. Several platforms without RUN need no qemu: an index, one manifest per platform.
  cp "$ctx/busybox-amd64" "$ctx/busybox-arm64"  # the bytes do not matter here
  printf 'arm64\n' >"$ctx/tag-arm64"; printf 'amd64\n' >"$ctx/tag-amd64"
  cat >"$ctx/Dockerfile.copy" <<'DF'
FROM scratch
ARG TARGETARCH
COPY tag-$TARGETARCH /tag
DF
  b build -q --platform linux/amd64,linux/arm64 -f "$ctx/Dockerfile.copy" -t copy:1 "$ctx" >/dev/null
  raw=$(skopeo inspect --raw oci:"$BUILDER_ROOT":docker.io/library/copy:1) || fail "skopeo inspect copy:1"
  [ "$(jq -r .mediaType <<<"$raw")" = application/vnd.oci.image.index.v1+json ] || fail "not an index: $raw"
  [ "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(" ")' <<<"$raw")" = \
    "linux/amd64 linux/arm64" ] || fail "index platforms: $raw"
  for a in amd64 arm64; do
    cfg=$(skopeo inspect --override-arch $a --config oci:"$BUILDER_ROOT":docker.io/library/copy:1) || fail "config $a"
    [ "$(jq -r .architecture <<<"$cfg")" = $a ] || fail "config of $a: $cfg"
    unpack_arch docker.io/library/copy:1 $a "$WORK/copy-$a"
    [ "$(cat "$WORK/copy-$a/tag")" = $a ] || fail "/tag of $a: $(cat "$WORK/copy-$a/tag")"
  done
  # The per-platform images are reached through the index only: no dangling entries.
  [ "$(jq '[.manifests[] | select(.annotations == null)] | length' "$BUILDER_ROOT/index.json")" = 0 ] ||
    fail "untagged entries left: $(cat "$BUILDER_ROOT/index.json")"

  # A stored index as a base: each platform's build starts from its own entry.
  printf 'FROM copy:1\nARG TARGETARCH\nCOPY tag-$TARGETARCH /again\n' >"$ctx/Dockerfile.onindex"
  b build -q --platform linux/arm64,linux/amd64 -f "$ctx/Dockerfile.onindex" -t onindex:1 "$ctx" >/dev/null
  for a in amd64 arm64; do
    unpack_arch docker.io/library/onindex:1 $a "$WORK/onindex-$a"
    [ "$(cat "$WORK/onindex-$a/tag")" = $a ] && [ "$(cat "$WORK/onindex-$a/again")" = $a ] ||
      fail "onindex $a: $(cat "$WORK/onindex-$a/tag" "$WORK/onindex-$a/again")"
  done
  [ "$(skopeo inspect --raw oci:"$BUILDER_ROOT":docker.io/library/copy:1 | jq -r .mediaType)" = \
    application/vnd.oci.image.index.v1+json ] || fail "copy:1 was moved"

  # COPY --from an image reads it for the stage's platform too.
  printf 'FROM scratch\nCOPY --from=copy:1 /tag /from-image\n' >"$ctx/Dockerfile.copyfrom"
  b build -q --platform linux/amd64,linux/arm64 -f "$ctx/Dockerfile.copyfrom" -t copyfrom:1 "$ctx" >/dev/null
  for a in amd64 arm64; do
    unpack_arch docker.io/library/copyfrom:1 $a "$WORK/copyfrom-$a"
    [ "$(cat "$WORK/copyfrom-$a/from-image")" = $a ] || fail "COPY --from for $a: $(cat "$WORK/copyfrom-$a/from-image")"
  done

  # A multi-platform base from a registry: pulled once per platform, the host's tag unmoved.
  if command -v docker-registry >/dev/null; then
    registry_start
    skopeo copy -q --all --dest-tls-verify=false oci:"$BUILDER_ROOT":docker.io/library/copy:1 \
      "docker://$REG/multi/copy:1" || fail "skopeo copy --all to $REG"
    printf 'FROM %s/multi/copy:1\nARG TARGETARCH\nCOPY tag-$TARGETARCH /again\n' "$REG" >"$ctx/Dockerfile.pulled"
    main_root=$BUILDER_ROOT
    export BUILDER_ROOT="$WORK/store2"
    b build -q --platform linux/arm64,linux/amd64 -f "$ctx/Dockerfile.pulled" -t pulled:1 "$ctx" >/dev/null
    for a in amd64 arm64; do
      unpack_arch docker.io/library/pulled:1 $a "$WORK/pulled-$a"
      [ "$(cat "$WORK/pulled-$a/tag")" = $a ] && [ "$(cat "$WORK/pulled-$a/again")" = $a ] ||
        fail "pulled $a: $(cat "$WORK/pulled-$a/tag" "$WORK/pulled-$a/again")"
    done
    cfg=$(skopeo inspect --config oci:"$BUILDER_ROOT:$REG/multi/copy:1") || fail "inspect the pulled tag"
    [ "$(jq -r .architecture <<<"$cfg")" = amd64 ] || fail "the pulled tag moved to $(jq -r .architecture <<<"$cfg")"
    # --push of a multi-platform build sends the index and both manifests.
    b build -q --push --platform linux/amd64,linux/arm64 -f "$ctx/Dockerfile.copy" -t "$REG/multi/pushed:1" "$ctx" >/dev/null
    raw=$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi/pushed:1") || fail "inspect the pushed index"
    [ "$(jq -r '[.manifests[].platform.architecture] | join(" ")' <<<"$raw")" = "amd64 arm64" ] ||
      fail "pushed index: $raw"
    skopeo inspect --tls-verify=false --override-arch arm64 "docker://$REG/multi/pushed:1" >/dev/null ||
      fail "the pushed arm64 image cannot be read"
    export BUILDER_ROOT=$main_root
  else
    note "docker-registry not installed: the registry pull per platform is not checked"
  fi

  # 3. FROM --platform=$BUILDPLATFORM runs natively whatever the target (no qemu for arm64).
  cat >"$ctx/Dockerfile.cross" <<'DF'
FROM --platform=$BUILDPLATFORM scratch AS tools
COPY busybox-amd64 /bin/busybox
ARG TARGETARCH
ARG BUILDARCH
RUN ["/bin/busybox", "sh", "-c", "echo $BUILDARCH-for-$TARGETARCH-$(/bin/busybox uname -m) >/cross"]
FROM scratch
COPY --from=tools /cross /cross
DF
  b build -q --network none --platform linux/arm64 -f "$ctx/Dockerfile.cross" -t cross:1 "$ctx" >/dev/null
  cfg=$(skopeo inspect --config oci:"$BUILDER_ROOT":docker.io/library/cross:1) || fail "inspect cross:1"
  [ "$(jq -r .architecture <<<"$cfg")" = arm64 ] || fail "cross:1 is not arm64: $cfg"
  unpack_arch docker.io/library/cross:1 arm64 "$WORK/cross"
  [ "$(cat "$WORK/cross/cross")" = amd64-for-arm64-x86_64 ] || fail "cross: $(cat "$WORK/cross/cross")"

  # 4. A RUN for an architecture without a binfmt handler: a clear error naming the packages,
  # before anything is built (no image, the earlier tags untouched).
  arch=s390x
  [ -e /proc/sys/fs/binfmt_misc/qemu-s390x ] && arch=mips64le
  [ -e /proc/sys/fs/binfmt_misc/qemu-mips64el ] && skip "qemu handlers for s390x and mips64le are both registered"
  cp "$ctx/busybox-amd64" "$ctx/busybox-$arch"
  cat >"$ctx/Dockerfile.foreign" <<'DF'
FROM scratch
ARG TARGETARCH
COPY busybox-$TARGETARCH /bin/busybox
RUN ["/bin/busybox", "true"]
DF
  if "$BUILDER" build -q --platform linux/amd64,linux/$arch -f "$ctx/Dockerfile.foreign" -t foreign:1 "$ctx" \
      >"$WORK/out" 2>"$WORK/err"; then
    fail "a foreign RUN without binfmt succeeded"
  fi
  grep -q "builder: error: .*linux/$arch.*qemu-user-static.*binfmt-support" "$WORK/err" || fail "error: $(cat "$WORK/err")"
  grep -q "Step\|#[0-9]" "$WORK/err" && fail "steps ran before the check: $(cat "$WORK/err")"
  "$BUILDER" images 2>/dev/null | grep -q foreign && fail "foreign:1 was stored"
  note "ok: args, index, BUILDPLATFORM stage, foreign error"
  ;;
qemu)
  # The arm64 busybox from Debian's busybox-static:arm64, with private apt lists (the host's dpkg
  # and apt state stay as they were).
  need_tool apt-get
  need_tool dpkg-deb
  apt="$WORK/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  opts=(-o APT::Architectures::=arm64 -o APT::Architecture=arm64 -o Dir::State::Lists="$apt/lists"
        -o Dir::Cache="$apt/cache" -o Dir::State::status=/dev/null)
  apt-get "${opts[@]}" update >/dev/null 2>&1 || skip "apt-get update for arm64 failed (offline?)"
  (cd "$WORK" && apt-get "${opts[@]}" download busybox-static:arm64 >/dev/null 2>&1) ||
    skip "apt-get download busybox-static:arm64 failed"
  dpkg-deb -x "$WORK"/busybox-static_*_arm64.deb "$WORK/arm64" || fail "dpkg-deb -x"
  cp "$WORK/arm64/bin/busybox" "$ctx/busybox-arm64"

  # binfmt: use a registered qemu-aarch64 (F flag), else register it and undo that afterwards.
  bm=/proc/sys/fs/binfmt_misc
  if [ ! -e "$bm/status" ]; then
    mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null || skip "cannot mount binfmt_misc"
    add_cleanup "umount $bm"
  fi
  if ! grep -qx enabled "$bm/qemu-aarch64" 2>/dev/null; then
    command -v update-binfmts >/dev/null && [ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] ||
      skip "qemu-user-static and binfmt-support are not installed (apt-get install qemu-user-static binfmt-support)"
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || skip "update-binfmts --enable qemu-aarch64 failed"
    add_cleanup "update-binfmts --disable qemu-aarch64 >/dev/null 2>&1"
  fi
  grep -q '^flags: .*F' "$bm/qemu-aarch64" || skip "qemu-aarch64 is registered without the F flag"

  cat >"$ctx/Dockerfile" <<'DF'
FROM scratch
ARG TARGETARCH
COPY busybox-$TARGETARCH /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox uname -m > /arch"]
DF
  b build -q --network none --platform linux/amd64,linux/arm64 -t multi:1 "$ctx" >/dev/null
  for pair in amd64:x86_64 arm64:aarch64; do
    a=${pair%%:*}
    unpack_arch docker.io/library/multi:1 "$a" "$WORK/multi-$a"
    [ "$(cat "$WORK/multi-$a/arch")" = "${pair#*:}" ] || fail "/arch of $a: $(cat "$WORK/multi-$a/arch")"
  done
  note "ok: /arch is x86_64 and aarch64"
  ;;
*) fail "unknown part $PART" ;;
esac

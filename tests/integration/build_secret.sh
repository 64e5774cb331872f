#!/bin/bash
# Build secrets: --secret id=...,src=FILE|env=VAR reach a RUN as a file on a tmpfs
# (/run/secrets/ID, or a target with its mode/uid/gid) and as an env var of that RUN only; the
# value is found nowhere builder writes: the store (layers, config, history, cache), a saved tar,
# the progress output (plain, json, tty), errors. A required secret that is missing fails naming
# it; an optional one is skipped. No /run/secrets is left in the layer.
# Usage: build_secret.sh BUILDER root|rootless
BUILDER=$1
PART=${2:-root}
. "$(dirname "$0")/lib.sh"
need_tool busybox

VALUE="s3cr3t-$$-$RANDOM-value"
bld() { "$BUILDER" "$@"; }
case "$PART" in
  root)
    [ "$(id -u)" = 0 ] || skip "needs root"
    export BUILDER_ROOT="$WORK/store"
    base="$WORK"
    ;;
  rootless)
    chmod 755 "$WORK"
    subid_user_setup "$WORK/home" 630000 730000 || skip "$SUBID_SKIP"
    BIN="$BUILDER"
    as_subid_user test -x "$BIN" || { cp "$BUILDER" "$WORK/home/builder"; BIN="$WORK/home/builder"; }
    bld() { as_subid_user env BUILDER_ROOT="$WORK/home/store" TOKEN_VAR="$VALUE" "$BIN" "$@" </dev/null; }
    base="$WORK/home"
    export BUILDER_ROOT="$WORK/home/store"
    ;;
  *) fail "unknown part $PART" ;;
esac
make_rootfs_tar "$base/rootfs.tar"
bld import -c 'CMD ["sh"]' "$base/rootfs.tar" busybox:latest >/dev/null || fail "import"

ctx="$base/ctx"
mkdir -p "$ctx"
printf '%s' "$VALUE" >"$base/secret.txt"
[ "$PART" = rootless ] && chown -R "$SUBID_UID:$SUBID_GID" "$ctx" "$base/secret.txt"
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN --mount=type=secret,id=tok \
    test "$(cat /run/secrets/tok)" = "$(cat /expected 2>/dev/null || cat /run/secrets/tok)" && \
    stat -c '%a %u %g' /run/secrets/tok > /file-mode && \
    sh -c 'grep -q " /run/secrets/tok " /proc/mounts' && \
    cat /run/secrets/tok | wc -c > /file-len
RUN --mount=type=secret,id=tok,env=TOKEN \
    test -n "$TOKEN" && echo ${#TOKEN} > /env-len && test ! -e /run/secrets/tok
RUN --mount=type=secret,id=envtok,target=/etc/app/key,mode=0440,uid=1000,gid=1000 \
    stat -c '%a %u %g' /etc/app/key > /target-mode && test "$(cat /etc/app/key)" = "$(cat /etc/app/key)"
RUN --mount=type=secret,id=absent echo optional-skipped && test ! -e /run/secrets/absent
RUN test -z "$TOKEN" && env > /env-after
DF
export TOKEN_VAR="$VALUE"
common=(--secret "id=tok,src=$base/secret.txt" --secret id=envtok,env=TOKEN_VAR)
bld build --network none --progress plain "${common[@]}" -t sec:1 "$ctx" >"$WORK/plain.out" 2>&1 ||
  { cat "$WORK/plain.out"; fail "secret build failed"; }
bld build --network none --progress json --no-cache "${common[@]}" -t sec:2 "$ctx" >"$WORK/json.out" 2>&1 ||
  { cat "$WORK/json.out"; fail "secret build (json) failed"; }
bld build --network none --progress tty --no-cache "${common[@]}" -t sec:4 "$ctx" >"$WORK/tty.out" 2>&1 ||
  { cat "$WORK/tty.out"; fail "secret build (tty) failed"; }
grep -q optional-skipped "$WORK/plain.out" || fail "the optional missing secret did not run its RUN"

# What the RUNs saw, read back from the image.
bld save -o "$base/sec.tar" sec:1 || fail "save"
mkdir -p "$WORK/unpacked"
tar -xf "$base/sec.tar" -C "$WORK/unpacked" || fail "untar the save"
for layer in $(find "$WORK/unpacked" -type f -size +0 | grep -v -e json -e oci-layout); do
  tar -xf "$layer" -C "$WORK/rootfs-out" 2>/dev/null || { mkdir -p "$WORK/rootfs-out"; tar -xf "$layer" -C "$WORK/rootfs-out" 2>/dev/null; }
done
[ "$(cat "$WORK/rootfs-out/file-mode")" = "400 0 0" ] || fail "secret file mode: $(cat "$WORK/rootfs-out/file-mode")"
[ "$(tr -d ' ' <"$WORK/rootfs-out/file-len")" = "${#VALUE}" ] || fail "secret file length"
[ "$(cat "$WORK/rootfs-out/env-len")" = "${#VALUE}" ] || fail "secret env length"
[ "$(cat "$WORK/rootfs-out/target-mode")" = "440 1000 1000" ] || fail "target mode: $(cat "$WORK/rootfs-out/target-mode")"
[ ! -e "$WORK/rootfs-out/run/secrets" ] || fail "/run/secrets left in a layer"
[ ! -e "$WORK/rootfs-out/etc/app/key" ] || fail "the secret target left in a layer"
[ ! -e "$WORK/rootfs-out/run" ] || fail "/run left in a layer: $(ls -la "$WORK/rootfs-out/run")"

# The value is nowhere: store (blobs are compressed: grep the unpacked layers too), save, output.
grep -r -a -l -F -- "$VALUE" "$BUILDER_ROOT" && fail "the secret is in the store"
grep -r -a -l -F -- "$VALUE" "$WORK/unpacked" "$WORK/rootfs-out" "$base/sec.tar" && fail "the secret is in the saved image"
for blob in "$BUILDER_ROOT"/blobs/sha256/*; do
  if zcat -f "$blob" 2>/dev/null | grep -a -q -F -- "$VALUE"; then fail "the secret is in blob $blob"; fi
done
grep -a -q -F -- "$VALUE" "$WORK/plain.out" && fail "the secret is in the plain progress"
grep -a -q -F -- "$VALUE" "$WORK/json.out" && fail "the secret is in the json progress"
grep -a -q -F -- "$VALUE" "$WORK/tty.out" && fail "the secret is in the tty progress"
ls /dev/shm/builder-secrets-* >/dev/null 2>&1 && [ "$PART" = root ] && fail "a secrets dir was left in /dev/shm"

# The cache key does not depend on the value: another value hits the cache.
printf 'other' >"$base/secret2.txt"
[ "$PART" = rootless ] && chown "$SUBID_UID:$SUBID_GID" "$base/secret2.txt"
bld build --network none --progress plain --secret "id=tok,src=$base/secret2.txt" --secret id=envtok,env=TOKEN_VAR \
  -t sec:3 "$ctx" >"$WORK/again.out" 2>&1 || { cat "$WORK/again.out"; fail "rebuild"; }
grep -q "CACHED" "$WORK/again.out" || fail "a secret's value changed the cache key"

# A required secret that is missing fails naming it; a failing RUN's error does not show it.
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN --mount=type=secret,id=needed,required=true true
DF
bld build --network none --progress plain "$ctx" >"$WORK/req.out" 2>&1 && fail "a missing required secret built"
grep -q "secret needed: not found" "$WORK/req.out" || { cat "$WORK/req.out"; fail "the error does not name the secret"; }
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN --mount=type=secret,id=tok,env=TOKEN false
DF
bld build --network none --progress plain "${common[@]}" "$ctx" >"$WORK/fail.out" 2>&1 && fail "false built"
grep -a -q -F -- "$VALUE" "$WORK/fail.out" && fail "the secret is in a failing step's error"
bld build --network none --secret id=tok "$ctx" >"$WORK/bad.out" 2>&1 && fail "--secret id=tok without a file built"
grep -q "builder: error: --secret id=tok" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "no clear --secret error"; }
# A build killed by SIGKILL during a RUN leaves no value on the host's tmpfs or /tmp: the files
# go as soon as the sandbox has them mounted (the RUN still reads them).
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN --mount=type=secret,id=tok sh -c 'sleep 1; cat /run/secrets/tok >/dev/null && sleep 30'
DF
before=$(ls -d /dev/shm/builder-secrets-* /tmp/builder-secrets-* 2>/dev/null)
(bld build --no-cache --network none "${common[@]}" "$ctx" >/dev/null 2>&1 &)
started=0
for _ in $(seq 100); do pgrep -f "sleep 30" >/dev/null && { started=1; break; }; sleep 0.1; done
[ $started = 1 ] || fail "the secret RUN did not start"
for d in /dev/shm /tmp "${XDG_RUNTIME_DIR:-/run/user/none}"; do
  [ -d "$d" ] && grep -r -a -l -F -- "$VALUE" "$d" 2>/dev/null | grep -v "^$WORK/" | grep -q . &&
    { pkill -KILL -f -- "$ctx"; fail "the secret's value is on the host during the RUN, in $d"; }
done
pkill -KILL -f -- "$ctx"
pkill -KILL -f "sleep 30"
# The killed build's empty secrets dir is the one thing left: the test removes it.
for d in $(ls -d /dev/shm/builder-secrets-* /tmp/builder-secrets-* 2>/dev/null); do
  echo "$before" | grep -qxF "$d" || rm -rf "$d"
done
note "a RUN's secret files leave the host once mounted; a SIGKILL leaves no value"
note "ok"

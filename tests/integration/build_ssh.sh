#!/bin/bash
# RUN --mount=type=ssh: the agent the test starts (--ssh default) and an agent builder starts for
# a key file (--ssh ID=KEYFILE) are reached from the RUN (`ssh-add -l` lists the test's key),
# SSH_AUTH_SOCK points at the target (default /run/buildkit/ssh_agent.0); a missing optional id
# is skipped, a required one fails naming it; builder's own agent is gone after the build and
# nothing of the socket stays in the layer.
# Usage: build_ssh.sh BUILDER root|rootless
BUILDER=$1
PART=${2:-root}
. "$(dirname "$0")/lib.sh"
for t in busybox ssh-agent ssh-add ssh-keygen ldd; do need_tool "$t"; done

as_me() { "$@"; }
case "$PART" in
  root)
    [ "$(id -u)" = 0 ] || skip "needs root"
    export BUILDER_ROOT="$WORK/store"
    base="$WORK"
    ;;
  rootless)
    chmod 755 "$WORK"
    subid_user_setup "$WORK/home" 640000 740000 || skip "$SUBID_SKIP"
    BIN="$BUILDER"
    as_subid_user test -x "$BIN" || { cp "$BUILDER" "$WORK/home/builder"; BIN="$WORK/home/builder"; }
    base="$WORK/home"
    export BUILDER_ROOT="$WORK/home/store"
    as_me() { as_subid_user "$@"; }
    ;;
  *) fail "unknown part $PART" ;;
esac
bld() { as_me env BUILDER_ROOT="$BUILDER_ROOT" SSH_AUTH_SOCK="$base/agent.sock" "${BIN:-$BUILDER}" "$@" </dev/null; }

# An image with busybox and the host's ssh-add (with the libraries it links).
make_rootfs_tar "$WORK/rootfs.tar"
root="$WORK/rootfs-src"
cp /usr/bin/ssh-add "$root/bin/ssh-add"
for lib in $(ldd /usr/bin/ssh-add | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
tar -C "$root" --sort=name --mtime=@946684800 --owner=0 --group=0 --numeric-owner -cf "$base/rootfs.tar" . ||
  fail "tar the ssh rootfs"
[ "$PART" = rootless ] && chown "$SUBID_UID:$SUBID_GID" "$base/rootfs.tar"
bld import -c 'CMD ["sh"]' "$base/rootfs.tar" sshbase:latest >/dev/null || fail "import"

# The test's agent with one key; a second key as a file for builder's own agent.
ssh-keygen -q -t ed25519 -N '' -C test-agent-key -f "$base/agent_key" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C test-file-key -f "$base/file_key" || fail "ssh-keygen"
[ "$PART" = rootless ] && chown "$SUBID_UID:$SUBID_GID" "$base"/agent_key* "$base"/file_key*
agent_env=$(as_me ssh-agent -s -a "$base/agent.sock") || fail "ssh-agent"
agent_pid=$(echo "$agent_env" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
[ -n "$agent_pid" ] || fail "no ssh-agent pid in: $agent_env"
add_cleanup "kill $agent_pid 2>/dev/null"
as_me env SSH_AUTH_SOCK="$base/agent.sock" ssh-add -q "$base/agent_key" || fail "ssh-add to the test's agent"
agent_fp=$(ssh-keygen -lf "$base/agent_key.pub" | awk '{print $2}')
file_fp=$(ssh-keygen -lf "$base/file_key.pub" | awk '{print $2}')

ctx="$base/ctx"
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DF'
FROM sshbase
RUN --mount=type=ssh echo "$SSH_AUTH_SOCK" > /default-sock && ssh-add -l > /default-keys
RUN --mount=type=ssh,id=filekey,target=/tmp/agent.sock,required=true,uid=1000,gid=1000,mode=0600 \
    echo "$SSH_AUTH_SOCK" > /file-sock && ssh-add -l > /file-keys
USER 1000
RUN --mount=type=ssh,uid=1000 ssh-add -l > /tmp/user-keys && stat -c '%u %a' "$SSH_AUTH_SOCK" > /tmp/user-sock
USER root
RUN --mount=type=ssh,id=nosuch echo "skipped:${SSH_AUTH_SOCK:-unset}" > /skipped
DF
[ "$PART" = rootless ] && chown -R "$SUBID_UID:$SUBID_GID" "$ctx"
bld build --network none --progress plain --ssh default --ssh "filekey=$base/file_key" -t ssh:1 "$ctx" >"$WORK/out" 2>&1 ||
  { cat "$WORK/out"; fail "ssh build failed"; }
got() { bld run --rm --network none ssh:1 cat "$1"; }
[ "$(got /default-sock)" = /run/buildkit/ssh_agent.0 ] || fail "SSH_AUTH_SOCK: $(got /default-sock)"
got /default-keys | grep -q -F "$agent_fp" || fail "the test's agent key not listed: $(got /default-keys)"
[ "$(got /file-sock)" = /tmp/agent.sock ] || fail "SSH_AUTH_SOCK with a target: $(got /file-sock)"
got /file-keys | grep -q -F "$file_fp" || fail "the key file not in builder's agent: $(got /file-keys)"
got /file-keys | grep -q -F "$agent_fp" && fail "builder's agent holds the other key"
got /tmp/user-keys | grep -q -F "$agent_fp" || fail "a RUN as uid 1000 did not reach the agent: $(got /tmp/user-keys)"
[ "$(got /tmp/user-sock)" = "1000 600" ] || fail "the socket's owner and mode: $(got /tmp/user-sock)"
[ "$(got /skipped)" = skipped:unset ] || fail "a missing optional ssh id: $(got /skipped)"
bld run --rm --network none ssh:1 sh -c 'test ! -e /run/buildkit && test ! -e /tmp/agent.sock' || fail "a socket mount point stayed in the image"
pgrep -f "ssh-agent -D -a .*builder-secrets" && fail "builder's ssh-agent outlived the build"
grep -a -q "PRIVATE KEY" "$WORK/out" && fail "a key in the progress output"

cat >"$ctx/Dockerfile" <<'DF'
FROM sshbase
RUN --mount=type=ssh,id=needed,required=true true
DF
bld build --network none --progress plain "$ctx" >"$WORK/req.out" 2>&1 && fail "a missing required ssh id built"
grep -q 'no SSH key "needed" forwarded' "$WORK/req.out" || { cat "$WORK/req.out"; fail "the error does not name the id"; }
bld build --network none --ssh "x=$base/nope" "$ctx" >"$WORK/bad.out" 2>&1 && fail "a missing key file built"
grep -q "builder: error: --ssh x" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "no clear --ssh error"; }
note "ok"

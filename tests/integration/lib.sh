# Shared helpers for the shell integration tests: temp dirs, tool checks, assertions.
# Source it; it expects BUILDER (the binary) in the environment or as $1 of the test.

set -u
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/builder-it-$TEST_NAME-XXXXXX")
cleanup_hooks=""
on_exit() { eval "$cleanup_hooks"; rm -rf "$WORK"; }
trap on_exit EXIT
add_cleanup() { cleanup_hooks="$1; $cleanup_hooks"; }

fail() { echo "FAIL [$TEST_NAME]: $*" >&2; exit 1; }
note() { echo "[$TEST_NAME] $*"; }
# Skips (ctest SKIP_RETURN_CODE 77) when a judge or a privilege is missing.
skip() { echo "SKIP [$TEST_NAME]: $*"; exit 77; }
need_tool() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (tools/test installs it as root)"; }

# Runs builder with a private store; fails the test with its stderr on a non-zero exit.
b() { "$BUILDER" "$@" || fail "builder $* exited $?"; }

# A deterministic busybox-static root filesystem as a tar: make_rootfs_tar OUT.tar
make_rootfs_tar() {
  need_tool busybox
  local root="$WORK/rootfs-src"
  rm -rf "$root"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/home/app"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for a in sh echo cat ls id env true false sleep printf; do ln -s busybox "$root/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" --sort=name --mtime=@946684800 --owner=0 --group=0 --numeric-owner \
    -cf "$1" . || fail "tar of the rootfs failed"
}

# Lists a tree as "mode uid gid type path [sha256|-> target]" lines, sorted, for tree comparison
# (directory sizes and timestamps left out: they differ between filesystems and unpackers).
tree_listing() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
    if [ -L "$p" ]; then echo "$(stat -c '%A %u %g' "$p") $p -> $(readlink "$p")"
    elif [ -f "$p" ]; then echo "$(stat -c '%A %u %g' "$p") $p $(sha256sum <"$p" | cut -c1-64)"
    else echo "$(stat -c '%A %u %g' "$p") $p"; fi
  done)
}

# A throw-away user with /etc/subuid and /etc/subgid ranges, for rootless builds over
# subordinate ids; it, its ranges and its processes go on exit. Needs root; skips without
# useradd/setpriv/newuidmap or user namespaces for the user.
# subid_user_setup HOME SUBUID SUBGID: sets SUBID_USER, SUBID_UID, SUBID_GID, SUBID_HOME.
subid_user_setup() {
  local tool
  for tool in useradd userdel setpriv newuidmap newgidmap unshare pgrep flock; do need_tool "$tool"; done
  SUBID_HOME=$1
  SUBID_USER="bsubid$$"
  mkdir -p "$SUBID_HOME"
  { flock 9; useradd -M -d "$SUBID_HOME" -s /bin/sh -U -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$SUBID_USER"; } 9>"$SUBID_LOCK" ||
    fail "useradd $SUBID_USER"
  SUBID_UID=$(id -u "$SUBID_USER")
  SUBID_GID=$(id -g "$SUBID_USER")
  # A builder killed by a signal may leave its RUN running: end whatever this user still runs.
  add_cleanup 'for p in $(pgrep -u "$SUBID_UID"); do kill -KILL "$p"; done; { flock 9; userdel -f "$SUBID_USER" 2>/dev/null; subid_drop_ranges; } 9>"$SUBID_LOCK"'
  {
    flock 9
    subid_drop_ranges
    echo "$SUBID_USER:$2:65536" >>/etc/subuid
    echo "$SUBID_USER:$3:65536" >>/etc/subgid
  } 9>"$SUBID_LOCK"
  chown "$SUBID_UID:$SUBID_GID" "$SUBID_HOME"
  as_subid_user unshare -U true 2>/dev/null ||
    { SUBID_SKIP="user namespaces are not available to unprivileged users"; return 1; }
}
# Parallel tests add and remove users and ranges: one edit at a time.
SUBID_LOCK=/tmp/builder-subid-test.lock
# Removes SUBID_USER's lines from /etc/subuid and /etc/subgid in place (inode and mode kept);
# the caller holds SUBID_LOCK.
subid_drop_ranges() {
  local f rest
  for f in /etc/subuid /etc/subgid; do
    [ -f "$f" ] || continue
    rest=$(grep -v "^$SUBID_USER:" "$f")
    printf '%s' "$rest${rest:+$'\n'}" >"$f"
  done
}
# as_subid_user CMD...: CMD as that user with a clean environment, HOME its home.
as_subid_user() {
  setpriv --reuid="$SUBID_UID" --regid="$SUBID_GID" --init-groups \
    env -i PATH="$PATH" HOME="$SUBID_HOME" "$@"
}

# pasta (rootless networking) opens /dev/net/tun, 0666 on Debian but 0600 on some hosts: then a
# node the subid user may open is bound over it, in the test's own mount namespace only
# (`unshare --mount`), so the host's /dev is not touched.
tun_for_user() {
  as_subid_user sh -c 'test -r /dev/net/tun && test -w /dev/net/tun' && return 0
  [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] || skip "/dev/net/tun is not usable by $SUBID_USER"
  mknod -m 666 "$WORK/tun" c 10 200 && mount --bind "$WORK/tun" /dev/net/tun ||
    skip "/dev/net/tun is not usable by $SUBID_USER and cannot be replaced"
}

# Re-executes the test in a network namespace of its own, so bridges, veths and nftables rules
# (root's containers join the `bridge` network by default) never touch the host's network. Call
# it right after sourcing lib.sh, before anything is made: `netns_reexec "$@"`. Inside, lo is up
# and IN_NETNS=1; a test that cannot get a namespace skips.
netns_reexec() {
  if [ -z "${IN_NETNS:-}" ]; then
    [ "$(id -u)" = 0 ] || return 0  # not root: no bridge either; the test decides whether to skip
    unshare --net true 2>/dev/null || skip "cannot make a network namespace (unshare --net)"
    rm -rf "$WORK"
    trap - EXIT
    IN_NETNS=1 exec unshare --net bash "$0" "$@"
  fi
  ip link set lo up 2>/dev/null || skip "cannot bring lo up in the test's network namespace"
}

# The network tests' image bb:net: busybox-static with the network applets, /www/index.html
# saying hello-from-web, EXPOSE 80; the store is $WORK/store.
net_image() {
  need_tool busybox
  export BUILDER_ROOT="$WORK/store"
  local r="$WORK/rootfs" a
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/www"
  cp "$(command -v busybox)" "$r/bin/busybox"
  for a in sh echo cat ip ping nc httpd sleep true grep wget; do ln -s busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\n' >"$r/etc/group"
  echo hello-from-web >"$r/www/index.html"
  tar -C "$r" -cf "$WORK/rootfs.tar" . || fail "tar"
  b import -c 'EXPOSE 80' "$WORK/rootfs.tar" bb:net >/dev/null
}

# The runner tests' start: root (the sandbox), a private store holding the busybox rootfs tar at
# $WORK/rootfs.tar, and every container of the store force-removed at exit.
runner_setup() {
  [ "$(id -u)" = 0 ] || skip "needs root (the sandbox)"
  export BUILDER_ROOT="$WORK/store"
  make_rootfs_tar "$WORK/rootfs.tar"
  add_cleanup '"$BUILDER" rm -f $("$BUILDER" ps -a -q) >/dev/null 2>&1'
}

# A free TCP port on 127.0.0.1 (for a test's own servers).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Debian's docker-registry on a free loopback port, plain http, stopped at exit; its log (with
# the access log at LEVEL info) in $WORK/registry.log. Sets REG (host:port) and REGISTRY_PID.
# Usage: registry_start [LEVEL]
registry_start() {
  need_tool docker-registry
  need_tool curl
  REG="127.0.0.1:$(free_port)"
  cat >"$WORK/registry.yml" <<YAML
version: 0.1
log:
  level: ${1:-error}
storage:
  filesystem:
    rootdirectory: $WORK/registry-data
  delete:
    enabled: true
http:
  addr: $REG
YAML
  docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  REGISTRY_PID=$!
  add_cleanup "kill $REGISTRY_PID 2>/dev/null; wait $REGISTRY_PID 2>/dev/null"
  local up=0
  for _ in $(seq 100); do
    curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && { up=1; break; }
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ $up = 1 ] || { cat "$WORK/registry.log" >&2; fail "docker-registry did not come up on $REG"; }
}

# A busybox-static image as the OCI layout $WORK/seed, tag bb, written by umoci (an independent
# writer); the unpacked rootfs stays in $WORK/rootfs. Usage: seed_layout
seed_layout() {
  need_tool umoci
  SEED="$WORK/seed"
  make_rootfs_tar "$WORK/rootfs.tar"
  mkdir -p "$WORK/rootfs" && tar -C "$WORK/rootfs" -xf "$WORK/rootfs.tar"
  umoci init --layout "$SEED" >/dev/null 2>&1 || fail "umoci init"
  umoci new --image "$SEED:bb" >/dev/null 2>&1 || fail "umoci new"
  umoci unpack --image "$SEED:bb" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci unpack"
  cp -a "$WORK/rootfs/." "$WORK/bundle/rootfs/"
  umoci repack --image "$SEED:bb" "$WORK/bundle" >/dev/null 2>&1 || fail "umoci repack"
}

#!/bin/bash
# Rootless `builder run` with subordinate ids: a throw-away user with /etc/subuid and /etc/subgid
# ranges runs `run --rm IMG id` as container root, `-u 1000` as 1000, and what the container
# writes to a named volume belongs on the host to the mapped ids (container 0 -> the user,
# container 1000 -> SUBUID+999), nothing to real root; a detached container stops and goes.
# Usage: run_rootless.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
need_tool python3
[ "$(id -u)" = 0 ] || skip "needs root (creates a user and edits /etc/subuid, /etc/subgid)"

# Ranges apart so a uid/gid mix-up shows, away from useradd's default 100000 and the build test's.
SUBUID=600000
SUBGID=700000
HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" "$SUBUID" "$SUBGID" || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }
STORE="$HOME_DIR/.local/share/builder"
bu() { as_subid_user "$BIN" "$@" </dev/null; }
# The user's containers go before the user does (cleanups run last-added first).
add_cleanup 'bu rm -f $(bu ps -a -q 2>/dev/null) >/dev/null 2>&1'

make_rootfs_tar "$WORK/rootfs.tar"
cp "$WORK/rootfs.tar" "$HOME_DIR/rootfs.tar"
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"
bu import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' "$HOME_DIR/rootfs.tar" busybox:latest >/dev/null 2>"$WORK/log" ||
  { cat "$WORK/log"; fail "import as $SUBID_USER"; }

# (a) run --rm as container root: uid 0, the user's namespace maps 0 to the user.
out=$(bu run --rm busybox id 2>&1) || fail "run --rm busybox id as $SUBID_USER: $out"
echo "$out" | grep -q '^uid=0(root) gid=0(root)' || fail "run --rm id: '$out', want uid=0(root) gid=0(root)"
[ -z "$(bu ps -a -q)" ] || fail "run --rm left a container: $(bu ps -a)"
note "a: run --rm id -> $out"

# (b) -u 1000 (and -u 1000:1000) runs as 1000.
out=$(bu run --rm -u 1000 busybox id 2>&1) || fail "run -u 1000: $out"
echo "$out" | grep -q '^uid=1000(app) gid=1000(app)' || fail "run -u 1000 id: '$out'"
out=$(bu run --rm -u 1000:1000 busybox sh -c 'id -u; id -g; echo x >/tmp/f && echo wrote') ||
  fail "run -u 1000:1000: $out"
[ "$(echo "$out" | tr '\n' ' ')" = "1000 1000 wrote " ] || fail "run -u 1000:1000: '$out'"
note "b: -u 1000 runs as uid/gid 1000 and writes /tmp"

# (c) a named volume: root's and 1000's files belong to the user and to SUBUID+999 on the host.
out=$(bu run --rm -v data:/data busybox sh -c 'echo r >/data/root-file; mkdir /data/app && chown 1000:1000 /data/app') ||
  fail "run -v data:/data as root: $out"
out=$(bu run --rm -u 1000 -v data:/data busybox sh -c 'echo u >/data/app/user-file && echo ok') ||
  fail "run -u 1000 -v data:/data: $out"
[ "$out" = ok ] || fail "uid 1000 could not write to its dir in the volume: '$out'"
mp=$(bu volume inspect data | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Mountpoint"])') ||
  fail "volume inspect data"
case "$mp" in "$STORE"/*) ;; *) fail "the volume is not in the user's store: $mp" ;; esac
[ "$(stat -c %u:%g "$mp/root-file")" = "$SUBID_UID:$SUBID_GID" ] ||
  fail "container root's file is host $(stat -c %u:%g "$mp/root-file"), want the user $SUBID_UID:$SUBID_GID"
want="$((SUBUID + 999)):$((SUBGID + 999))"
[ "$(stat -c %u:%g "$mp/app")" = "$want" ] || fail "the 1000-owned dir is host $(stat -c %u:%g "$mp/app"), want $want"
[ "$(stat -c %u:%g "$mp/app/user-file")" = "$want" ] ||
  fail "uid 1000's file is host $(stat -c %u:%g "$mp/app/user-file"), want $want"
out=$(bu run --rm -v data:/data busybox sh -c 'cat /data/root-file /data/app/user-file; busybox stat -c %u:%g /data/app/user-file') ||
  fail "reading the volume back: $out"
[ "$(echo "$out" | tr '\n' ' ')" = "r u 1000:1000 " ] || fail "the volume read back in a container: '$out'"
note "c: volume files: root -> $SUBID_UID:$SUBID_GID, 1000 -> $want on the host; 1000:1000 inside"

# (d) detached: the monitor runs as the user; stop and rm leave nothing of the container.
cid=$(bu run -d --name rl busybox sleep 1000) || fail "run -d as $SUBID_USER"
status=$(bu inspect --type container rl | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["Status"])')
[ "$status" = running ] || fail "run -d: '$status', not running ($(bu ps -a))"
# Container root is the user on the host: its sleep is the user's process.
pgrep -u "$SUBID_UID" -x sleep >/dev/null || fail "no sleep of host uid $SUBID_UID: the container does not run as the user"
bu stop -t 1 rl >/dev/null || fail "stop rl"
bu rm rl >/dev/null || fail "rm rl"
[ -z "$(bu ps -a -q)" ] || fail "rm left a container: $(bu ps -a)"
note "d: run -d ($cid) ran as the user, stopped and removed"

# (e) exec into the user's detached container: its processes, files, user; -u 1000; -d.
cid=$(bu run -d --name ex busybox sh -c 'echo made >/tmp/by-run; exec sleep 1000') || fail "run -d ex: $cid"
for i in $(seq 1 50); do [ "$(bu exec ex cat /tmp/by-run 2>/dev/null)" = made ] && break; sleep 0.1; done
out=$(bu exec ex id 2>&1) || fail "exec ex id as $SUBID_USER: $out"
echo "$out" | grep -q '^uid=0(root) gid=0(root)' || fail "exec id: '$out', want uid=0(root)"
out=$(bu exec ex cat /tmp/by-run 2>&1) || fail "exec cat: $out"
[ "$out" = made ] || fail "exec does not see the container's file: '$out'"
out=$(bu exec ex busybox ps 2>&1) || fail "exec ps: $out"
echo "$out" | grep -q "sleep 1000" || fail "exec ps does not show the container's sleep: '$out'"
[ "$(echo "$out" | grep -c .)" -lt 6 ] || fail "exec ps shows more than the container's processes: '$out'"
out=$(bu exec -u 1000 ex sh -c 'id -u; id -g; echo x >/tmp/by-exec; busybox stat -c %u:%g /tmp/by-exec' 2>&1) ||
  fail "exec -u 1000: $out"
[ "$(echo "$out" | tr '\n' ' ')" = "1000 1000 1000:1000 " ] || fail "exec -u 1000: '$out'"
out=$(bu exec -w /tmp -e K=v ex sh -c 'echo $PWD $K' 2>&1) || fail "exec -w -e: $out"
[ "$out" = "/tmp v" ] || fail "exec -w /tmp -e K=v: '$out'"
bu exec -d ex sh -c 'echo later >/tmp/from-d' || fail "exec -d"
for i in $(seq 1 50); do [ "$(bu exec ex cat /tmp/from-d 2>/dev/null)" = later ] && break; sleep 0.1; done
[ "$(bu exec ex cat /tmp/from-d 2>&1)" = later ] || fail "exec -d did not run"
bu exec ex sh -c 'exit 7'
[ $? = 7 ] || fail "exec exit status"
# The file exec wrote as 1000 is SUBUID+999's on the host, in the container's upper dir.
f=$(ls -d "$STORE"/containers/*/upper/tmp/by-exec)
[ "$(stat -c %u:%g "$f")" = "$want" ] || fail "exec's file is host $(stat -c %u:%g "$f"), want $want"
bu rm -f ex >/dev/null || fail "rm -f ex"
note "e: exec as $SUBID_USER: root and -u 1000 (host $want), files, ps, -w, -e, -d, exit status"

# (f) limits without delegated cgroups: one warning that they are not applied, then it runs.
out=$(bu run --rm --memory 32m --pids-limit 64 --cpus 0.5 busybox echo limited 2>"$WORK/err") ||
  fail "run --memory as $SUBID_USER: $(cat "$WORK/err")"
[ "$out" = limited ] || fail "run --memory: '$out'"
[ "$(grep -ci 'limits.*not applied' "$WORK/err")" = 1 ] || fail "run --memory: want one warning, got: $(cat "$WORK/err")"
note "f: --memory/--pids-limit/--cpus rootless: $(cat "$WORK/err")"
note ok

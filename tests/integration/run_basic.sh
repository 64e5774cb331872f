#!/bin/bash
# `builder run` in the foreground over an imported busybox image: the image config honoured,
# each flag shown to change what the container sees, docker's exit codes, argument parsing that
# leaves the container's flags alone.
# Usage: run_basic.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # their containers join the default bridge
runner_setup
b import -c 'ENV GREETING=hello' -c 'WORKDIR /home/app' -c 'CMD ["sh","-c","echo $GREETING from $(pwd)"]' \
  "$WORK/rootfs.tar" busybox:latest >/dev/null

# run_ok EXPECTED ARGS...: stdout must be EXPECTED exactly and the exit code 0.
run_ok() {
  local want=$1
  shift
  local got
  got=$("$BUILDER" run --rm "$@" 2>"$WORK/err") || fail "run $* exited $?: $(cat "$WORK/err")"
  [ "$got" = "$want" ] || fail "run $*: got '$got', want '$want'"
}

# The image's Cmd, Env and WorkingDir.
run_ok "hello from /home/app" busybox
# Args replace Cmd; everything after IMAGE is the command's, flags included (-h, --help, -e).
run_ok "-h --help -e x" busybox echo -h --help -e x
# -e (set and override), --env-file, -e KEY taken from the caller's environment.
printf '# comment\nFROMFILE=file\n\nGREETING=fromfile\n' >"$WORK/env"
run_ok "file hi" --env-file "$WORK/env" -e GREETING=hi busybox sh -c 'echo $FROMFILE $GREETING'
export HOSTVAR=host-value
run_ok "host-value" -e HOSTVAR busybox sh -c 'echo $HOSTVAR'
# -w (created when missing), -u (name through the image's passwd, and uid:gid), --entrypoint.
run_ok "/new/dir" -w /new/dir busybox sh -c pwd
run_ok "1000 1000" -u app busybox sh -c 'echo $(id -u) $(id -g)'
run_ok "7 8" -u 7:8 busybox sh -c 'echo $(id -u) $(id -g)'
run_ok "via entrypoint" --entrypoint echo busybox via entrypoint
# --hostname, and the default: the id's first 12 characters.
run_ok "box1" --hostname box1 busybox busybox hostname
out=$("$BUILDER" run --name hn busybox sh -c 'busybox hostname; echo $HOSTNAME') || fail "run --name hn"
id=$("$BUILDER" ps -a -q --no-trunc -f name=hn)
[ "$out" = "$(printf '%s\n%s' "${id:0:12}" "${id:0:12}")" ] || fail "default hostname: '$out' for $id"
b rm hn >/dev/null
# -v bind (rw and ro, a missing host dir created), --mount type=bind (missing source: error).
mkdir -p "$WORK/host"
echo from-host >"$WORK/host/in"
run_ok "from-host" -v "$WORK/host:/data" busybox sh -c 'cat /data/in; echo out >/data/out'
[ "$(cat "$WORK/host/out")" = out ] || fail "-v: the container's write is not on the host"
"$BUILDER" run --rm -v "$WORK/host:/data:ro" busybox sh -c 'echo x >/data/ro' 2>/dev/null &&
  fail "-v :ro: the write succeeded"
run_ok "" -v "$WORK/made/here:/made" busybox ls /made
[ -d "$WORK/made/here" ] || fail "-v did not create the missing host directory"
run_ok "from-host" --mount "type=bind,source=$WORK/host,target=/m,readonly" busybox cat /m/in
"$BUILDER" run --rm --mount "type=bind,source=$WORK/nope,target=/m" busybox true 2>"$WORK/err" &&
  fail "--mount with a missing source ran"
grep -q "bind source path does not exist" "$WORK/err" || fail "--mount error: $(cat "$WORK/err")"
# Named volumes: created on first use, filled from the image at the destination (copy-up),
# shared by containers, kept after them; the image's Volumes become anonymous volumes that
# --rm deletes.
run_ok "root:x:0:0:root:/root:/bin/sh" -v vol1:/etc busybox sh -c 'read l </etc/passwd; echo $l; echo extra >/etc/from-run'
run_ok "extra" -v vol1:/etc busybox cat /etc/from-run
"$BUILDER" volume ls -q | grep -qx vol1 || fail "volume vol1 not listed: $("$BUILDER" volume ls)"
b import -c 'VOLUME /cache' -c 'CMD ["sh"]' "$WORK/rootfs.tar" withvol:1 >/dev/null
before=$("$BUILDER" volume ls -q | wc -l)
b run --name anon withvol:1 sh -c 'echo x >/cache/x'
[ "$("$BUILDER" volume ls -q | wc -l)" = $((before + 1)) ] || fail "no anonymous volume for the image's VOLUME"
b rm -v anon >/dev/null
[ "$("$BUILDER" volume ls -q | wc -l)" = "$before" ] || fail "rm -v kept the anonymous volume"

# --network none: only lo.
ifs=$("$BUILDER" run --rm --network none busybox sh -c 'cat /proc/net/dev' | tail -n +3 | cut -d: -f1 | tr -d ' ')
[ "$ifs" = lo ] || fail "--network none interfaces: $ifs"

# --read-only: the rootfs refuses writes, a --tmpfs (with size and mode) still takes them.
"$BUILDER" run --rm --read-only busybox sh -c 'echo x >/etc/x' 2>/dev/null && fail "--read-only: write succeeded"
run_ok "ok" busybox sh -c 'echo x >/etc/x && echo ok'
run_ok "1777 ok" --read-only --tmpfs /scratch:size=1m busybox sh -c 'echo y >/scratch/y && echo $(busybox stat -c %a /scratch) ok'
run_ok "700" --tmpfs /t:mode=700 busybox busybox stat -c %a /t
# --init: an init is pid 1 and the command is not; without it the command is pid 1.
run_ok "sh" busybox sh -c 'cat /proc/1/comm; true'
init=$("$BUILDER" run --rm --init busybox sh -c 'cat /proc/1/comm; true')
[ -n "$init" ] && [ "$init" != sh ] || fail "--init: pid 1 is '$init'"

# Exit codes: the command's, 128+n on a signal, 127 not found, 126 not executable, 125 ours.
"$BUILDER" run --rm busybox sh -c 'exit 3'
code=$?
[ $code = 3 ] || fail "exit 3 came back as $code"
# (with --init: as pid 1 the shell would ignore SIGTERM, as in docker)
"$BUILDER" run --rm --init busybox sh -c 'kill -TERM $$'
code=$?
[ $code = 143 ] || fail "SIGTERM exit came back as $code"
"$BUILDER" run --rm busybox /no/such/cmd 2>"$WORK/err"
code=$?
[ $code = 127 ] || fail "a missing command exited $code ($(cat "$WORK/err"))"
"$BUILDER" run --rm busybox /etc/passwd 2>"$WORK/err"
code=$?
[ $code = 126 ] || fail "a non-executable command exited $code ($(cat "$WORK/err"))"
"$BUILDER" run --rm --pull never no-such-image:1 true 2>"$WORK/err"
code=$?
[ $code = 125 ] || fail "a missing image exited $code"
"$BUILDER" run --rm -u ghost busybox true 2>"$WORK/err"
code=$?
[ $code = 125 ] || fail "an unknown user exited $code"

# --rm removes, --name names, --label labels; without --rm the container stays (exited).
b run --name keep --label tier=web busybox true
[ "$("$BUILDER" ps -a --format '{{.Names}} {{.State}}' -f label=tier=web)" = "keep exited" ] ||
  fail "ps after run: $("$BUILDER" ps -a)"
"$BUILDER" run --name keep busybox true 2>"$WORK/err" && fail "a second --name keep was accepted"
grep -q 'already in use' "$WORK/err" || fail "name clash error: $(cat "$WORK/err")"
b rm keep >/dev/null
[ -z "$("$BUILDER" ps -a -q)" ] || fail "containers left: $("$BUILDER" ps -a)"

# stdout and stderr stay apart.
"$BUILDER" run --rm busybox sh -c 'echo out; echo err >&2' >"$WORK/o" 2>"$WORK/e"
[ "$(cat "$WORK/o")" = out ] && [ "$(cat "$WORK/e")" = err ] || fail "streams mixed"

# /etc/hosts, hostname and resolv.conf are the container's own, writable copies (as docker's);
# the host's are untouched and the next container starts from fresh ones.
hosts_before=$(sha256sum </etc/hosts)
run_ok "1.2.3.4 extra|other|nameserver 9.9.9.9" busybox sh -c 'echo "1.2.3.4 extra" >>/etc/hosts && echo other >/etc/hostname &&
  echo "nameserver 9.9.9.9" >/etc/resolv.conf && echo "$(tail -1 /etc/hosts)|$(cat /etc/hostname)|$(cat /etc/resolv.conf)"'
[ "$(sha256sum </etc/hosts)" = "$hosts_before" ] || fail "a container's write to /etc/hosts reached the host's"
"$BUILDER" run --rm busybox grep -q extra /etc/hosts && fail "the next container saw the last one's /etc/hosts"
# /dev/mqueue: the container's own POSIX message queues.
"$BUILDER" run --rm busybox sh -c 'grep " /dev/mqueue " /proc/self/mountinfo' | grep -q " - mqueue " ||
  fail "no mqueue at /dev/mqueue"
# --network host binds the host's /sys: its cgroup mounts below stay covered.
out=$("$BUILDER" run --rm --network host busybox sh -c 'ls -A /sys/fs/cgroup; cat /sys/fs/cgroup/*/cgroup.procs 2>/dev/null | wc -l')
[ "$out" = 0 ] || fail "--network host shows the host's /sys/fs/cgroup: '$out'"

# An unknown command is an error, even with -h after it.
"$BUILDER" nope -h >"$WORK/o" 2>"$WORK/e" && fail "builder nope -h exited 0"
grep -q 'unknown command "nope"' "$WORK/e" || fail "unknown command message: $(cat "$WORK/e")"
note "ok"

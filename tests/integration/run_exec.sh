#!/bin/bash
# `builder exec` joins a running container: it sees the container's processes, files,
# environment and user; -e, -w, -u, -t, -i, -d; exit codes (the command's, 126, 127); a stopped
# container is refused.
# Usage: run_exec.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # their containers join the default bridge
need_tool script
runner_setup
b import -c 'USER app' -c 'ENV MODE=prod' -c 'WORKDIR /home/app' -c 'CMD ["sh"]' "$WORK/rootfs.tar" app:1 >/dev/null

b run -d --name c1 -e FROMRUN=yes app:1 sh -c 'echo marker >/tmp/made-by-run; exec sleep 1000' >/dev/null
sleep 0.5
ex() { "$BUILDER" exec "$@" 2>"$WORK/err" || fail "exec $* exited $?: $(cat "$WORK/err")"; }
# Processes: the container's sleep is visible (pid 1), the host's are not.
ex c1 sh -c 'cat /proc/1/cmdline; echo' | tr '\0' ' ' | grep -q "sleep 1000" || fail "exec does not see the container's pid 1"
n=$(ex c1 sh -c 'n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n')
[ "$n" -lt 10 ] || fail "exec sees $n processes (the host's pid namespace?)"
# Files written by the container, its environment, its user and workdir.
[ "$(ex c1 cat /tmp/made-by-run)" = marker ] || fail "exec does not see the container's files"
[ "$(ex c1 sh -c 'echo $MODE $FROMRUN')" = "prod yes" ] || fail "exec env: $(ex c1 env)"
[ "$(ex c1 sh -c 'echo $(id -u) $PWD')" = "1000 /home/app" ] || fail "exec user/workdir: $(ex c1 sh -c 'id; pwd')"
# -e, -w, -u override.
[ "$(ex -e MODE=dev c1 sh -c 'echo $MODE')" = dev ] || fail "exec -e"
[ "$(ex -w /tmp c1 sh -c pwd)" = /tmp ] || fail "exec -w"
[ "$(ex -u 0 c1 id -u)" = 0 ] || fail "exec -u 0"
# Flags after the container belong to the command.
[ "$(ex c1 echo -h --help)" = "-h --help" ] || fail "exec parsed the command's flags"
# -i passes stdin; without it stdin is empty.
[ "$(echo piped | "$BUILDER" exec -i c1 cat)" = piped ] || fail "exec -i"
[ -z "$(echo piped | "$BUILDER" exec c1 cat)" ] || fail "exec without -i read stdin"
# -t: a tty.
script -qec "$BUILDER exec -t c1 sh -c 'test -t 1 && echo is-a-tty'" /dev/null </dev/null >"$WORK/tty.out"
grep -q is-a-tty "$WORK/tty.out" || fail "exec -t: $(cat "$WORK/tty.out")"
# -d returns at once; its process runs in the container.
b exec -d c1 sh -c 'sleep 0.5; echo later >/tmp/from-d'
sleep 1.5
[ "$(ex c1 cat /tmp/from-d)" = later ] || fail "exec -d did not run"
# Exit codes.
"$BUILDER" exec c1 sh -c 'exit 7'
code=$?
[ $code = 7 ] || fail "exec exit 7 came back as $code"
"$BUILDER" exec c1 /no/such 2>/dev/null
code=$?
[ $code = 127 ] || fail "exec of a missing command exited $code"
"$BUILDER" exec c1 /etc/passwd 2>/dev/null
code=$?
[ $code = 126 ] || fail "exec of a non-executable exited $code"
# A stopped container cannot be exec'd into.
b stop -t 0 c1 >/dev/null
"$BUILDER" exec c1 true 2>"$WORK/err" && fail "exec into a stopped container succeeded"
grep -q "is not running" "$WORK/err" || fail "exec error: $(cat "$WORK/err")"
note "ok"

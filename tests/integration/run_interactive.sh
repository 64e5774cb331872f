#!/bin/bash
# -i and -t: stdin reaches the container (and its EOF), a tty is a tty with the caller's window
# size, the caller's terminal is restored, ctrl-p ctrl-q detaches, attach and start -a.
# Usage: run_interactive.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # their containers join the default bridge
need_tool script
runner_setup
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null

# -i: stdin to the command, EOF ends it.
got=$(printf 'one\ntwo\n' | "$BUILDER" run -i --rm busybox cat) || fail "run -i exited $?"
[ "$got" = "$(printf 'one\ntwo')" ] || fail "run -i: '$got'"
# Without -i the command's stdin is empty.
got=$(echo nope | "$BUILDER" run --rm busybox cat) || fail "run without -i exited $?"
[ -z "$got" ] || fail "stdin reached a container without -i: '$got'"
# A large input is not lost (the monitor writes without blocking its output).
head -c 3000000 /dev/urandom | od -An -tx1 >"$WORK/big"
got=$("$BUILDER" run -i --rm busybox sh -c 'cat | wc -c' <"$WORK/big") || fail "big -i exited $?"
[ "$got" = "$(wc -c <"$WORK/big")" ] || fail "big stdin: $got bytes of $(wc -c <"$WORK/big")"

# -t: a tty inside, the caller's size (script gives 24x80 unless told), and the terminal
# restored afterwards (stty settings equal before and after).
script -qec "stty rows 33 cols 101; stty -g >$WORK/before; $BUILDER run --rm -t busybox sh -c 'test -t 0 && test -t 1 && echo is-a-tty; stty size'; stty -g >$WORK/after" /dev/null >"$WORK/tty.out" </dev/null ||
  fail "run -t under script failed: $(cat "$WORK/tty.out")"
grep -q is-a-tty "$WORK/tty.out" || fail "no tty in the container: $(cat "$WORK/tty.out")"
grep -q "33 101" "$WORK/tty.out" || fail "window size not passed: $(cat "$WORK/tty.out")"
cmp -s "$WORK/before" "$WORK/after" || fail "terminal settings not restored"
# The exit code comes through -t too.
script -qec "$BUILDER run --rm -t busybox sh -c 'exit 5'" /dev/null </dev/null >/dev/null
[ $? = 5 ] || fail "run -t exit code"

# -it with typed input; ctrl-p ctrl-q detaches and leaves the container running.
(sleep 1; printf 'echo typed-$((6*7))\r'; sleep 1; printf '\020\021') |
  script -qec "$BUILDER run -it --name tty1 busybox sh" /dev/null >"$WORK/it.out" 2>&1
grep -q "typed-42" "$WORK/it.out" || fail "-it input: $(cat "$WORK/it.out")"
[ "$("$BUILDER" ps --format '{{.Names}} {{.State}}')" = "tty1 running" ] ||
  fail "detach did not leave it running: $("$BUILDER" ps -a)"
# attach: new output from now on; exit through the shell ends attach with its code.
(sleep 1; printf 'echo back-$((1+1)); exit 4\r') |
  script -qec "$BUILDER attach tty1" /dev/null >"$WORK/attach.out" 2>&1
grep -q "back-2" "$WORK/attach.out" || fail "attach: $(cat "$WORK/attach.out")"
[ "$("$BUILDER" wait tty1)" = 4 ] || fail "exit through attach"
# start -a -i on a stopped -i container runs it again attached.
b create -i --name again busybox cat >/dev/null
got=$(echo via-start | "$BUILDER" start -a -i again) || fail "start -a -i exited $?"
[ "$got" = via-start ] || fail "start -a -i: '$got'"
note "ok"

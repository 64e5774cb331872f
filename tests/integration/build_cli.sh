#!/bin/sh
# `builder build` command line: Dockerfile from stdin, --progress json events, bad flag values.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
need_tool umoci
need_tool python3
export BUILDER_ROOT="$WORK/store"
umoci init --layout "$BUILDER_ROOT" >/dev/null 2>&1 || fail "umoci init"
umoci new --image "$BUILDER_ROOT:docker.io/library/empty:1" >/dev/null 2>&1 || fail "umoci new"
mkdir -p "$WORK/ctx"
echo data >"$WORK/ctx/f"

printf 'FROM empty:1\nCOPY f /f\nLABEL via=stdin\n' |
  "$BUILDER" build -q -f - -t stdin:1 "$WORK/ctx" >"$WORK/id" 2>"$WORK/err" || { cat "$WORK/err"; fail "-f - failed"; }
grep -q '^sha256:[0-9a-f]\{64\}$' "$WORK/id" || fail "-q printed $(cat "$WORK/id")"

# context `-`: a tar (gzip here) is the context, with its Dockerfile and .dockerignore
mkdir -p "$WORK/tarctx"
echo keep >"$WORK/tarctx/keep"
echo drop >"$WORK/tarctx/drop"
echo drop >"$WORK/tarctx/.dockerignore"
printf 'FROM empty:1\nCOPY . /c/\n' >"$WORK/tarctx/Dockerfile"
tar -C "$WORK/tarctx" -cz . | "$BUILDER" build -q -t tarctx:1 - >/dev/null 2>"$WORK/err" ||
  { cat "$WORK/err"; fail "tar context on stdin failed"; }
umoci unpack --image "$BUILDER_ROOT:docker.io/library/tarctx:1" "$WORK/tarout" >/dev/null 2>&1 || fail "unpack tarctx"
[ "$(cat "$WORK/tarout/rootfs/c/keep")" = keep ] || fail "stdin tar context lacks keep"
[ ! -e "$WORK/tarout/rootfs/c/drop" ] || fail "stdin tar context ignored .dockerignore"
# context `-` that is not a tar: the Dockerfile itself, empty context
printf 'FROM empty:1\nLABEL only=dockerfile\n' | "$BUILDER" build -q -t dfonly:1 - >/dev/null 2>"$WORK/err" ||
  { cat "$WORK/err"; fail "Dockerfile on stdin as context failed"; }
printf 'FROM empty:1\nCOPY f /g\n' | "$BUILDER" build -q -f - - >/dev/null 2>"$WORK/err" && fail "-f - with context - accepted"
[ -z "$(ls -A "$BUILDER_ROOT/tmp" 2>/dev/null | grep context-)" ] || fail "stdin context left in tmp/"

printf 'FROM empty:1\nCOPY f /g\n' >"$WORK/ctx/Dockerfile"
"$BUILDER" build --progress json --no-cache "$WORK/ctx" >/dev/null 2>"$WORK/events" || fail "json build failed"
python3 - "$WORK/events" <<'PY' || fail "--progress json is not one JSON event per line"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
kinds = [e["event"] for e in events]
assert kinds.count("start") == 3, kinds
assert kinds.count("done") == 3, kinds
assert any(e.get("name", "").endswith("COPY f /g") for e in events), events
PY

# --progress auto on a terminal (script gives builder a pty) draws the live view, plain with $CI
# set; --progress tty draws into a file too. Content only: frames depend on timing.
if command -v script >/dev/null 2>&1; then
  env -u CI TERM=xterm script -qec "'$BUILDER' build --no-cache '$WORK/ctx'" /dev/null >"$WORK/tty" 2>&1 ||
    fail "build on a pty failed: $(cat "$WORK/tty")"
  grep -q '\[+\] Building .* (3/3) FINISHED' "$WORK/tty" || fail "no final TTY block: $(cat "$WORK/tty")"
  grep -q ' => \[2/2\] COPY f /g  *[0-9.]*s' "$WORK/tty" || fail "no COPY line in the TTY block: $(cat "$WORK/tty")"
  grep -q '^#2 ' "$WORK/tty" && fail "plain lines on a terminal: $(cat "$WORK/tty")"
  env CI=true TERM=xterm script -qec "'$BUILDER' build --no-cache '$WORK/ctx'" /dev/null >"$WORK/ci" 2>&1 ||
    fail "build on a pty with CI failed: $(cat "$WORK/ci")"
  grep -q '^#2 \[2/2\] COPY f /g' "$WORK/ci" || fail "CI=true did not print plain lines: $(cat "$WORK/ci")"
  "$BUILDER" build --progress tty "$WORK/ctx" >/dev/null 2>"$WORK/ttyfile" || fail "--progress tty to a file failed"
  grep -q 'FINISHED' "$WORK/ttyfile" || fail "--progress tty to a file drew nothing: $(cat "$WORK/ttyfile")"
fi

"$BUILDER" build --network bogus "$WORK/ctx" 2>"$WORK/err" && fail "--network bogus accepted"
grep -q "unknown --network bogus" "$WORK/err" || fail "bad --network message: $(cat "$WORK/err")"
"$BUILDER" build "$WORK/nope" 2>"$WORK/err" && fail "a missing context was accepted"
grep -q "builder: error: read Dockerfile" "$WORK/err" || fail "missing context message: $(cat "$WORK/err")"
printf 'FROM empty:1\nRUN --mount=type=secret,id=t,required=true true\n' >"$WORK/ctx/Dockerfile"
"$BUILDER" build "$WORK/ctx" 2>"$WORK/err" && fail "a required secret that was not given was accepted"
grep -q "secret t: not found" "$WORK/err" || fail "missing secret message: $(cat "$WORK/err")"
note ok

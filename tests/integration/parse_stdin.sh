#!/bin/sh
# `builder debug parse [--json] -` reads the Dockerfile from stdin; errors name it <stdin>.
# Usage: parse_stdin.sh BUILDER
set -u
b=$1
out=$(printf 'FROM alpine\nRUN echo hi\n' | "$b" debug parse -) || { echo "dump from stdin failed" >&2; exit 1; }
[ "$out" = '(from "alpine")
(run "echo hi")' ] || { echo "unexpected dump: $out" >&2; exit 1; }
printf 'FROM alpine\nRUN echo hi\n' | "$b" debug parse --json - | grep -q '"kind": "run"' ||
  { echo "--json from stdin failed" >&2; exit 1; }
err=$(printf 'FROM alpine\nCOPY --chwon=1 a /a\n' | "$b" debug parse --json - 2>&1 >/dev/null)
[ $? -ne 0 ] || true
case "$err" in
  "builder: error: <stdin>:2:6: unknown flag: --chwon (did you mean chown?)"*) ;;
  *) echo "unexpected error: $err" >&2; exit 1 ;;
esac

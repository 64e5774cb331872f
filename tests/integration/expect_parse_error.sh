#!/bin/sh
# Checks that `builder debug parse FILE` fails with "builder: error: FILE:LINE:COL: ..." on stderr.
# Usage: expect_parse_error.sh BUILDER DOCKERFILE
set -u
err=$("$1" debug parse "$2" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "expected $2 to fail to parse, but it parsed" >&2
  exit 1
fi
case "$err" in
  "builder: error: $2:"[0-9]*:[0-9]*": "*) echo "$err" ;;
  *) echo "error for $2 is not located (want FILE:LINE:COL): $err" >&2; exit 1 ;;
esac

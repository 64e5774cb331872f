#!/bin/sh
# Runs `builder debug parse FILE` and compares its output byte for byte with an expected dump.
# Usage: expect_dump.sh BUILDER DOCKERFILE EXPECTED
set -u
out=$("$1" debug parse "$2"; echo "exit=$?")
expected=$(cat "$3"; echo "exit=0")
if [ "$out" != "$expected" ]; then
  echo "dump of $2 differs from $3:" >&2
  printf '%s\n' "$out" | diff -u "$3" - >&2
  exit 1
fi

#!/bin/sh
# Golden test of the Dockerfile front end for one testdata/dockerfiles/<case>/ folder:
#   parse.dump  - expected `builder debug parse Dockerfile` output (BuildKit dump), exit 0
#   parse.json  - expected `builder debug parse --json Dockerfile` output, exit 0
#   parse.error - expected stderr of `builder debug parse --json Dockerfile` (compared whole),
#                 non-zero exit; --json runs the lexer and the typed layer, so it sees every error
# Each file present is compared whole. UPDATE_GOLDENS=1 rewrites the files present instead.
# Usage: golden_parse.sh BUILDER CASE_DIR
set -u
builder=$1
dir=$2
cd "$dir" || exit 1
status=0
checked=0

compare() {  # compare NAME ACTUAL_FILE
  if [ -n "${UPDATE_GOLDENS:-}" ]; then cp "$2" "$1"; return; fi
  if ! cmp -s "$1" "$2"; then
    echo "$dir/$1 differs:" >&2
    diff -u "$1" "$2" >&2
    status=1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for kind in dump json; do
  [ -f "parse.$kind" ] || continue
  checked=1
  flag=""
  [ "$kind" = json ] && flag=--json
  if ! "$builder" debug parse $flag Dockerfile >"$tmp/out" 2>"$tmp/err"; then
    echo "$dir: builder debug parse $flag failed:" >&2
    cat "$tmp/err" >&2
    status=1
    continue
  fi
  compare "parse.$kind" "$tmp/out"
done
if [ -f parse.error ]; then
  checked=1
  if "$builder" debug parse --json Dockerfile >/dev/null 2>"$tmp/err"; then
    echo "$dir: builder debug parse --json succeeded, expected an error" >&2
    status=1
  fi
  compare parse.error "$tmp/err"
fi
[ "$checked" = 1 ] || { echo "$dir: no parse.dump, parse.json or parse.error" >&2; exit 1; }
exit $status

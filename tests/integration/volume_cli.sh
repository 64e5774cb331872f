#!/bin/bash
# `builder volume create|ls|rm|inspect|prune` against a private store: docker's output shapes,
# its errors, and that the store holds what the commands say.
# Usage: volume_cli.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
export BUILDER_ROOT="$WORK/store"

[ "$(b volume create data --label team=web)" = data ] || fail "create did not print the name"
[ -d "$BUILDER_ROOT/volumes/data/_data" ] || fail "no volumes/data/_data in the store"
anon=$(b volume create)
echo "$anon" | grep -Eq '^[0-9a-f]{64}$' || fail "anonymous volume name is not 64 hex: $anon"
[ "$(b volume create data)" = data ] || fail "creating an existing volume is not a no-op"
note "create: named, anonymous, idempotent"

"$BUILDER" volume create data --label team=db 2>"$WORK/err" && fail "a conflicting create succeeded"
grep -q "^builder: error: .*already exists" "$WORK/err" || fail "conflict message: $(cat "$WORK/err")"
"$BUILDER" volume create -- -bad 2>"$WORK/err" && fail "an invalid name was accepted"
grep -q 'invalid characters for a local volume name' "$WORK/err" || fail "bad name message: $(cat "$WORK/err")"
"$BUILDER" volume create --opt size=1 x1 2>"$WORK/err" && fail "an unknown option was accepted"
grep -q 'invalid option key: "size"' "$WORK/err" || fail "bad option message: $(cat "$WORK/err")"
note "create: conflicts, names and options refused with docker's messages"

b volume ls >"$WORK/ls"
head -1 "$WORK/ls" | grep -q '^DRIVER *VOLUME NAME$' || fail "ls header: $(head -1 "$WORK/ls")"
grep -q "^local *data$" "$WORK/ls" || fail "ls misses data: $(cat "$WORK/ls")"
[ "$(b volume ls -q | sort | tr '\n' ' ')" = "$(printf '%s\n' "$anon" data | sort | tr '\n' ' ')" ] ||
  fail "ls -q: $(b volume ls -q)"
b volume ls --format json | grep '"Name":"data"' | grep -q '"Labels":"team=web"' ||
  fail "ls --format json: $(b volume ls --format json)"
[ "$(b volume ls --format '{{.Name}}={{.Driver}}' | grep '^data=')" = data=local ] || fail "ls template"
note "ls: table, -q, json, template"

b volume inspect data >"$WORK/inspect"
python3 - "$WORK/inspect" "$BUILDER_ROOT" <<'PY' || fail "inspect: $(cat "$WORK/inspect")"
import json, sys
v = json.load(open(sys.argv[1]))
assert isinstance(v, list) and len(v) == 1, v
v = v[0]
assert v["Name"] == "data" and v["Driver"] == "local" and v["Scope"] == "local", v
assert v["Labels"] == {"team": "web"} and v["Options"] == {}, v
assert v["Mountpoint"] == sys.argv[2] + "/volumes/data/_data", v
assert v["CreatedAt"].endswith("Z"), v
assert sorted(v) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"], v
PY
"$BUILDER" volume inspect data nope >"$WORK/out" 2>"$WORK/err" && fail "inspect of a missing volume exited 0"
grep -q '"Name": "data"' "$WORK/out" || fail "inspect dropped the volume that exists"
grep -q "^builder: error: no such volume: nope" "$WORK/err" || fail "missing: $(cat "$WORK/err")"
note "inspect: docker's JSON; a missing name fails after printing the rest"

echo content >"$BUILDER_ROOT/volumes/data/_data/file"
b volume create keep >/dev/null
b volume prune -f >"$WORK/prune"
grep -qx "$anon" "$WORK/prune" || fail "prune did not remove the anonymous volume: $(cat "$WORK/prune")"
grep -q "^Total reclaimed space:" "$WORK/prune" || fail "prune summary missing"
b volume inspect data >/dev/null
note "prune: anonymous volumes only"
"$BUILDER" volume rm data nope 2>"$WORK/err" >"$WORK/out" && fail "rm of a missing volume exited 0"
grep -qx data "$WORK/out" || fail "rm did not print the removed name"
[ ! -e "$BUILDER_ROOT/volumes/data" ] || fail "rm left the volume directory"
b volume rm -f nope >/dev/null
b volume prune -a -f >"$WORK/prune"
grep -qx keep "$WORK/prune" || fail "prune -a kept a named volume"
[ -z "$(b volume ls -q)" ] || fail "volumes left: $(b volume ls -q)"
note "rm and prune -a remove named volumes; rm -f ignores missing ones"
echo "PASS [$TEST_NAME]"

#!/bin/bash
# `builder build --check` against the goldens in testdata/dockerfiles/check-*/: the report
# (expected.out, byte for byte), the exit status (expected.status) and the error line
# (expected.err, when there is one); build.args holds extra arguments. Then a normal build
# prints the same findings as buildx's end-of-build summary, and `# check=error=true` stops a
# build before it stores anything.
# Usage: build_check.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
CASES="$(cd "$(dirname "$0")/../../testdata/dockerfiles" && pwd)"
export BUILDER_ROOT="$WORK/store"

n=0
for dir in "$CASES"/check-*/; do
  name=$(basename "$dir")
  cp -a "$dir" "$WORK/$name"
  args=()
  [ -f "$dir/build.args" ] && read -r -a args <"$dir/build.args"
  (cd "$WORK/$name" && "$BUILDER" build --check "${args[@]}" . >"$WORK/out" 2>"$WORK/err")
  status=$?
  [ "$status" = "$(cat "$dir/expected.status")" ] ||
    { cat "$WORK/err"; fail "$name: exit status $status, want $(cat "$dir/expected.status")"; }
  diff -u "$dir/expected.out" "$WORK/out" || fail "$name: the report differs from expected.out"
  if [ -f "$dir/expected.err" ]; then
    grep -qxF -- "$(cat "$dir/expected.err")" "$WORK/err" || { cat "$WORK/err"; fail "$name: stderr lacks $(cat "$dir/expected.err")"; }
  fi
  n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n check cases found in $CASES"
note "$n --check cases match their goldens"

# --target: only the stages it reaches are dispatched (text rules still cover every stage).
printf 'FROM scratch AS a\nCOPY $UNSET_A /a\nFROM scratch AS b\nCOPY $UNSET_B /b\n' >"$WORK/t.Dockerfile"
mkdir -p "$WORK/tctx"
"$BUILDER" build --check --target a -f "$WORK/t.Dockerfile" "$WORK/tctx" >"$WORK/out" 2>"$WORK/err"
grep -q "variable '\$UNSET_A'" "$WORK/out" && ! grep -q "variable '\$UNSET_B'" "$WORK/out" || { cat "$WORK/out" "$WORK/err"; fail "--check --target a checked stage b"; }
"$BUILDER" build --check -f "$WORK/t.Dockerfile" "$WORK/tctx" >"$WORK/out" 2>"$WORK/err"
grep -q "variable '\$UNSET_A'" "$WORK/out" && grep -q "variable '\$UNSET_B'" "$WORK/out" || { cat "$WORK/out" "$WORK/err"; fail "--check without --target skipped a stage"; }
note "--check --target dispatches only the stages the target reaches"

# A build without RUN (no sandbox needed): warnings summarised at the end in the order BuildKit
# finds them (instruction parsing first, then dispatch), image stored.
mkdir -p "$WORK/ctx"
echo a >"$WORK/ctx/a"
printf 'FROM scratch\nCOPY a /a\nCMD echo hi\nmaintainer me\n' >"$WORK/ctx/Dockerfile"
"$BUILDER" build --progress plain -t check:warn "$WORK/ctx" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "build with warnings failed"; }
cat >"$WORK/want" <<'TXT'
3 warnings found:
 - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 4)
 - ConsistentInstructionCasing: Command 'maintainer' should match the case of the command majority (uppercase) (line 4)
 - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 3)
TXT
tail -4 "$WORK/err" | diff -u "$WORK/want" - || fail "the build's warning summary differs"
"$BUILDER" build -q -t check:quiet "$WORK/ctx" >/dev/null 2>"$WORK/err" || fail "quiet build failed"
[ ! -s "$WORK/err" ] || { cat "$WORK/err"; fail "-q printed warnings"; }
"$BUILDER" build --progress json -t check:json "$WORK/ctx" >/dev/null 2>"$WORK/err" || fail "json build failed"
grep -qF '{"event":"note","text":"WARNING: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 4)"}' "$WORK/err" ||
  { cat "$WORK/err"; fail "--progress json lacks the warning note"; }
note "a build lists its warnings at the end (json: as notes; none with -q)"

# error=true: the build fails naming the rules, before anything is stored.
printf '# check=error=true\nFROM scratch\nCOPY a /a\nCMD echo hi\n' >"$WORK/ctx/Dockerfile"
"$BUILDER" build --progress plain -t check:error "$WORK/ctx" >/dev/null 2>"$WORK/err" && fail "error=true did not fail the build"
grep -qx "builder: error: lint violation found for rules: JSONArgsRecommended" "$WORK/err" || { cat "$WORK/err"; fail "no lint violation error"; }
"$BUILDER" images -q check:error 2>/dev/null | grep -q . && fail "error=true still stored check:error"
# ... and the build arg overrides the directive (skip the rule: the build passes).
"$BUILDER" build --progress plain --build-arg BUILDKIT_DOCKERFILE_CHECK=skip=JSONArgsRecommended -t check:error "$WORK/ctx" \
  >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "BUILDKIT_DOCKERFILE_CHECK did not override the directive"; }
# A malformed directive is a clear error.
printf '# check=skip\nFROM scratch\n' >"$WORK/ctx/Dockerfile"
"$BUILDER" build --check "$WORK/ctx" >/dev/null 2>"$WORK/err" && fail "a malformed check directive passed"
grep -qx 'builder: error: failed to parse check options: invalid check option "skip"' "$WORK/err" || { cat "$WORK/err"; fail "unclear error for a malformed directive"; }
note "error=true fails the build, BUILDKIT_DOCKERFILE_CHECK overrides, a bad directive is an error"
note ok

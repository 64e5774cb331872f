[ "$(cat "$CTX/iid.out")" = "$(cat "$WORK/iid")" ] || fail "--iidfile differs from the printed id"
expect_file /q q
# -q prints the id alone; --compression zstd writes zstd layers
out=$("$BUILDER" build -q --compression zstd -t quiet:1 "$CTX" 2>"$WORK/q.err") || fail "quiet build failed"
case "$out" in sha256:*) ;; *) fail "-q printed '$out'" ;; esac
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "-q printed more than the id"
[ ! -s "$WORK/q.err" ] || fail "-q wrote progress: $(cat "$WORK/q.err")"
grep -q 'tar+zstd' "$BUILDER_ROOT"/blobs/sha256/* 2>/dev/null || fail "no zstd layer written"

expect_file /from-context.txt original
expect_file /from-stage.txt tool
expect_file /cache-lines.txt 1
expect_file /rw-seen.txt changed
expect_file /secret.txt none
[ "$(cat "$CTX/data/d.txt")" = original ] || fail "an rw bind wrote into the context"
expect_absent /mnt/data
expect_absent /t
expect_absent /rw
expect_absent /scratch
expect_absent /var/cache/app/log
# the cache mount persists: a --no-cache rebuild sees the earlier line
"$BUILDER" build -q --no-cache -t again:1 "$CTX" >/dev/null 2>"$WORK/again.log" || fail "rebuild failed"
umoci unpack --image "$BUILDER_ROOT:docker.io/library/again:1" "$WORK/again" >/dev/null 2>&1 || fail "unpack again"
[ "$(cat "$WORK/again/rootfs/cache-lines.txt")" = 2 ] || fail "cache mount not kept: $(cat "$WORK/again/rootfs/cache-lines.txt")"

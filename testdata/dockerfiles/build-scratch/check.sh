expect_file /only.txt s
[ "$(ls -A "$ROOTFS")" = "only.txt" ] || fail "scratch image has more than the copied file: $(ls -A "$ROOTFS")"
[ "$(cfg rootfs.diff_ids.#)" = 1 ] || fail "scratch image should have one layer"
expect_cfg config.Env '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","X=1"]'
expect_cfg os linux

grep -q "^uid=1000(app) gid=1000(app) groups=.*2000(extra)" "$ROOTFS/tmp/id.txt" || fail "id: $(cat "$ROOTFS/tmp/id.txt")"
expect_file /tmp/home.txt "/home/app"
expect_owner /appdir 1000:1000
expect_owner /appdir/mine 1000:1000
expect_owner /tmp/num.txt 1234:5678
expect_cfg config.User root

expect_absent /etc/group
expect_file /etc/passwd "$(cat "$ROOTFS/etc/passwd")"
expect_absent /opaque/old
expect_file /opaque/new new
expect_absent /home/app
expect_dir /home

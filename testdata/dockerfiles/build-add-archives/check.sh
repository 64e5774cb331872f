expect_file /plain/sub/p.txt p
expect_file /gz/sub/p.txt p
expect_file /bz/sub/p.txt p
expect_file /xz/sub/p.txt p
expect_file /notes/notes.gz "not an archive"
# COPY never extracts
[ -f "$ROOTFS/copied/gz.tar.gz" ] || fail "COPY extracted an archive"

expect_file /renamed.txt a
expect_file /into/a.txt a
expect_file /contents/top.txt top
expect_file /contents/sub/inner.txt inner
expect_absent /contents/dir
expect_file /multi/a.txt a
expect_file /multi/b.txt b
expect_file /glob/a.txt a
expect_file /glob/b.txt b
expect_file /work/rel/a.txt a
expect_file /work/inner.txt inner
# an existing directory as destination receives the file
expect_file /tmp/a.txt a
expect_mode /tmp 1777
expect_owner /renamed.txt 0:0
expect_mode /into 755

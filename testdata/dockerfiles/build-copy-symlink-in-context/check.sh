# BuildKit (docker 20.10) gives the same: each link read as if the context were the root.
expect_file /abs.txt 'context passwd'
expect_file /up.txt x
expect_file /through.txt 'context passwd'
expect_file /ldir/f f
expect_dir /ldir/sub
expect_file /wild/f f

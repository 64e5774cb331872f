expect_absent /ctx/secret
expect_absent /ctx/debug.log
expect_file /ctx/keep.log keep
expect_file /ctx/src/main.c c

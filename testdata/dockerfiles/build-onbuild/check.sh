expect_file /onbuild.txt triggered
expect_file /seen.txt triggered
expect_file /marker.txt m
expect_cfg config.OnBuild null

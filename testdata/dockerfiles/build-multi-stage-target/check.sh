expect_file /w/base.txt base
expect_file /w/dev.txt dev
expect_cfg config.WorkingDir /w
expect_cfg config.Env '["PATH=/usr/sbin:/usr/bin:/sbin:/bin","STAGE=dev"]'
expect_new_layers 3

expect_file /seen.txt "test cli env-wins test "
expect_file /ab.txt "A=12
B=1"
expect_cfg config.Env '["PATH=/usr/sbin:/usr/bin:/sbin:/bin","LOCAL=env-wins","PERSIST=test","A=12","B=1"]'
expect_log "[UNDECLARED] were not consumed"

expect_file /ifaces.txt lo
expect_file /global.txt lo

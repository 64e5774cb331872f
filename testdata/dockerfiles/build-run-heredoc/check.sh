expect_file /one.txt "one
two"
expect_file /script.txt "script /dev/pipes/EOF"
expect_file /inline.txt "inline /root"
expect_file /tabs.txt "tabs stripped"
# the script's bind mount point never reaches the image
expect_absent /dev/pipes

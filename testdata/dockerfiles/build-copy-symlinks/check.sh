expect_link /tree/link.txt target.txt
expect_link /tree/escape ../../../../etc/shadow
expect_file /followed.txt t
# the destination's symlinked parents are followed inside the image, never replaced
expect_link /mylib /usr/lib
expect_file /usr/lib/through.txt t
expect_link /lib64 usr/lib
expect_file /usr/lib/viabase.txt t

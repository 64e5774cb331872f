expect_file /etc/greeting "hello world"
expect_file /etc/raw 'hello $NAME'
expect_mode /usr/bin/hi 755
expect_file /hi.txt hi
expect_file /etc/quoted 'say "hi" to $NAME and world'

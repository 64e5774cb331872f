expect_file /pwd.txt /a/b/c
expect_dir /a/b/c
expect_dir /var/data
expect_mode /a/b 755
expect_cfg config.WorkingDir /var/data
# WORKDIR /tmp exists already: no layer
expect_cfg history.5.created_by "WORKDIR /tmp"
expect_cfg history.5.empty_layer true
expect_new_layers 4

expect_file /check.txt "int main(){}
lib"
expect_mode /usr/local/bin/app 755
expect_file /assets/main.c "int main(){}"
expect_file /copied-passwd "$(cat "$ROOTFS/etc/passwd")"
expect_absent /deps
expect_absent /src
# the unused stage (RUN exit 1) never ran
expect_log "[deps 2/2] RUN mkdir -p /deps"
grep -q "unused" "$LOG" && fail "the unused stage was built"
expect_new_layers 4
expect_cfg config.WorkingDir null

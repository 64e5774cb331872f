expect_file /exec.txt "exec"
expect_file /touched ""
expect_file /args.txt "zero one"
expect_cfg history.3.created_by 'RUN ["touch","/touched"] # buildkit'

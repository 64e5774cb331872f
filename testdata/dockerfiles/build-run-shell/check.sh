expect_file /out.txt "shell form
second"
expect_file /home.txt "/root"
expect_new_layers 2
expect_cfg history.#  "4"
expect_cfg history.2.created_by 'RUN /bin/sh -c echo "shell form" > /out.txt && echo second >> /out.txt # buildkit'
expect_log "#2 [2/3] RUN echo \"shell form\" > /out.txt && echo second >> /out.txt"
expect_log "#3 DONE"

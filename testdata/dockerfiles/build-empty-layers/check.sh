# RUN true changes nothing: no layer, history says so
expect_cfg history.2.empty_layer true
expect_cfg history.3.empty_layer null
expect_new_layers 2
expect_absent /x

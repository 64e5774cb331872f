# the base image's CMD ["sh"] is reset by ENTRYPOINT
expect_cfg config.Entrypoint '["/bin/echo","hi"]'
expect_cfg config.Cmd null
expect_new_layers 0

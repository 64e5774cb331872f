expect_cfg config.Entrypoint '["/bin/sh","-c","echo entry"]'
expect_cfg config.Cmd '["/bin/sh","-ec","echo $HOME"]'
expect_cfg config.Shell '["/bin/sh","-ec"]'

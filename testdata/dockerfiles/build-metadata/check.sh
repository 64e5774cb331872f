expect_cfg config.Labels '{"from.cli":"yes","multi word":"a b","org.example.version":"1.2"}'
expect_cfg config.ExposedPorts '{"53/udp":{},"80/tcp":{},"8000/tcp":{},"8001/tcp":{}}'
expect_cfg config.Volumes '{"/data":{},"/logs":{}}'
expect_cfg config.StopSignal SIGQUIT
expect_cfg config.Healthcheck.Test '["CMD-SHELL","wget -q localhost || exit 1"]'
expect_cfg config.Healthcheck.Interval 10000000000
expect_cfg config.Healthcheck.Retries 2
expect_cfg config.OnBuild '["RUN echo triggered > /onbuild.txt"]'
expect_cfg author someone@example.com
expect_new_layers 0

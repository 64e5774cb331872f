# app.Dockerfile.dockerignore wins over .dockerignore
expect_file /ctx/a.txt a
expect_absent /ctx/b.txt

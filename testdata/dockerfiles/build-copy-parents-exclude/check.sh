expect_file /out/a/b/f.txt f
expect_file /docs/guide.txt g
expect_absent /docs/README.md

# A link to /etc/passwd names the context's etc/passwd, which is missing: never the host's.
ln -s /etc/passwd link

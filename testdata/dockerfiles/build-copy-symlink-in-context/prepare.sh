# Source symlinks resolve inside the context, as if it were /: never to the host's files.
mkdir -p etc data/sub
echo 'context passwd' >etc/passwd
echo 'x' >x
echo 'f' >data/f
ln -s /etc/passwd abs
ln -s ../../x up
ln -s /etc dirlink
ln -s /data ldir

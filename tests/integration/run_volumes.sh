#!/bin/bash
# Volumes in a running container: a named volume is created on first use and filled from the
# image's content at its path (docker's copy-up: owners, modes, links kept), keeps what the
# container writes for the next run, and never copies again; host binds honour :ro.
# Usage: run_volumes.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
netns_reexec "$@"  # RUN may be `run`, whose default network is the bridge
[ "$(id -u)" = 0 ] || skip "needs root (the sandbox)"
# The command under test: `debug run` until the runner's `run --rm` lands on main.
RUN=${RUN:-debug run}
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
src="$WORK/rootfs-src"
mkdir -p "$src/srv/www/img"
echo "from the image" >"$src/srv/www/index.html"
ln "$src/srv/www/index.html" "$src/srv/www/hard"
ln -s index.html "$src/srv/www/link"
chown -R 1000:1000 "$src/srv/www"
chmod 0640 "$src/srv/www/index.html"
chmod 0750 "$src/srv/www"
tar -C "$src" --numeric-owner -cf "$WORK/rootfs.tar" . || fail tar
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" vol:1 >/dev/null
# shellcheck disable=SC2086
runc() { "$BUILDER" $RUN "$@" </dev/null; }

out=$(runc -v web:/srv/www vol:1 sh -c 'cat /srv/www/link; echo written >/srv/www/new; ls /srv/www') ||
  fail "first run failed: $out"
echo "$out" | grep -qx "from the image" || fail "the volume was not filled from the image: $out"
data="$BUILDER_ROOT/volumes/web/_data"
[ "$(stat -c '%u:%g %a' "$data/index.html")" = "1000:1000 640" ] || fail "copy-up lost owner/mode: $(stat -c '%u:%g %a' "$data/index.html")"
[ "$(stat -c '%u:%g %a' "$data")" = "1000:1000 750" ] || fail "the volume root did not take the image dir's owner/mode"
[ "$(stat -c %i "$data/index.html")" = "$(stat -c %i "$data/hard")" ] || fail "copy-up broke a hard link"
[ "$(readlink "$data/link")" = index.html ] || fail "copy-up did not keep the symlink"
[ "$(cat "$data/new")" = written ] || fail "the container's write is not in the volume"
note "first use: created, filled from the image (owner, mode, hard and soft links kept), written to"

rm "$data/index.html"
out=$(runc -v web:/srv/www vol:1 sh -c 'ls /srv/www; cat /srv/www/new') || fail "second run failed: $out"
echo "$out" | grep -qx written || fail "the volume did not keep its data: $out"
echo "$out" | grep -qx index.html && fail "the volume was filled again after its first use"
[ "$(b volume inspect web | grep -c '"Name": "web"')" = 1 ] || fail "volume inspect does not show web"
note "second use: data kept, no second copy-up"

mkdir -p "$WORK/host"
echo host >"$WORK/host/file"
out=$(runc -v "$WORK/host:/mnt/host:ro" vol:1 sh -c 'cat /mnt/host/file; echo x >/mnt/host/file && echo WROTE; echo done' 2>&1)
echo "$out" | grep -qx host || fail "the bind is not visible: $out"
echo "$out" | grep -q WROTE && fail "a :ro bind was writable"
[ "$(cat "$WORK/host/file")" = host ] || fail "the host file changed"
out=$(runc -v "$WORK/host:/mnt/host" vol:1 sh -c 'echo changed >/mnt/host/file')
[ "$(cat "$WORK/host/file")" = changed ] || fail "a rw bind did not write through"
note "host binds: :ro refused writes, rw wrote through"
"$BUILDER" $RUN -v "bad name:/x" vol:1 true 2>"$WORK/err" && fail "a bad volume name was accepted"
grep -q "invalid characters" "$WORK/err" || fail "bad name message: $(cat "$WORK/err")"
echo "PASS [$TEST_NAME]"

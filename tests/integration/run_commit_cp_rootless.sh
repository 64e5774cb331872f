#!/bin/bash
# commit, diff, export and cp for a rootless store (a user with /etc/subuid ranges): the layer
# records container ids (1000, not the subordinate host id), export and cp of a stopped
# container mount its overlay in the builder's own user and mount namespaces, cp -a keeps the
# container's ids, and an escaping symlink is refused here too.
# Usage: run_commit_cp_rootless.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (creates a user and edits /etc/subuid, /etc/subgid)"
need_tool skopeo
need_tool jq

SUBUID=610000
SUBGID=710000
HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" "$SUBUID" "$SUBGID" || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }
STORE="$HOME_DIR/.local/share/builder"
bu() { as_subid_user "$BIN" "$@"; }
add_cleanup 'bu rm -f $(bu ps -a -q 2>/dev/null) >/dev/null 2>&1 </dev/null'

make_rootfs_tar "$WORK/rootfs.tar"
cp "$WORK/rootfs.tar" "$HOME_DIR/rootfs.tar"
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"
bu import -c 'CMD ["sh"]' "$HOME_DIR/rootfs.tar" bb:1 >/dev/null 2>"$WORK/log" </dev/null || { cat "$WORK/log"; fail "import"; }

bu run --name c1 --network none bb:1 sh -c \
  'echo mine >/home/app/f; busybox chown 1000:1000 /home/app/f; busybox ln -s ../../../../../../../..'"$WORK"' /tmp/up' </dev/null ||
  fail "run as $SUBID_USER"
got=$(bu diff c1 </dev/null) || fail "diff"
# docker's order: an unlisted ancestor (/home, copied up unchanged) comes after the listed
# directory (/home/app) whose new entry pulled it in.
[ "$got" = "$(printf 'C /home/app\nC /home\nA /home/app/f\nC /tmp\nA /tmp/up')" ] || fail "diff: $got"
bu commit c1 c1:1 >/dev/null </dev/null || fail "commit"
layer=$(skopeo inspect --raw "oci:$STORE:docker.io/library/c1:1" | jq -r '.layers[-1].digest')
[ "$(tar --numeric-owner -tvzf "$STORE/blobs/sha256/${layer#sha256:}" home/app/f | awk '{print $2}')" = 1000/1000 ] ||
  fail "the layer's owner of home/app/f: $(tar --numeric-owner -tvzf "$STORE/blobs/sha256/${layer#sha256:}")"
bu export c1 </dev/null | tar -t >"$WORK/export.list" || fail "export"
grep -qx home/app/f "$WORK/export.list" || fail "export listing: $(cat "$WORK/export.list")"
bu cp -a c1:/home/app/f - </dev/null | tar --numeric-owner -tv | grep -q ' 1000/1000 ' || fail "cp -a out keeps the container's ids"
echo host >"$HOME_DIR/in" && chown "$SUBID_UID:$SUBID_GID" "$HOME_DIR/in"
bu cp "$HOME_DIR/in" c1:/tmp/in </dev/null || fail "cp in"
[ "$(stat -c '%u' "$STORE/containers/$(bu ps -a -q --no-trunc -f name=c1 </dev/null)/upper/tmp/in")" = "$SUBID_UID" ] ||
  fail "cp in: owner on the host is not the user (container root)"
bu cp c1:/tmp/up/rootfs.tar "$HOME_DIR/stolen" </dev/null 2>/dev/null && fail "cp out through an escaping link succeeded"
[ ! -e "$HOME_DIR/stolen" ] || fail "an escaping link was followed"
note "ok"

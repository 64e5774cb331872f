#!/bin/bash
# Containers back to images and files: `diff` lines compared whole; `commit` gives an image that
# runs with the change, whose last layer holds exactly the container's changes (whiteouts and
# opaque markers included) and whose config carries -c/-m/-a; `export` equals what umoci
# unpacks of the committed image; `cp` both ways, stopped and running, keeps modes and (-a)
# owners, follows docker's '/' and '/.' rules, streams tars with '-', and refuses symlinks that
# point out of the rootfs without reading or writing the host file.
# Usage: run_commit_cp.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
need_tool umoci
need_tool skopeo
need_tool jq
runner_setup

# The base image: busybox plus /data with a file and a directory to delete.
mkdir -p "$WORK/base" && tar -C "$WORK/base" -xf "$WORK/rootfs.tar"
mkdir -p "$WORK/base/data/sub"
echo g >"$WORK/base/data/g"
echo old >"$WORK/base/data/sub/old"
tar -C "$WORK/base" --sort=name --mtime=@946684800 --owner=0 --group=0 --numeric-owner -cf "$WORK/base.tar" .
b import -c 'CMD ["sh"]' "$WORK/base.tar" base:1 >/dev/null

# --- diff -------------------------------------------------------------------------------------
b run --name c1 --network none base:1 sh -c \
  'echo hi >/tmp/new; busybox rm /data/g; busybox rm -rf /data/sub; busybox mkdir /data/sub; echo n >/data/sub/n; echo more >>/etc/passwd'
got=$("$BUILDER" diff c1) || fail "diff c1"
want="C /data
D /data/g
D /data/sub
A /data/sub/n
C /etc
C /etc/passwd
C /tmp
A /tmp/new"
[ "$got" = "$want" ] || fail "diff c1: got
$got
want
$want"
"$BUILDER" diff nosuch 2>"$WORK/err" && fail "diff of a missing container succeeded"
grep -q "No such container" "$WORK/err" || fail "diff nosuch: $(cat "$WORK/err")"

# --- commit -----------------------------------------------------------------------------------
id=$("$BUILDER" commit -c 'CMD ["cat","/tmp/new","/data/sub/n"]' -c 'ENV ADDED=1' -m "the message" \
  -a "A. Author <a@example.com>" c1 committed:1) || fail "commit c1"
[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fail "commit printed '$id'"
got=$("$BUILDER" run --rm --network none committed:1) || fail "run committed:1"
[ "$got" = "$(printf 'hi\nn')" ] || fail "committed image: got '$got'"
got=$("$BUILDER" run --rm --network none committed:1 sh -c 'ls /data; ls /data/sub; echo $ADDED; busybox tail -n1 /etc/passwd')
[ "$got" = "$(printf 'sub\nn\n1\nmore')" ] || fail "committed image's tree: got '$got'"

ref="oci:$BUILDER_ROOT:docker.io/library/committed:1"
skopeo inspect --config "$ref" >"$WORK/config.json" || fail "skopeo inspect --config"
[ "$(jq -c .config.Cmd "$WORK/config.json")" = '["cat","/tmp/new","/data/sub/n"]' ] || fail "Cmd: $(jq -c .config "$WORK/config.json")"
[ "$(jq -r .author "$WORK/config.json")" = "A. Author <a@example.com>" ] || fail "author: $(cat "$WORK/config.json")"
[ "$(jq -r '.history[-1].comment' "$WORK/config.json")" = "the message" ] || fail "history: $(jq -c .history "$WORK/config.json")"
[ "$(jq -r '.rootfs.diff_ids | length' "$WORK/config.json")" = 2 ] || fail "diff_ids: $(jq -c .rootfs "$WORK/config.json")"
# The new layer, listed whole: exactly the container's changes, deletions as whiteouts.
layer=$(skopeo inspect --raw "$ref" | jq -r '.layers[-1].digest') || fail "manifest"
tar -tzf "$BUILDER_ROOT/blobs/sha256/${layer#sha256:}" | LC_ALL=C sort >"$WORK/layer.list" || fail "list the layer"
want_layer="data/
data/.wh.g
data/sub/
data/sub/.wh..wh..opq
data/sub/n
etc/
etc/passwd
tmp/
tmp/new"
[ "$(cat "$WORK/layer.list")" = "$want_layer" ] || fail "last layer: got
$(cat "$WORK/layer.list")
want
$want_layer"
# umoci applies the layers as the judge.
umoci unpack --image "$BUILDER_ROOT:docker.io/library/committed:1" "$WORK/bundle" >/dev/null 2>&1 ||
  fail "umoci unpack of the committed image"
[ ! -e "$WORK/bundle/rootfs/data/g" ] && [ ! -e "$WORK/bundle/rootfs/data/sub/old" ] &&
  [ "$(cat "$WORK/bundle/rootfs/data/sub/n")" = n ] || fail "umoci's tree of the committed image"
# A container that changed nothing commits an empty layer entry and no layer.
b create --name idle --network none base:1 true >/dev/null
b commit idle idle:1 >/dev/null
[ "$(skopeo inspect --config "oci:$BUILDER_ROOT:docker.io/library/idle:1" | jq -r '[(.rootfs.diff_ids | length), .history[-1].empty_layer] | @tsv')" = "$(printf '1\ttrue')" ] ||
  fail "commit of an unchanged container"

# --- export -----------------------------------------------------------------------------------
b export -o "$WORK/c1.tar" c1
mkdir -p "$WORK/exported" && tar -C "$WORK/exported" -xf "$WORK/c1.tar" || fail "extract the export"
[ "$(tree_listing "$WORK/exported")" = "$(tree_listing "$WORK/bundle/rootfs")" ] ||
  fail "export differs from umoci's unpack: $(diff <(tree_listing "$WORK/exported") <(tree_listing "$WORK/bundle/rootfs"))"
"$BUILDER" export c1 | tar -t >/dev/null || fail "export to stdout"

# --- cp ---------------------------------------------------------------------------------------
mkdir -p "$WORK/host/dir/inner" "$WORK/secret"
echo secret >"$WORK/secret/file"
echo payload >"$WORK/host/file"
echo inner >"$WORK/host/dir/inner/x"
chmod 0640 "$WORK/host/file" && chown 77:88 "$WORK/host/file"
chmod 0705 "$WORK/host/dir/inner"
# owner_mode HOSTPATH -> "mode uid gid"
owner_mode() { stat -c '%a %u %g' "$1"; }
upper() { echo "$BUILDER_ROOT/containers/$("$BUILDER" ps -a -q --no-trunc -f "name=$1")/upper"; }

# Into a stopped container: -a keeps owners and modes, without -a root owns the copy.
b cp -a "$WORK/host/file" c1:/data/
[ "$(owner_mode "$(upper c1)/data/file")" = "640 77 88" ] || fail "cp -a in: $(owner_mode "$(upper c1)/data/file")"
b cp "$WORK/host/file" c1:/data/plain
[ "$(owner_mode "$(upper c1)/data/plain")" = "640 0 0" ] || fail "cp in: $(owner_mode "$(upper c1)/data/plain")"
# A directory under its own name, and "/." for its contents only.
b cp "$WORK/host/dir" c1:/data/
[ "$(cat "$(upper c1)/data/dir/inner/x")" = inner ] || fail "cp dir in"
[ "$(stat -c %a "$(upper c1)/data/dir/inner")" = 705 ] || fail "cp dir in: mode"
b cp "$WORK/host/dir/." c1:/data/sub
[ "$(cat "$(upper c1)/data/sub/inner/x")" = inner ] || fail "cp dir/. in"
"$BUILDER" cp "$WORK/host/dir" c1:/data/file 2>"$WORK/err" && fail "cp of a directory onto a file succeeded"
grep -q "cannot copy a directory to a file" "$WORK/err" || fail "dir onto file: $(cat "$WORK/err")"
# Out of it: -a keeps the container's owners, the copy lands as docker puts it.
b cp -a c1:/data/file "$WORK/out-a"
[ "$(owner_mode "$WORK/out-a")" = "640 77 88" ] || fail "cp -a out: $(owner_mode "$WORK/out-a")"
b cp c1:/data/file "$WORK/out-plain"
[ "$(owner_mode "$WORK/out-plain")" = "640 0 0" ] || fail "cp out: $(owner_mode "$WORK/out-plain")"
mkdir -p "$WORK/outdir"
b cp c1:/data/sub "$WORK/outdir"
[ "$(cat "$WORK/outdir/sub/n")" = n ] && [ "$(cat "$WORK/outdir/sub/inner/x")" = inner ] || fail "cp dir out"
b cp c1:/data/sub/. "$WORK/outdir"
[ "$(cat "$WORK/outdir/n")" = n ] || fail "cp dir/. out"
# -L follows a source link (inside the root); without it the link itself is copied. A relative
# container path starts at the container's working directory (here /).
b run --name lnk --network none base:1 busybox ln -s sub/old /data/lnk
b cp -L lnk:/data/lnk "$WORK/followed"
[ -f "$WORK/followed" ] && [ "$(cat "$WORK/followed")" = old ] || fail "cp -L: $(ls -l "$WORK/followed")"
b cp lnk:data/lnk "$WORK/link"
[ "$(readlink "$WORK/link")" = sub/old ] || fail "cp of a link: $(ls -l "$WORK/link")"
# Tar streams both ways.
[ "$("$BUILDER" cp c1:/data/sub - | tar -t | LC_ALL=C sort | tr '\n' ' ')" = "sub/ sub/inner/ sub/inner/x sub/n " ] ||
  fail "cp out to -: $("$BUILDER" cp c1:/data/sub - | tar -t)"
tar -C "$WORK/host" -c file dir | "$BUILDER" cp - c1:/tmp || fail "cp - in"
[ "$(cat "$(upper c1)/tmp/dir/inner/x")" = inner ] || fail "cp - in: content"

# Symlinks out of the rootfs: one climbing with "..", one absolute (inside the container it
# names the container's own path). Neither may read nor write the host's files.
b run --name links --network none base:1 sh -c \
  "busybox ln -s ../../../../../../../../../../..$WORK/secret /data/up; busybox ln -s $WORK/secret /data/abs"
: >"$WORK/err"
for link in up abs; do
  "$BUILDER" cp "links:/data/$link/file" "$WORK/stolen-$link" 2>>"$WORK/err" && fail "cp out through /data/$link succeeded"
  [ ! -e "$WORK/stolen-$link" ] || fail "cp out through /data/$link wrote $(cat "$WORK/stolen-$link")"
  "$BUILDER" cp "$WORK/host/file" "links:/data/$link/planted" 2>>"$WORK/err" && fail "cp in through /data/$link succeeded"
  [ ! -e "$WORK/secret/planted" ] || fail "cp in through /data/$link wrote the host"
done
grep -q "points outside" "$WORK/err" || fail "the escaping link's error: $(cat "$WORK/err")"

# The same on a running container (its own root, /proc/PID/root).
b run -d --name live --network none base:1 sh -c \
  "busybox ln -s ../../../../../../../../../../..$WORK/secret /data/up; echo ready >/tmp/ready; exec sleep 600" >/dev/null
for _ in $(seq 100); do "$BUILDER" cp live:/tmp/ready - >/dev/null 2>&1 && break; sleep 0.1; done
b cp -a "$WORK/host/file" live:/data/
[ "$(b exec live busybox stat -c '%a %u %g' /data/file)" = "640 77 88" ] || fail "cp -a into a running container"
b exec live sh -c 'echo from-live >/tmp/made; busybox chown 5:6 /tmp/made'
b cp -a live:/tmp/made "$WORK/from-live"
[ "$(cat "$WORK/from-live")" = from-live ] && [ "$(owner_mode "$WORK/from-live")" = "644 5 6" ] ||
  fail "cp -a out of a running container: $(owner_mode "$WORK/from-live")"
"$BUILDER" cp live:/data/up/file "$WORK/stolen-live" 2>/dev/null && fail "cp out of live through a link succeeded"
"$BUILDER" cp "$WORK/host/file" live:/data/up/planted 2>/dev/null && fail "cp into live through a link succeeded"
[ ! -e "$WORK/stolen-live" ] && [ ! -e "$WORK/secret/planted" ] || fail "a link in a running container reached the host"
# Export of the running container: its layers and upper dir, without its /proc or mounts.
"$BUILDER" export live | tar -t >"$WORK/live.list" || fail "export of a running container"
grep -qx data/file "$WORK/live.list" && grep -qx data/up "$WORK/live.list" && ! grep -q '^proc/.' "$WORK/live.list" ||
  fail "export of a running container: $(cat "$WORK/live.list")"
touch "$WORK/host/.wh.data"
"$BUILDER" cp "$WORK/host/.wh.data" live:/tmp/ 2>/dev/null && fail "cp of a .wh. file succeeded"
# Commit of the running container carries what cp put there.
b commit live live:1 >/dev/null
[ "$("$BUILDER" run --rm --network none live:1 cat /data/file)" = payload ] || fail "commit of a running container"
b rm -f live >/dev/null
# -p (the default) freezes a container with its own cgroup while its layer is read, and thaws it.
b run -d --name busy --memory 64m --network none base:1 sh -c 'while :; do echo line >>/tmp/grow; done' >/dev/null
sleep 0.5
b commit busy busy:1 >/dev/null
busy_upper=$(upper busy)
s1=$(stat -c %s "$busy_upper/tmp/grow"); sleep 0.5; s2=$(stat -c %s "$busy_upper/tmp/grow")
[ "$s2" -gt "$s1" ] || fail "the container stayed frozen after commit ($s1 -> $s2 bytes)"
[ "$("$BUILDER" run --rm --network none busy:1 sh -c '[ -s /tmp/grow ] && echo grown')" = grown ] || fail "commit of a busy container"
b rm -f busy >/dev/null
note "ok"

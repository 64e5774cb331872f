#!/bin/bash
# Rootless builds with subordinate ids: a throw-away user with /etc/subuid and /etc/subgid ranges
# builds, rebuilds from cache, builds on its result and prunes, with files owned by container
# ids other than root (a 0700 dir chowned by a RUN, COPY --chown, USER 1000, whiteouts); signals
# reach the re-executed builder; helpers that refuse the ranges only cost a warning; the same
# user without ranges still builds a root-only Dockerfile with a single-id map.
# Usage: build_rootless_subids.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (creates a user and edits /etc/subuid, /etc/subgid)"

# Ranges chosen apart so a uid/gid mix-up shows, and away from useradd's default 100000.
SUBUID=400000
SUBGID=500000
HOME_DIR="$WORK/home"
chmod 755 "$WORK"
subid_user_setup "$HOME_DIR" "$SUBUID" "$SUBGID" || skip "$SUBID_SKIP"
BIN="$BUILDER"
as_subid_user test -x "$BIN" || { cp "$BUILDER" "$HOME_DIR/builder"; BIN="$HOME_DIR/builder"; }
STORE="$HOME_DIR/.local/share/builder"
bu() { as_subid_user "$BIN" "$@"; }
# ubuild LOG [args...]: a plain-progress build as the user; the image id lands in $WORK/id.
ubuild() {
  local log=$1
  shift
  bu build --progress plain "$@" >"$WORK/id" 2>"$log" || { cat "$log" >&2; fail "build $* failed"; }
}
run_lines() { sed -n 's/^#[0-9]* [0-9.]* //p' "$1"; }
# layer_list TAG: `tar -tv` of every layer of the saved image, numeric owners.
layer_list() {
  local dir="$WORK/saved-$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  bu save "$1" >"$WORK/saved.tar" || fail "save $1"
  tar -C "$dir" -xf "$WORK/saved.tar" || fail "untar the saved $1"
  local blob
  for blob in "$dir"/blobs/sha256/*; do
    (gzip -dc "$blob" 2>/dev/null || zstd -dc "$blob" 2>/dev/null) | tar -tv --numeric-owner 2>/dev/null
  done
}
# entry LISTING PATH: "mode owner" of PATH (no leading /; dirs with a trailing /) in a listing.
entry() { awk -v p="$2" '$NF == p {print $1, $2}' <"$1"; }

make_rootfs_tar "$WORK/rootfs.tar"
cp "$WORK/rootfs.tar" "$HOME_DIR/rootfs.tar"
mkdir -p "$HOME_DIR/ctx"
echo copied >"$HOME_DIR/ctx/file"
cat >"$HOME_DIR/ctx/Dockerfile" <<'DF'
FROM busybox
RUN echo "map $(busybox head -2 /proc/self/uid_map | busybox tr -s ' ' | busybox sed 's/^ //' | busybox tr '\n' ,)"; \
    echo "init $(cat /proc/1/comm)"; \
    busybox mkdir -m 700 /private && echo s > /private/f && busybox chmod 600 /private/f && \
    busybox chown -R 1000:1000 /private
COPY --chown=1000:1000 file /c
RUN echo gone > /gone && busybox mkdir -p /opq && echo old > /opq/old && \
    echo "extra:x:2000:app" >> /etc/group
RUN busybox rm /gone && busybox rm -r /opq && busybox mkdir /opq && echo new > /opq/new
USER app
RUN echo "uid $(id -u) groups $(id -G)"; echo "read $(cat /private/f)"; \
    if [ -e /gone ] || [ -e /opq/old ]; then echo DELETED-VISIBLE; fi
DF
cat >"$HOME_DIR/ctx/Dockerfile.from" <<'DF'
FROM subids:test
USER 1000
RUN echo "from-uid $(id -u) read $(cat /private/f) new $(cat /opq/new)"; \
    if [ -e /gone ] || [ -e /opq/old ]; then echo DELETED-VISIBLE; fi
DF
chown -R "$SUBID_UID:$SUBID_GID" "$HOME_DIR"
var_lib_before=$(ls -d /var/lib/builder 2>/dev/null)

bu import -c 'CMD ["sh"]' "$HOME_DIR/rootfs.tar" busybox:latest >/dev/null 2>"$WORK/log" ||
  { cat "$WORK/log"; fail "import as $SUBID_USER"; }
[ -f "$STORE/index.json" ] || fail "the store is not the user's default ($STORE)"
[ "$(ls -d /var/lib/builder 2>/dev/null)" = "$var_lib_before" ] || fail "the user's import created /var/lib/builder"

# (a) + (b): the build works; inside a RUN container 0 is the user and 1.. the subordinate uids.
ubuild "$WORK/log1" -t subids:test "$HOME_DIR/ctx"
id1=$(cat "$WORK/id")
run_lines "$WORK/log1" | grep -qx "map 0 0 1,1 1 65536," ||
  { cat "$WORK/log1"; fail "the RUN's uid map is not the identity over the user's namespace"; }
grep -q "cannot enter a user namespace" "$WORK/log1" && { cat "$WORK/log1"; fail "the build warns about the namespace"; }
run_lines "$WORK/log1" | grep -qx "init builder" || { cat "$WORK/log1"; fail "the re-executed builder is not named builder"; }
run_lines "$WORK/log1" | grep -qx "uid 1000 groups 1000 2000" || { cat "$WORK/log1"; fail "USER app: id -u, id -G"; }
run_lines "$WORK/log1" | grep -qx DELETED-VISIBLE && { cat "$WORK/log1"; fail "a deleted file shows through the layer dirs"; }
run_lines "$WORK/log1" | grep -qx "read s" || { cat "$WORK/log1"; fail "uid 1000 cannot read /private/f"; }
layer_list subids:test >"$WORK/layers1"
[ "$(entry "$WORK/layers1" private/)" = "drwx------ 1000/1000" ] ||
  { cat "$WORK/layers1"; fail "/private in the layer: '$(entry "$WORK/layers1" private/)', want drwx------ 1000/1000"; }
[ "$(entry "$WORK/layers1" private/f)" = "-rw------- 1000/1000" ] ||
  fail "/private/f in the layer: '$(entry "$WORK/layers1" private/f)', want -rw------- 1000/1000"
[ "$(entry "$WORK/layers1" c | cut -d' ' -f2)" = "1000/1000" ] ||
  fail "COPY --chown=1000:1000 gave '$(entry "$WORK/layers1" c)'"
# Overlayfs in a user namespace marks deletions with user.overlay.* xattrs: still tar whiteouts.
grep -q ' \.wh\.gone$' "$WORK/layers1" || { cat "$WORK/layers1"; fail "no whiteout for /gone"; }
grep -q ' opq/\.wh\.\.wh\.\.opq$' "$WORK/layers1" || { cat "$WORK/layers1"; fail "/opq is not opaque in the layer"; }
note "a/b: 0700 dir and COPY --chown recorded as 1000:1000, USER app runs as 1000 with group 2000, deletions are whiteouts"

# (c) The same build again is fully cached with the same image; a build FROM it unpacks the
# 1000-owned layers and reads /private/f as uid 1000.
ubuild "$WORK/log2" -t subids:test "$HOME_DIR/ctx"
[ "$(cat "$WORK/id")" = "$id1" ] || fail "the rebuild gave $(cat "$WORK/id"), want $id1"
[ "$(grep -c CACHED "$WORK/log2")" = 5 ] || { cat "$WORK/log2"; fail "the rebuild is not fully cached"; }
ubuild "$WORK/log3" -t subids:from -f "$HOME_DIR/ctx/Dockerfile.from" "$HOME_DIR/ctx"
run_lines "$WORK/log3" | grep -qx "from-uid 1000 read s new new" || { cat "$WORK/log3"; fail "FROM the result: uid 1000 cannot read /private/f"; }
grep -q "ownership not preserved" "$WORK/log3" && { cat "$WORK/log3"; fail "unpacking the result lost owners"; }
run_lines "$WORK/log3" | grep -qx DELETED-VISIBLE && { cat "$WORK/log3"; fail "unpacking the result brought back deleted files"; }
note "c: rebuild fully cached ($id1), FROM it reads /private/f as 1000"

# (d) On the host the unpacked /private belongs to the subordinate ids, not the user; rmi and
# prune remove every snapshot and layer dir anyway.
owners=$(find "$STORE/snapshots" -mindepth 2 -maxdepth 2 -name private -exec stat -c %u:%g {} \; | sort -u)
[ -n "$owners" ] || fail "no unpacked /private in $STORE/snapshots"
[ "$owners" = "$((SUBUID + 999)):$((SUBGID + 999))" ] ||
  fail "the unpacked /private is owned by host $owners, want $((SUBUID + 999)):$((SUBGID + 999))"
bu rmi subids:from subids:test busybox:latest >/dev/null 2>"$WORK/log" || { cat "$WORK/log"; fail "rmi as $SUBID_USER"; }
bu prune -a -f >/dev/null 2>"$WORK/log" || { cat "$WORK/log"; fail "prune as $SUBID_USER"; }
left=$(find "$STORE/snapshots" "$STORE/diffs" -mindepth 1 -maxdepth 1 2>/dev/null)
[ -z "$left" ] || fail "prune left: $left"
foreign=$(find "$STORE" ! -user "$SUBID_UID" | head -3)
[ -z "$foreign" ] || fail "after prune the store still holds files of other owners: $foreign"
note "d: /private on the host is $owners; rmi + prune left nothing"

# Signals reach the re-executed builder: SIGTERM to the launcher ends the builder it waits
# for (without forwarding that one would go on building), and the launcher exits 128+15.
printf 'FROM busybox\nRUN echo sleeping; sleep 20\n' >"$HOME_DIR/ctx/Dockerfile.sleep"
chown "$SUBID_UID:$SUBID_GID" "$HOME_DIR/ctx/Dockerfile.sleep"
bu import -c 'CMD ["sh"]' "$HOME_DIR/rootfs.tar" busybox:latest >/dev/null 2>&1 || fail "re-import"
# A simple command, not the as_subid_user function: $! must be the launcher, not a subshell.
setpriv --reuid="$SUBID_UID" --regid="$SUBID_GID" --init-groups env -i PATH="$PATH" HOME="$HOME_DIR" \
  "$BIN" build --progress plain --no-cache -f "$HOME_DIR/ctx/Dockerfile.sleep" "$HOME_DIR/ctx" \
  >/dev/null 2>"$WORK/log-sleep" &
launcher=$!
for _ in $(seq 600); do grep -q sleeping "$WORK/log-sleep" && break; sleep 0.1; done
grep -q sleeping "$WORK/log-sleep" || { kill -KILL "$launcher"; cat "$WORK/log-sleep"; fail "the sleeping RUN never started"; }
inner=$(pgrep -P "$launcher")
[ -n "$inner" ] || { kill -KILL "$launcher"; fail "the launcher has no child builder"; }
kill -TERM "$launcher"
wait "$launcher"
rc=$?
[ "$rc" = 143 ] || { cat "$WORK/log-sleep"; fail "SIGTERM to the launcher: exit $rc, want 143"; }
kill -0 "$inner" 2>/dev/null && { kill -KILL "$inner"; fail "the re-executed builder outlived its launcher"; }
# A launcher killed outright (nothing to forward) takes the re-executed builder with it.
setpriv --reuid="$SUBID_UID" --regid="$SUBID_GID" --init-groups env -i PATH="$PATH" HOME="$HOME_DIR" \
  "$BIN" build --progress plain --no-cache -f "$HOME_DIR/ctx/Dockerfile.sleep" "$HOME_DIR/ctx" \
  >/dev/null 2>"$WORK/log-sleep" &
launcher=$!
for _ in $(seq 600); do grep -q sleeping "$WORK/log-sleep" && break; sleep 0.1; done
grep -q sleeping "$WORK/log-sleep" || { kill -KILL "$launcher"; cat "$WORK/log-sleep"; fail "the second sleeping RUN never started"; }
inner=$(pgrep -P "$launcher")
[ -n "$inner" ] || { kill -KILL "$launcher"; fail "the launcher has no child builder"; }
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
for _ in $(seq 100); do kill -0 "$inner" 2>/dev/null || break; sleep 0.1; done
kill -0 "$inner" 2>/dev/null && { kill -KILL "$inner"; fail "the re-executed builder outlived a SIGKILLed launcher"; }
note "signals: SIGTERM forwarded (launcher exited 143 after its child); SIGKILL takes the child too"

# Helpers that refuse the ranges: builder warns and goes on without the namespace, as before.
mkdir -p "$HOME_DIR/fakebin"
for h in newuidmap newgidmap; do printf '#!/bin/sh\necho "%s: refused" >&2\nexit 1\n' "$h" >"$HOME_DIR/fakebin/$h"; done
chmod 755 "$HOME_DIR/fakebin"/*
as_subid_user env PATH="$HOME_DIR/fakebin:$PATH" "$BIN" images >/dev/null 2>"$WORK/log-fake" ||
  { cat "$WORK/log-fake"; fail "images failed when newuidmap refuses"; }
grep -q "warning: cannot enter a user namespace.*newuidmap: refused" "$WORK/log-fake" ||
  { cat "$WORK/log-fake"; fail "no warning when newuidmap refuses"; }
note "refused helpers: warning, then the command runs without the namespace"

# (e) Without ranges the same user builds as before: a single-id map, root-only files.
{ flock 9; subid_drop_ranges; } 9>"$SUBID_LOCK"
printf 'FROM busybox\nCOPY file /f\nRUN echo "map $(busybox head -1 /proc/self/uid_map | busybox tr -s " " | busybox sed "s/^ //")"; echo made > /made\n' \
  >"$HOME_DIR/ctx/Dockerfile.single"
chown "$SUBID_UID:$SUBID_GID" "$HOME_DIR/ctx/Dockerfile.single"
ubuild "$WORK/log4" -t single:test -f "$HOME_DIR/ctx/Dockerfile.single" "$HOME_DIR/ctx"
run_lines "$WORK/log4" | grep -qx "map 0 $SUBID_UID 1" || { cat "$WORK/log4"; fail "without ranges the RUN's map is not the single id"; }
layer_list single:test >"$WORK/layers4"
[ "$(entry "$WORK/layers4" made | cut -d' ' -f2)" = "0/0" ] || fail "without ranges /made is '$(entry "$WORK/layers4" made)'"
note "e: without ranges: single-id map, root-owned layer"
note ok

#!/bin/bash
# The image commands over a store filled by umoci (the store is an OCI layout, so umoci writes
# into it directly): images (table, -q, --no-trunc, --digests, --format json/template, filter),
# tag, inspect, history, rmi, prune, debug fsck, debug unpack.
# Usage: images_cli.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
need_tool umoci
need_tool skopeo
need_tool jq
export BUILDER_ROOT="$WORK/store"
S=$BUILDER_ROOT

b images >"$WORK/empty.txt"   # creates the layout
[ "$(cat "$WORK/empty.txt")" = "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ] ||
  fail "empty listing: $(cat "$WORK/empty.txt")"

# Two images, written by umoci under their full normalized names.
make_image() {  # make_image REF FILE-CONTENT
  umoci new --image "$S:$1" >/dev/null || fail "umoci new $1"
  umoci unpack --rootless --image "$S:$1" "$WORK/bundle" >/dev/null || fail "umoci unpack $1"
  mkdir -p "$WORK/bundle/rootfs/etc" "$WORK/bundle/rootfs/bin"
  echo "$2" >"$WORK/bundle/rootfs/etc/content"
  head -c 100000 /dev/urandom >"$WORK/bundle/rootfs/bin/data"
  ln -s ../etc/content "$WORK/bundle/rootfs/bin/link"
  umoci repack --image "$S:$1" "$WORK/bundle" >/dev/null || fail "umoci repack $1"
  umoci config --image "$S:$1" --config.cmd /bin/sh --history.created_by "CMD /bin/sh" >/dev/null ||
    fail "umoci config $1"
  rm -rf "$WORK/bundle-$2" && mv "$WORK/bundle" "$WORK/bundle-$2"
}
make_image docker.io/library/app:1.0 app
make_image example.com/team/tool:2 tool
b debug fsck >/dev/null

b images >"$WORK/images.txt"
head -1 "$WORK/images.txt" | grep -Eq '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' ||
  fail "header: $(head -1 "$WORK/images.txt")"
grep -Eq '^app +1\.0 +[0-9a-f]{12} +.* ago +[0-9.]+kB$' "$WORK/images.txt" ||
  { cat "$WORK/images.txt"; fail "app:1.0 row"; }
grep -Eq '^example\.com/team/tool +2 +[0-9a-f]{12} ' "$WORK/images.txt" ||
  { cat "$WORK/images.txt"; fail "tool row"; }
[ "$(b images -q | wc -l)" = 2 ] || fail "images -q"
app_id=$(b images --no-trunc -q app)
echo "$app_id" | grep -Eq '^sha256:[0-9a-f]{64}$' || fail "--no-trunc -q gave '$app_id'"
app_digest=$(b images --digests --format '{{.Digest}}' app:1.0)
echo "$app_digest" | grep -Eq '^sha256:[0-9a-f]{64}$' || fail "--digests --format gave '$app_digest'"
[ "$app_digest" = "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="docker.io/library/app:1.0") | .digest' "$S/index.json")" ] ||
  fail "digest column is not the manifest digest"
b images --digests | grep -q "$app_digest" || fail "--digests lacks the DIGEST column"
[ "$(b images --format '{{.Repository}}:{{.Tag}}\t{{.ID}}' app)" = "app:1.0	${app_id:7:12}" ] ||
  fail "template output: $(b images --format '{{.Repository}}:{{.Tag}}\t{{.ID}}' app)"
b images --format json >"$WORK/images.json"
[ "$(jq -s 'length' "$WORK/images.json")" = 2 ] || fail "--format json lines"
[ "$(jq -r 'select(.Repository=="app") | .ID' "$WORK/images.json")" = "${app_id:7:12}" ] ||
  fail "--format json ID"
for key in Repository Tag ID Digest CreatedAt CreatedSince Size; do
  jq -e "has(\"$key\")" "$WORK/images.json" >/dev/null || fail "--format json lacks $key"
done
[ "$(b images 'example.com/*/tool' -q | wc -l)" = 1 ] || fail "glob filter"
[ "$(b images nothing -q | wc -l)" = 0 ] || fail "filter without match"
"$BUILDER" images --format '{{.Nope}}' >/dev/null 2>&1 && fail "unknown template field accepted"

# tag: familiar and full names; skopeo reads the new tag from index.json.
b tag app:1.0 app:copy
b tag "${app_id:7:6}" registry.local:5000/x/app
grep -q '"docker.io/library/app:copy"' "$S/index.json" || fail "tag not stored as the full name"
skopeo inspect "oci:$S:docker.io/library/app:copy" >/dev/null || fail "skopeo cannot find app:copy"
skopeo inspect "oci:$S:registry.local:5000/x/app:latest" >/dev/null || fail "skopeo cannot find x/app"
"$BUILDER" tag nothing:1 y:1 2>"$WORK/err" && fail "tag of a missing image succeeded"
grep -q 'No such image: nothing:1' "$WORK/err" || fail "tag error: $(cat "$WORK/err")"

# inspect
b inspect app:1.0 "$app_id" >"$WORK/inspect.json"
[ "$(jq length "$WORK/inspect.json")" = 2 ] || fail "inspect of two names"
[ "$(jq -r '.[0].Id' "$WORK/inspect.json")" = "$app_id" ] || fail "inspect Id"
jq -e '.[0].RepoTags | index("app:1.0") and index("app:copy")' "$WORK/inspect.json" >/dev/null ||
  fail "inspect RepoTags: $(jq -c '.[0].RepoTags' "$WORK/inspect.json")"
[ "$(jq -r '.[0].RepoDigests[0]' "$WORK/inspect.json")" = "app@$app_digest" ] || fail "RepoDigests"
[ "$(jq -c '.[0].Config.Cmd' "$WORK/inspect.json")" = '["/bin/sh"]' ] || fail "inspect Config"
[ "$(jq -r '.[0].RootFS.Type' "$WORK/inspect.json")" = layers ] || fail "inspect RootFS"
[ "$(jq -r '.[0].Os + "/" + .[0].Architecture' "$WORK/inspect.json")" = "linux/$(jq -r .architecture <(skopeo inspect --config "oci:$S:docker.io/library/app:1.0"))" ] ||
  fail "inspect Os/Architecture"
"$BUILDER" inspect app:1.0 missing:1 >"$WORK/partial.json" 2>/dev/null && fail "inspect of a missing image succeeded"
[ "$(jq length "$WORK/partial.json")" = 1 ] || fail "inspect prints the images it found"

# history: newest first, the top row carries the id.
b history app:1.0 >"$WORK/history.txt"
head -1 "$WORK/history.txt" | grep -Eq '^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$' ||
  fail "history header: $(head -1 "$WORK/history.txt")"
sed -n 2p "$WORK/history.txt" | grep -q "^${app_id:7:12} .*CMD /bin/sh" || fail "history top row"
sed -n 3p "$WORK/history.txt" | grep -Eq '^<missing> .* [0-9.]+kB' || fail "history layer row"
[ "$(b history -q app:1.0 | head -1)" = "${app_id:7:12}" ] || fail "history -q"

# debug unpack gives the tree umoci packed.
b debug unpack app:1.0 "$WORK/unpacked"
diff <(tree_listing "$WORK/bundle-app/rootfs" | sed 's/ [0-9]* [0-9]* / /') \
     <(tree_listing "$WORK/unpacked" | sed 's/ [0-9]* [0-9]* / /') || fail "unpacked tree differs"

# rmi: by tag untags; an id in several repositories needs -f; the last tag deletes.
[ "$(b rmi app:copy)" = "Untagged: app:copy" ] || fail "rmi by tag"
"$BUILDER" rmi "${app_id:7:12}" >/dev/null 2>"$WORK/err" && fail "rmi of a multi-repo id without -f"
grep -q 'must be forced' "$WORK/err" || fail "rmi conflict message: $(cat "$WORK/err")"
b rmi -f "${app_id:7:12}" >"$WORK/rmi.txt"
grep -qx 'Untagged: app:1.0' "$WORK/rmi.txt" && grep -qx "Deleted: $app_id" "$WORK/rmi.txt" ||
  fail "rmi -f output: $(cat "$WORK/rmi.txt")"
[ "$(b images -q | wc -l)" = 1 ] || fail "app still listed after rmi"
"$BUILDER" rmi app:1.0 2>/dev/null && fail "rmi of a removed tag succeeded"

# prune frees the removed image's blobs (and umoci's superseded ones), keeps the rest.
b prune >"$WORK/prune.txt"
grep -Eq '^Deleted blobs: [1-9][0-9]*, snapshots: 0$' "$WORK/prune.txt" || fail "prune: $(cat "$WORK/prune.txt")"
grep -Eq '^Total reclaimed space: [0-9.]+kB$' "$WORK/prune.txt" || fail "prune total"
b debug fsck >"$WORK/fsck.txt"
grep -q '^store ok: 3 blobs, 1 images$' "$WORK/fsck.txt" || fail "fsck after prune: $(cat "$WORK/fsck.txt")"
[ "$(b prune | head -1)" = "Deleted blobs: 0, snapshots: 0" ] || fail "second prune deleted something"
skopeo inspect "oci:$S:example.com/team/tool:2" >/dev/null || fail "tool unreadable after prune"

# fsck finds a damaged blob and exits 1.
layer=$(jq -r '.layers[0].digest' "$S/blobs/sha256/$(b images --digests --format '{{.Digest}}' example.com/team/tool:2 | cut -d: -f2)")
chmod u+w "$S/blobs/sha256/${layer#sha256:}"
printf 'X' | dd of="$S/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
"$BUILDER" debug fsck >"$WORK/fsck.txt" 2>&1 && fail "fsck missed a corrupt layer"
grep -q "$layer" "$WORK/fsck.txt" || fail "fsck does not name the corrupt blob: $(cat "$WORK/fsck.txt")"
"$BUILDER" debug unpack example.com/team/tool:2 "$WORK/bad" 2>/dev/null && fail "unpack of a corrupt layer succeeded"
note "ok"

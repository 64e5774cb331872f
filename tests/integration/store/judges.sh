#!/bin/bash
# Independent judges read what builder writes and builder reads what they write:
# import -> oci-image-tool validate, skopeo inspect, umoci unpack; save -> skopeo copy
# docker-archive / oci-archive; skopeo- and umoci-written images -> builder load, same tree.
# Usage: judges.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
need_tool skopeo
need_tool umoci
need_tool oci-image-tool
export BUILDER_ROOT="$WORK/store"
export SOURCE_DATE_EPOCH=946684800
make_rootfs_tar "$WORK/rootfs.tar"

b import --change 'CMD ["/bin/sh"]' "$WORK/rootfs.tar" busybox:judge >/dev/null
# (--type imageLayout is unimplemented in oci-image-tool 1.0.0-rc1; "image" autodetects a layout)
oci-image-tool validate --type image "$BUILDER_ROOT" >"$WORK/validate.log" 2>&1 ||
  { cat "$WORK/validate.log" >&2; fail "oci-image-tool rejects the store"; }
ref=docker.io/library/busybox:judge
skopeo inspect "oci:$BUILDER_ROOT:$ref" >"$WORK/inspect.json" || fail "skopeo inspect of $ref"
grep -q '"Architecture"' "$WORK/inspect.json" || fail "skopeo inspect output lacks Architecture"
[ "$(skopeo inspect --config "oci:$BUILDER_ROOT:$ref" | jq -c .config.Cmd)" = '["/bin/sh"]' ] ||
  fail "CMD from --change not in the config"

# umoci unpacks what builder wrote: the tree matches the rootfs we imported.
mkdir -p "$WORK/src-tree" && tar -C "$WORK/src-tree" -xf "$WORK/rootfs.tar"
cp -r "$BUILDER_ROOT" "$WORK/layout-copy"  # umoci may write to the layout; keep ours pristine
umoci unpack --rootless --image "$WORK/layout-copy:$ref" "$WORK/bundle" >/dev/null ||
  fail "umoci unpack"
diff <(tree_listing "$WORK/src-tree" | sed 's/ [0-9]* [0-9]* / /') \
     <(tree_listing "$WORK/bundle/rootfs" | sed 's/ [0-9]* [0-9]* / /') || fail "umoci tree differs"

# save: one tar that is a docker archive and an OCI archive at once.
b save -o "$WORK/saved.tar" busybox:judge
skopeo copy "docker-archive:$WORK/saved.tar" "oci:$WORK/from-docker:x" >/dev/null ||
  fail "skopeo cannot read the save output as docker-archive"
# As Docker 25+ writes it, ref.name holds the tag and io.containerd.image.name the full name,
# so skopeo addresses the image by its tag.
skopeo copy "oci-archive:$WORK/saved.tar:judge" "oci:$WORK/from-oci:x" >/dev/null ||
  fail "skopeo cannot read the save output as oci-archive (by tag)"
skopeo copy "oci-archive:$WORK/saved.tar" "oci:$WORK/from-oci-only:x" >/dev/null ||
  fail "skopeo cannot read the save output as oci-archive"

# Conversely: what skopeo and umoci write, builder loads, and the tree is the same.
umoci init --layout "$WORK/umoci" >/dev/null
umoci new --image "$WORK/umoci:u" >/dev/null
umoci unpack --rootless --image "$WORK/umoci:u" "$WORK/ubundle" >/dev/null
rm -rf "$WORK/ubundle/rootfs" && mkdir "$WORK/ubundle/rootfs" && tar -C "$WORK/ubundle/rootfs" -xf "$WORK/rootfs.tar"
umoci repack --image "$WORK/umoci:u" "$WORK/ubundle" >/dev/null || fail "umoci repack"
export BUILDER_ROOT="$WORK/store2"
b load -i "$WORK/umoci" >/dev/null
skopeo copy "oci:$WORK/umoci:u" "docker-archive:$WORK/skopeo-docker.tar:skopeo/img:1" >/dev/null
b load -i "$WORK/skopeo-docker.tar" >/dev/null
skopeo copy "oci:$WORK/umoci:u" "oci-archive:$WORK/skopeo-oci.tar:skopeo/oci:1" >/dev/null
b load -i "$WORK/skopeo-oci.tar" >/dev/null
b images >"$WORK/images.txt"
grep -q '^skopeo/img  *1 ' "$WORK/images.txt" || { cat "$WORK/images.txt"; fail "docker-archive from skopeo not listed"; }
for img in skopeo/img:1 skopeo/oci:1; do
  b debug unpack "$img" "$WORK/unpacked-${img//[\/:]/_}" >/dev/null
  diff <(tree_listing "$WORK/src-tree" | sed 's/ [0-9]* [0-9]* / /') \
       <(tree_listing "$WORK/unpacked-${img//[\/:]/_}" | sed 's/ [0-9]* [0-9]* / /') ||
    fail "tree of $img differs from the rootfs"
done
b debug fsck >/dev/null
note "ok"

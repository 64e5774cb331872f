#!/bin/bash
# The same rootfs imported into two separate stores with SOURCE_DATE_EPOCH gives the same image
# digest, for gzip and for zstd; different epochs give different digests.
# Usage: determinism.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
make_rootfs_tar "$WORK/rootfs.tar"

import_id() {  # import_id STORE COMPRESSION EPOCH -> manifest digest of the import
  BUILDER_ROOT="$WORK/$1" SOURCE_DATE_EPOCH=$3 \
    "$BUILDER" import --compression "$2" "$WORK/rootfs.tar" det:1 >/dev/null || fail "import into $1"
  BUILDER_ROOT="$WORK/$1" "$BUILDER" images --digests --format '{{.Digest}}' det:1 ||
    fail "images --digests in $1"
}
for c in gzip zstd; do
  a=$(import_id "a-$c" "$c" 946684800)
  bb=$(import_id "b-$c" "$c" 946684800)
  other=$(import_id "c-$c" "$c" 978307200)
  [ -n "$a" ] && [ "$a" = "$bb" ] || fail "$c: digests differ between stores: $a vs $bb"
  [ "$a" != "$other" ] || fail "$c: a different SOURCE_DATE_EPOCH gave the same digest"
  note "$c: $a"
done

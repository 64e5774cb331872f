#!/bin/bash
# A real distribution through `builder build`: a Debian bookworm minbase made by debootstrap
# (from the mirror apt already uses), imported, then `apt-get update && apt-get install hello` in
# a RUN; the layer holds /usr/bin/hello and `builder debug run` prints its greeting.
# Needs root and the network; skips with the reason otherwise. BUILDER_DEBIAN_MIRROR overrides
# the mirror, BUILDER_DEBOOTSTRAP_CACHE (an absolute dir) keeps the downloaded .debs between runs.
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap and the sandbox)"
need_tool debootstrap
need_tool jq
SUITE=bookworm

# The first Debian archive (not -security, not a third-party repository) apt is configured with,
# from one-line .list files or deb822 .sources files.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i+1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # Paragraphs are blank-line separated; keep the URIs of one whose Suites name the suite.
    awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; hit = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uris = $i }
          if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) hit = 1 }
        }
        if (hit && uris != "") { split(uris, u, /[ \t]+/); print u[1] } }' "$f"
  done
}
MIRROR=${BUILDER_DEBIAN_MIRROR:-$(apt_mirror | grep -m1 '/debian/\?$')}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
note "mirror $MIRROR"
if command -v curl >/dev/null 2>&1; then
  curl -fsS -m 20 -o /dev/null "$MIRROR/dists/$SUITE/Release" 2>"$WORK/curl.log" ||
    skip "mirror unreachable (no network?): $MIRROR: $(tail -1 "$WORK/curl.log")"
fi

secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(secs)" 'BEGIN { printf "%.1f s", b - a }'; }

t=$(secs)
cache_args=()
if [ -n "${BUILDER_DEBOOTSTRAP_CACHE:-}" ]; then
  mkdir -p "$BUILDER_DEBOOTSTRAP_CACHE" && cache_args=(--cache-dir="$BUILDER_DEBOOTSTRAP_CACHE")
fi
debootstrap --variant=minbase "${cache_args[@]}" "$SUITE" "$WORK/debian" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  skip "debootstrap $SUITE from $MIRROR failed: $(tail -3 "$WORK/debootstrap.log" | tr '\n' ' ')"
note "debootstrap: $(elapsed "$t")"

export BUILDER_ROOT="$WORK/store"
t=$(secs)
tar -C "$WORK/debian" --numeric-owner -cf "$WORK/debian.tar" . || fail "tar of the debootstrap tree"
rm -rf "$WORK/debian"
b import "$WORK/debian.tar" "debian:$SUITE-builder-test" >/dev/null 2>&1
rm -f "$WORK/debian.tar"
note "tar + import: $(elapsed "$t")"

CTX="$WORK/ctx"
mkdir -p "$CTX"
cat >"$CTX/Dockerfile" <<DF
FROM debian:$SUITE-builder-test
RUN apt-get update && apt-get install -y --no-install-recommends hello
CMD ["hello"]
DF
t=$(secs)
"$BUILDER" build --progress plain -t hello:debian "$CTX" >/dev/null 2>"$WORK/log" ||
  { cat "$WORK/log" >&2; fail "the apt-get build failed"; }
note "build (apt-get update + install): $(elapsed "$t")"

# The RUN's layer (the manifest's last) holds the binary.
manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "docker.io/library/hello:debian") | .digest' \
  "$BUILDER_ROOT/index.json")
[ -n "$manifest" ] || fail "hello:debian is not in index.json"
layer=$(jq -r '.layers[-1].digest' "$BUILDER_ROOT/blobs/sha256/${manifest#sha256:}")
count=$(jq '.layers | length' "$BUILDER_ROOT/blobs/sha256/${manifest#sha256:}")
[ "$count" = 2 ] || fail "hello:debian has $count layers, want 2 (base + RUN)"
tar -tvf "$BUILDER_ROOT/blobs/sha256/${layer#sha256:}" --numeric-owner >"$WORK/layer.txt" || fail "list the RUN layer"
grep -Eq '^-rwxr-xr-x 0/0 .* (\./)?usr/bin/hello$' "$WORK/layer.txt" || { grep hello "$WORK/layer.txt"; fail "the RUN layer lacks usr/bin/hello (root-owned, 0755)"; }

t=$(secs)
out=$("$BUILDER" debug run hello:debian 2>"$WORK/run.log") || { cat "$WORK/run.log" >&2; fail "debug run failed"; }
[ "$out" = "Hello, world!" ] || fail "hello printed '$out'"
note "debug run: $(elapsed "$t"): $out"
note ok

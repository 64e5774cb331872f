#!/bin/bash
# A real distribution through `builder build`: a Debian bookworm minbase made by debootstrap
# (from the mirror apt already uses), imported, then `apt-get update && apt-get install hello` in
# a RUN; the layer holds /usr/bin/hello and `builder debug run` prints its greeting. Then the
# same build by a throw-away user with /etc/subuid ranges, where apt works as _apt (uid 42).
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
note "tar + import: $(elapsed "$t")"

CTX="$WORK/ctx"
mkdir -p "$CTX"
cat >"$CTX/Dockerfile" <<DF
FROM debian:$SUITE-builder-test
RUN apt-get update && apt-get install -y --no-install-recommends hello
CMD ["hello"]
DF
t=$(secs)
"$BUILDER" build --progress plain --network host -t hello:debian "$CTX" >/dev/null 2>"$WORK/log" ||
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

# Rootless over subordinate ids (builder re-executes itself in a user namespace over them):
# apt downloads as _apt and leaves 0700 dirs of uid 42, which the host user alone could not
# read into the layer.
chmod 755 "$WORK"
if subid_user_setup "$WORK/home" 400000 500000; then
  cp "$WORK/debian.tar" "$CTX/Dockerfile" "$SUBID_HOME/"
  bin="$BUILDER"
  as_subid_user test -x "$bin" || { cp "$BUILDER" "$SUBID_HOME/builder"; bin="$SUBID_HOME/builder"; }
  mkdir -p "$SUBID_HOME/ctx" && mv "$SUBID_HOME/Dockerfile" "$SUBID_HOME/ctx/"
  chown -R "$SUBID_UID:$SUBID_GID" "$SUBID_HOME"
  t=$(secs)
  as_subid_user "$bin" import "$SUBID_HOME/debian.tar" "debian:$SUITE-builder-test" >/dev/null 2>"$WORK/log" ||
    { cat "$WORK/log" >&2; fail "import as $SUBID_USER"; }
  # The host's network, as the root build above: a rootless RUN's default is pasta, which needs
  # /dev/net/tun open to the user (0600 on some hosts); isolation has tests of its own.
  as_subid_user "$bin" build --progress plain --network host -t hello:debian "$SUBID_HOME/ctx" >/dev/null 2>"$WORK/log" ||
    { cat "$WORK/log" >&2; fail "the apt-get build as $SUBID_USER failed"; }
  grep -q "unsandboxed" "$WORK/log" && { cat "$WORK/log" >&2; fail "apt did not drop to _apt"; }
  as_subid_user "$bin" save hello:debian >"$WORK/subid.tar" || fail "save as $SUBID_USER"
  mkdir -p "$WORK/subid" && tar -C "$WORK/subid" -xf "$WORK/subid.tar" || fail "untar the saved image"
  for blob in "$WORK"/subid/blobs/sha256/*; do
    (gzip -dc "$blob" 2>/dev/null || cat "$blob") | tar -tv --numeric-owner 2>/dev/null
  done >"$WORK/subid-layers.txt"
  grep -Eq '^drwx------ 42/0 .* (\./)?var/lib/apt/lists/partial/$' "$WORK/subid-layers.txt" ||
    { grep partial "$WORK/subid-layers.txt"; fail "as $SUBID_USER the layer lacks _apt's 0700 lists/partial"; }
  out=$(as_subid_user "$bin" debug run hello:debian 2>"$WORK/run.log") || { cat "$WORK/run.log" >&2; fail "debug run as $SUBID_USER"; }
  [ "$out" = "Hello, world!" ] || fail "as $SUBID_USER hello printed '$out'"
  note "as $SUBID_USER with subordinate ids: import + build + run $(elapsed "$t"), _apt's dirs kept as 42/0"
else
  note "the part with subordinate ids is skipped: $SUBID_SKIP"
fi
note ok

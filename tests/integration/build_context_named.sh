#!/bin/bash
# --build-context NAME=...: a local directory (COPY --from, RUN --mount from=, FROM), an image
# (docker-image://, replacing a FROM image and a stage of that name, whose steps then never run)
# and an OCI layout (oci-layout://PATH:TAG, judged against skopeo's copy of an image); a changed
# directory misses the cache, an unchanged one hits it.
# Usage: build_context_named.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need_tool busybox
export BUILDER_ROOT="$WORK/store"
make_rootfs_tar "$WORK/rootfs.tar"
b import -c 'CMD ["sh"]' "$WORK/rootfs.tar" busybox:latest >/dev/null
ctx="$WORK/ctx"
mkdir -p "$ctx"

# A second image, "other", that says who it is.
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN echo other-image > /which
DF
b build --network none -q -t other:1 "$ctx" >/dev/null

# 1. A local directory as COPY --from, RUN --mount from= and FROM.
mkdir -p "$WORK/extra/sub"
echo from-dir >"$WORK/extra/file"
echo deep >"$WORK/extra/sub/deep"
echo ignored >"$WORK/extra/skipped.log"
echo '*.log' >"$WORK/extra/.dockerignore"
cat >"$ctx/Dockerfile" <<'DF'
FROM extra AS rootfs
FROM busybox
COPY --from=extra file /copied
RUN --mount=from=extra,target=/m cat /m/sub/deep > /mounted && test ! -e /m/skipped.log
COPY --from=rootfs /sub/deep /from-stage
COPY --from=extra . /all/
DF
b build --network none --progress plain --build-context "extra=$WORK/extra" -t dir:1 "$ctx" >"$WORK/dir.out" 2>&1
[ "$(b run --rm --network none dir:1 cat /copied)" = from-dir ] || fail "COPY --from=<dir context>"
[ "$(b run --rm --network none dir:1 cat /mounted)" = deep ] || fail "RUN --mount from=<dir context>"
[ "$(b run --rm --network none dir:1 cat /from-stage)" = deep ] || fail "FROM <dir context>"
b run --rm --network none dir:1 sh -c "test ! -e /all/skipped.log" || fail "the dir context's .dockerignore was not applied"
b run --rm --network none dir:1 sh -c "test -e /all/sub/deep" || fail "COPY --from=<dir context> . missed files"
echo other >"$WORK/extra/skipped.log"  # ignored: no miss
b build --network none --progress plain --build-context "extra=$WORK/extra" -t dir:2 "$ctx" >"$WORK/dir2.out" 2>&1
[ "$(grep -c CACHED "$WORK/dir2.out")" -ge 4 ] || { cat "$WORK/dir2.out"; fail "an unchanged dir context missed the cache"; }
echo changed >"$WORK/extra/sub/deep"
b build --network none --progress plain --build-context "extra=$WORK/extra" -t dir:3 "$ctx" >"$WORK/dir3.out" 2>&1
[ "$(b run --rm --network none dir:3 cat /mounted)" = changed ] || fail "a changed dir context was not seen by RUN --mount"
[ "$(b run --rm --network none dir:3 cat /from-stage)" = changed ] || fail "a changed dir context was not seen by FROM"
# Without the flag the name is an image again (and there is none).
"$BUILDER" build --network none -q "$ctx" >/dev/null 2>&1 && fail "FROM extra built without --build-context"

# 2. docker-image://: replaces a FROM image, and a stage of that name (its RUN never runs).
cat >"$ctx/Dockerfile" <<'DF'
FROM busybox AS base
RUN echo stage-ran > /which
FROM alpine
COPY --from=base /which /which
RUN --mount=from=base,target=/b cp /b/which /mounted-which
DF
b build --network none --progress plain --build-context base=docker-image://other:1 \
  --build-context alpine=docker-image://busybox -t img:1 "$ctx" >"$WORK/img.out" 2>&1
[ "$(b run --rm --network none img:1 cat /which)" = other-image ] || fail "COPY --from=<stage replaced by an image>"
[ "$(b run --rm --network none img:1 cat /mounted-which)" = other-image ] || fail "RUN --mount from=<replaced stage>"
grep -q "echo stage-ran" "$WORK/img.out" && fail "the replaced stage ran"
# alpine is in no store here: the build got busybox instead.
grep -q "FROM docker.io/library/busybox" "$WORK/img.out" || { cat "$WORK/img.out"; fail "FROM alpine did not become busybox"; }

# 3. oci-layout://PATH:TAG (skopeo writes the layout).
if command -v skopeo >/dev/null; then
  skopeo copy -q "oci:$BUILDER_ROOT:docker.io/library/other:1" "oci:$WORK/layout:v7" || fail "skopeo copy to a layout"
  cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
COPY --from=lay /which /which
DF
  b build --network none --progress plain --build-context "lay=oci-layout://$WORK/layout:v7" -t lay:1 "$ctx" >"$WORK/lay.out" 2>&1
  [ "$(b run --rm --network none lay:1 cat /which)" = other-image ] || fail "COPY --from=<oci-layout context>"
  cat >"$ctx/Dockerfile" <<'DF'
FROM lay
RUN cat /which > /seen
DF
  b build --network none -q --build-context "lay=oci-layout://$WORK/layout:v7" -t lay:2 "$ctx" >/dev/null
  [ "$(b run --rm --network none lay:2 cat /seen)" = other-image ] || fail "FROM <oci-layout context>"
  "$BUILDER" build --network none -q --build-context "lay=oci-layout://$WORK/layout:nosuch" "$ctx" >"$WORK/nosuch.out" 2>&1 &&
    fail "a missing layout tag built"
  grep -q "builder: error: --build-context lay: oci-layout .*no image tagged nosuch" "$WORK/nosuch.out" ||
    { cat "$WORK/nosuch.out"; fail "unclear error for a missing layout tag"; }
  # The layout's tags did not land in the store.
  b images >"$WORK/images.out"
  grep -q v7 "$WORK/images.out" && fail "the layout's tag was added to the store"
else
  note "skopeo missing: oci-layout:// part skipped"
fi
"$BUILDER" build --network none --build-context "x=https://example.invalid/repo.git" "$ctx" >"$WORK/bad.out" 2>&1 && fail "a URL context built"
grep -q "builder: error: --build-context x: unsupported source" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "unclear error"; }
note "ok"

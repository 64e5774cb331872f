# Assertions for testdata/dockerfiles/build-*/check.sh, sourced by build_cases.sh after a build.
# In scope: ROOTFS (the image unpacked by umoci), IMAGE_CONFIG (the config blob's path), LOG
# (build output), BUILDER, BUILDER_ROOT.

# Prints a field of the image config: cfg config.User, cfg history.3.created_by, cfg rootfs.diff_ids.#
cfg() {
  python3 - "$IMAGE_CONFIG" "$1" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for part in sys.argv[2].split('.'):
    if part == '#':
        v = len(v) if v is not None else 0
    elif isinstance(v, list):
        v = v[int(part)]
    elif isinstance(v, dict):
        v = v.get(part)
    else:
        v = None
print(v if isinstance(v, (str, int)) and not isinstance(v, bool) else json.dumps(v, sort_keys=True, separators=(',', ':')))
PY
}
expect_cfg() { local got; got=$(cfg "$1"); [ "$got" = "$2" ] || fail "config $1: got '$got', want '$2'"; }
# The content of a file in the rootfs (exact, trailing newline included via printf '%s').
expect_file() {
  [ -f "$ROOTFS$1" ] || fail "missing file $1"
  local got; got=$(cat "$ROOTFS$1")
  [ "$got" = "$2" ] || fail "content of $1: got '$got', want '$2'"
}
expect_absent() { [ ! -e "$ROOTFS$1" ] && [ ! -L "$ROOTFS$1" ] || fail "$1 should not exist"; }
expect_dir() { [ -d "$ROOTFS$1" ] && [ ! -L "$ROOTFS$1" ] || fail "$1 should be a directory"; }
expect_mode() { local got; got=$(stat -c '%a' "$ROOTFS$1") || fail "stat $1"; [ "$got" = "$2" ] || fail "mode of $1: got $got, want $2"; }
expect_owner() { local got; got=$(stat -c '%u:%g' "$ROOTFS$1") || fail "stat $1"; [ "$got" = "$2" ] || fail "owner of $1: got $got, want $2"; }
expect_link() {
  [ -L "$ROOTFS$1" ] || fail "$1 should be a symlink"
  local got; got=$(readlink "$ROOTFS$1"); [ "$got" = "$2" ] || fail "link $1: got '$got', want '$2'"
}
expect_log() { grep -qF -- "$1" "$LOG" || fail "build output lacks '$1'"; }
# The number of layers the build added on top of the base image.
expect_new_layers() {
  local got; got=$(( $(cfg rootfs.diff_ids.#) - BASE_LAYERS ))
  [ "$got" = "$1" ] || fail "new layers: got $got, want $1"
}

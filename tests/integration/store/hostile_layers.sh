#!/bin/bash
# Hostile layers are refused at the door: every case of testdata/hostile-layers/ that the
# unpacker refuses is refused by `import` and by `load` (as the top layer of a docker-archive
# over a layer holding lower-link -> ../canary-dir, as in the unpack test) with the unpacker's
# message naming the entry, and the store gains no blob; the cases the unpacker accepts load.
# Usage: hostile_layers.sh BUILDER
BUILDER=$1
. "$(dirname "$0")/../lib.sh"
need_tool python3
export BUILDER_ROOT="$WORK/store"
CASES="$(dirname "$0")/../../../testdata/hostile-layers"
[ -f "$CASES/expect.tsv" ] || fail "no $CASES/expect.tsv"

# import input: the tar as is, or lower-link's symlink first when the case writes through it.
# load input: a docker-archive of [base layer with lower-link, the case's layer].
python3 - "$CASES" "$WORK/in" <<'PY' || fail "could not prepare the inputs"
import gzip, hashlib, io, json, os, sys, tarfile
cases, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
def link_tar():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        info = tarfile.TarInfo("lower-link"); info.type = tarfile.SYMTYPE; info.linkname = "../canary-dir"
        tf.addfile(info)
    return buf.getvalue()
base = link_tar()
for line in open(os.path.join(cases, "expect.tsv")):
    name, comp = line.split("\t")[:2]
    raw = open(os.path.join(cases, name), "rb").read()
    plain = raw
    if comp == "gzip":
        try: plain = gzip.decompress(raw)
        except Exception: pass
    if comp == "zstd" and raw[4:6] == bytes([0, 7 << 3]):  # the generator's raw-block frames
        plain, i = b"", 6
        while i + 3 <= len(raw):
            h = int.from_bytes(raw[i:i + 3], "little"); size = h >> 3
            plain += raw[i + 3:i + 3 + size]; i += 3 + size
            if h & 1: break
    imp = raw
    if comp == "none" and b"lower-link" in raw:
        imp = base[:-1024] if base.endswith(b"\0" * 1024) else base
        imp = imp.rstrip(b"\0")
        imp += b"\0" * (-len(imp) % 512)
        imp += raw
    open(os.path.join(out, name + ".import"), "wb").write(imp)
    diff = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
    config = {"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": [diff(base), diff(plain)]}}
    cfg = json.dumps(config).encode()
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["hostile/" + name.split(".")[0] + ":1"],
                            "Layers": ["base/layer.tar", "top/layer.tar"]}]).encode()
    with tarfile.open(os.path.join(out, name + ".archive"), "w") as tf:
        for path, data in (("base/layer.tar", base), ("top/layer.tar", raw), ("config.json", cfg),
                           ("manifest.json", manifest)):
            info = tarfile.TarInfo(path); info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
PY

blobs() { find "$BUILDER_ROOT/blobs" -type f 2>/dev/null | wc -l; }
staged() { find "$BUILDER_ROOT/tmp" -mindepth 1 2>/dev/null | wc -l; }
b import "$WORK/in/absolute-names.tar.import" seed:1 >/dev/null  # a store with something in it

refused=0 accepted=0
while IFS=$'\t' read -r name comp digest want _; do
  case $name in
    digest-mismatch.tar.gz) continue ;;  # its wrong digest is the unpack test's declaration
  esac
  for via in import load; do
    before=$(blobs)
    if [ $via = import ]; then
      "$BUILDER" import "$WORK/in/$name.import" "hostile/$via:1" >"$WORK/out" 2>"$WORK/err"
    else
      "$BUILDER" load -i "$WORK/in/$name.archive" >"$WORK/out" 2>"$WORK/err"
    fi
    rc=$?
    if [ "$want" = ok ]; then
      [ $rc = 0 ] || fail "$via of $name (the unpacker accepts it) failed: $(cat "$WORK/err")"
      accepted=$((accepted + 1))
      continue
    fi
    [ $rc != 0 ] || fail "$via of hostile $name succeeded"
    grep -q '^builder: error: ' "$WORK/err" || fail "$via of $name: no builder error: $(cat "$WORK/err")"
    # A broken stream (not an entry) is worded by libarchive, whose words depend on the filters
    # it was opened with: only the refusal is checked.
    case "$want" in
      truncated*|Truncated*|header\ too\ large|Unrecognized*) ;;
      *) grep -qF -- "$want" "$WORK/err" || fail "$via of $name: error lacks '$want': $(cat "$WORK/err")" ;;
    esac
    [ "$(blobs)" = "$before" ] || fail "$via of $name left $(( $(blobs) - before )) new blob(s) in the store"
    [ "$(staged)" = 0 ] || fail "$via of $name left staging in tmp/: $(ls "$BUILDER_ROOT/tmp")"
    refused=$((refused + 1))
  done
done <"$CASES/expect.tsv"
[ $refused -ge 40 ] || fail "only $refused refusals checked"

# The refusal names the entry, as the unpacker's does.
"$BUILDER" import "$WORK/in/symlink-write-through.tar.import" 2>"$WORK/err" && fail "write-through imported"
grep -qF 'entry "evil/pwned"' "$WORK/err" || fail "error does not name the entry: $(cat "$WORK/err")"
"$BUILDER" load -i "$WORK/in/hardlink-outside.tar.archive" 2>"$WORK/err" && fail "hardlink-outside loaded"
grep -qF 'entry "h"' "$WORK/err" || fail "load error does not name the entry: $(cat "$WORK/err")"
"$BUILDER" images --format json | grep -q '"hostile/dotdot' && fail "a refused image got tagged"
b debug fsck >/dev/null
note "ok: $refused refusals, $accepted accepted"

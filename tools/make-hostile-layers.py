#!/usr/bin/env python3
"""Writes the hostile (and tricky-but-valid) layer blobs in testdata/hostile-layers/.

Python standard library only (tarfile, gzip); zstd frames are written by hand with raw
blocks, which is valid zstd without a compressor. Output is deterministic: fixed mtimes,
gzip mtime 0. Each case is listed in expect.tsv (file, compression, expected digest or "-",
expected result: "ok" or an error substring) and described in README.md.

The unpack test puts each target inside a temp dir holding canary.txt, canary-dir/ and
outside-link -> canary.txt; the target itself starts with lower-link -> ../canary-dir
(a link that climbs out of the target: writing through it must fail).
"""
import gzip
import io
import os
import struct
import sys
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "hostile-layers")
MTIME = 1600000000
PWNED = "tmp/builder-hostile-pwned"  # the test checks /tmp/builder-hostile-pwned stays absent


def member(name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644, pax=None, size=None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = MTIME
    info.linkname = linkname
    info.size = len(data) if size is None else size
    if pax:
        info.pax_headers = pax
    return info, data


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    # Drop tarfile's padding to a 10 KiB record: keep the two end-of-archive blocks only.
    out = buf.getvalue()
    while len(out) >= 1536 and out[-1536:] == b"\0" * 1536:
        out = out[:-512]
    return out


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as f:
        f.write(data)
    return buf.getvalue()


def zst(data):
    """A zstd frame of raw (stored) blocks: magic, header with a 128 KiB window, blocks."""
    out = bytearray(b"\x28\xb5\x2f\xfd")
    out += bytes([0x00, 7 << 3])  # FHD: no content size, no checksum; window log 17
    chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for i, chunk in enumerate(chunks):
        last = 1 if i == len(chunks) - 1 else 0
        header = last | (0 << 1) | (len(chunk) << 3)
        out += struct.pack("<I", header)[:3] + chunk
    return bytes(out)


def gigantic_size():
    # A ustar header claiming 8 GiB of data, followed by a few bytes and nothing else.
    info, _ = member("huge", size=0)
    header = bytearray(info.tobuf(tarfile.USTAR_FORMAT))
    header[124:136] = b"77777777777\0"
    chksum = 256 + sum(header[:148]) + sum(header[156:512])
    header[148:156] = b"%06o\0 " % chksum
    return bytes(header) + b"x" * 1000


def gigantic_pax():
    # A pax extended header claiming 8 GiB of records: must fail fast, not allocate.
    info = tarfile.TarInfo("PaxHeaders/huge")
    info.type = tarfile.XHDTYPE
    info.mtime = MTIME
    header = bytearray(info.tobuf(tarfile.USTAR_FORMAT))
    header[124:136] = b"77777777777\0"
    chksum = 256 + sum(header[:148]) + sum(header[156:512])
    header[148:156] = b"%06o\0 " % chksum
    return bytes(header) + b"19 path=whatever\n" + b"\0" * 1000


def pax_raw(records, name_in_header, data=b""):
    """A pax 'x' header with arbitrary (possibly NUL-containing) records, then a file."""
    body = b""
    for key, value in records:
        rec = b" " + key + b"=" + value + b"\n"
        n = len(rec) + 1
        while len(str(n).encode()) + len(rec) != n:
            n = len(str(n).encode()) + len(rec)
        body += str(n).encode() + rec
    xinfo = tarfile.TarInfo("PaxHeaders/x")
    xinfo.type = tarfile.XHDTYPE
    xinfo.size = len(body)
    xinfo.mtime = MTIME
    out = xinfo.tobuf(tarfile.USTAR_FORMAT) + body + b"\0" * (-len(body) % 512)
    info, _ = member(name_in_header, data=data)
    out += info.tobuf(tarfile.USTAR_FORMAT) + data + b"\0" * (-len(data) % 512)
    return out + b"\0" * 1024


def tarfile_dev(name, kind, major, minor):
    info, data = member(name, kind, mode=0o666)
    info.devmajor, info.devminor = major, minor
    return info, data


FILE = member("ok.txt", data=b"fine\n")
SAMPLE = tar_bytes([member("dir/", tarfile.DIRTYPE, mode=0o755), member("dir/file", data=b"x" * 5000)])

# (file name, bytes, compression, expected digest, expected result, description)
CASES = [
    ("dotdot.tar", tar_bytes([member("../escape.txt", data=b"pwned")]), "none", "-",
     "escapes the root", "a file named ../escape.txt"),
    ("dotdot-nested.tar", tar_bytes([FILE, member("a/b/../../../escape.txt", data=b"pwned")]),
     "none", "-", "escapes the root", "a/b/../../../escape.txt climbs out after cleaning"),
    ("symlink-write-through.tar",
     tar_bytes([member("evil", tarfile.SYMTYPE, linkname="../canary-dir"),
                member("evil/pwned", data=b"pwned")]),
     "none", "-", "points outside the root", "symlink to ../canary-dir, then a file under it"),
    ("symlink-nested-write-through.tar",
     tar_bytes([member("a/", tarfile.DIRTYPE, mode=0o755),
                member("a/b", tarfile.SYMTYPE, linkname="../.."),
                member("a/b/canary-dir/pwned", data=b"pwned")]),
     "none", "-", "points outside the root", "a/b -> ../.., then a/b/canary-dir/pwned"),
    ("lower-symlink-write-through.tar", tar_bytes([member("lower-link/pwned", data=b"pwned")]),
     "none", "-", "points outside the root",
     "writes through lower-link (-> ../canary-dir), a symlink already in the target"),
    ("symlink-chain-escape.tar",
     tar_bytes([member("a/", tarfile.DIRTYPE, mode=0o755),
                member("a/up", tarfile.SYMTYPE, linkname="../../canary-dir"),
                member("l2", tarfile.SYMTYPE, linkname="a/up"),
                member("l1", tarfile.SYMTYPE, linkname="l2"),
                member("l1/pwned", data=b"pwned")]),
     "none", "-", 'through symlink "a/up"', "l1 -> l2 -> a/up -> ../../canary-dir, then l1/pwned"),
    ("symlink-dotdot-at-root.tar",
     tar_bytes([member("a/", tarfile.DIRTYPE, mode=0o755),
                member("a/r", tarfile.SYMTYPE, linkname="/"),
                member("a/p", tarfile.SYMTYPE, linkname="r/../canary-dir"),
                member("a/p/pwned", data=b"pwned")]),
     "none", "-", 'through symlink "a/p"',
     "a/p -> r/../canary-dir with a/r -> /: stays inside read lexically, climbs out when followed"),
    ("symlink-loop.tar",
     tar_bytes([member("l1", tarfile.SYMTYPE, linkname="l2"),
                member("l2", tarfile.SYMTYPE, linkname="l1"),
                member("l1/x", data=b"x")]),
     "none", "-", "symlinks to follow", "l1 -> l2 -> l1, then l1/x"),
    ("symlink-proc-escape.tar",
     tar_bytes([member("p", tarfile.SYMTYPE, linkname="../" * 12 + "proc/self/root"),
                member("p/" + PWNED, data=b"pwned")]),
     "none", "-", "points outside the root",
     "p -> ../../(...)/proc/self/root (the host's magic link), then p/tmp/builder-hostile-pwned"),
    ("hardlink-outside.tar",
     tar_bytes([member("h", tarfile.LNKTYPE, linkname="../canary.txt")]),
     "none", "-", "escapes the root", "hard link to ../canary.txt"),
    ("hardlink-absolute.tar",
     tar_bytes([member("h", tarfile.LNKTYPE, linkname="/etc/passwd")]),
     "none", "-", "does not exist", "hard link to /etc/passwd (means etc/passwd in the target)"),
    ("hardlink-missing.tar",
     tar_bytes([FILE, member("h", tarfile.LNKTYPE, linkname="not-there")]),
     "none", "-", "does not exist", "hard link to a path not extracted"),
    ("hardlink-through-symlink.tar",
     tar_bytes([member("evil", tarfile.SYMTYPE, linkname=".."),
                member("h", tarfile.LNKTYPE, linkname="evil/canary.txt")]),
     "none", "-", "points outside the root", "hard link to evil/canary.txt with evil -> .."),
    ("hardlink-via-lower-link.tar",
     tar_bytes([member("h", tarfile.LNKTYPE, linkname="lower-link/inner")]),
     "none", "-", "points outside the root", "hard link to canary-dir/inner through lower-link"),
    ("hardlink-self.tar", tar_bytes([member("h", tarfile.LNKTYPE, linkname="h")]),
     "none", "-", "hardlink to itself", "hard link to its own name"),
    ("whiteout-dotdot.tar", tar_bytes([member("a/.wh...", data=b"")]),
     "none", "-", "invalid whiteout name", "whiteout named .wh... (removes the parent)"),
    ("whiteout-root.tar", tar_bytes([member("./.wh..", data=b"")]),
     "none", "-", "invalid whiteout name", "whiteout .wh.. at the top (removes the root)"),
    ("whiteout-empty.tar", tar_bytes([member(".wh.", data=b"")]),
     "none", "-", "invalid whiteout name", "whiteout with an empty name"),
    ("whiteout-through-symlink.tar", tar_bytes([member("lower-link/.wh.inner", data=b"")]),
     "none", "-", "points outside the root", "whiteout of canary-dir/inner through lower-link"),
    ("opaque-through-symlink.tar", tar_bytes([member("lower-link/.wh..wh..opq", data=b"")]),
     "none", "-", "points outside the root", "opaque marker emptying canary-dir through lower-link"),
    ("file-as-parent.tar", tar_bytes([member("x", data=b"file"), member("x/y", data=b"y")]),
     "none", "-", "is not a directory", "x is a file, then x/y"),
    ("inside-whiteout.tar", tar_bytes([member(".wh.x/y", data=b"pwned")]),
     "none", "-", "inside a whiteout", "an entry whose parent is a whiteout name"),
    ("root-replaced.tar", tar_bytes([member("/.", data=b"pwned")]),
     "none", "-", "replace the root", "a regular file named /."),
    ("empty-name.tar", tar_bytes([FILE, member("./", data=b"pwned")]),
     "none", "-", "empty entry name", "a regular file named ./ (libarchive reports it as empty)"),
    ("truncated.tar.gz", gz(SAMPLE)[:-40], "gzip", "-", "truncated gzip stream",
     "gzip stream cut short"),
    ("truncated.tar.zst", zst(SAMPLE)[:-100], "zstd", "-", "truncated zstd stream",
     "zstd stream cut short"),
    ("truncated.tar", SAMPLE[:1500], "none", "-", "Truncated tar archive",
     "tar cut inside a file's data"),
    ("gigantic-size.tar", gigantic_size(), "none", "-", "Truncated tar archive",
     "header claims 8 GiB, stream has 1000 bytes"),
    ("gigantic-pax-header.tar", gigantic_pax(), "none", "-", "header too large",
     "pax header claims 8 GiB of records"),
    ("digest-mismatch.tar.gz", gz(SAMPLE), "gzip", "sha256:" + "0" * 64, "digest mismatch",
     "a valid layer checked against a wrong digest"),
    # libarchive cuts pax values at a NUL, so the name read is "ok": harmless, and the part
    # after the NUL never reaches the filesystem. (CleanEntryName rejects NUL for other callers.)
    ("nul-in-name.tar", pax_raw([(b"path", b"ok\0/../../escape.txt")], "placeholder", b"x"),
     "none", "-", "ok", "pax path record with an embedded NUL (read as \"ok\")"),
    ("overlong-name.tar", tar_bytes([member("a" * 5000, data=b"x")]),
     "none", "-", "too long", "5000-byte name"),
    ("overlong-component.tar", tar_bytes([member("d/" + "c" * 300, data=b"x")]),
     "none", "-", "too long", "300-byte path component"),
    ("not-a-tar.tar", b"this is not a tar archive\n" * 40, "none", "-", "Unrecognized archive format",
     "garbage"),
    # Tricky but valid: must succeed and still leave everything outside alone.
    ("absolute-names.tar", tar_bytes([member("/abs/file", data=b"inside")]),
     "none", "-", "ok", "absolute name, extracted relative to the target"),
    ("symlink-then-file.tar",
     tar_bytes([member("evil", tarfile.SYMTYPE, linkname="../canary.txt"),
                member("evil", data=b"replaced the link, not the canary")]),
     "none", "-", "ok", "a file replacing a symlink to the canary"),
    ("file-then-dir.tar",
     tar_bytes([member("x", data=b"file"), member("x/", tarfile.DIRTYPE, mode=0o755),
                member("x/y", data=b"y")]),
     "none", "-", "ok", "a directory replacing a file"),
    ("dir-then-file.tar",
     tar_bytes([member("x/", tarfile.DIRTYPE, mode=0o755), member("x/y", data=b"y"),
                member("x", data=b"file")]),
     "none", "-", "ok", "a file replacing a directory with contents"),
    ("dangling-symlinks.tar",
     tar_bytes([member("s1", tarfile.SYMTYPE, linkname="../canary.txt"),
                member("s2", tarfile.SYMTYPE, linkname="/etc/shadow")]),
     "none", "-", "ok", "symlinks pointing outside are stored, never followed"),
    ("device-node.tar",
     tar_bytes([member("dev/", tarfile.DIRTYPE, mode=0o755),
                tarfile_dev("dev/null", tarfile.CHRTYPE, 1, 3)]),
     "none", "-", "ok", "a character device: created when privileged, else skipped with a warning"),
    ("hardlink-to-symlink.tar",
     tar_bytes([member("h", tarfile.LNKTYPE, linkname="lower-link"),
                member("h2", tarfile.LNKTYPE, linkname="/lower-link")]),
     "none", "-", "ok", "hard links to a symlink link the symlink itself, never its target"),
    ("whiteout-under-file.tar",
     tar_bytes([member("x", data=b"file"), member("x/.wh.y", data=b""),
                member("canary-dir/.wh..wh..opq", data=b"")]),
     "none", "-", "ok", "whiteouts under a file, and an opaque marker for a missing dir: no-ops"),
    ("raw-blocks.tar.zst", zst(SAMPLE), "zstd", "-", "ok", "a valid zstd layer of raw blocks"),
    # Symlinked parents that stay inside the root resolve there, as in the image's own view.
    ("symlink-abs-parent.tar",
     tar_bytes([member("var/", tarfile.DIRTYPE, mode=0o755),
                member("var/run", tarfile.SYMTYPE, linkname="/run"),
                member("var/run/x", data=b"in run")]),
     "none", "-", "ok", "var/run -> /run (dangling), then var/run/x: lands at run/x"),
    ("symlink-rel-parent.tar",
     tar_bytes([member("usr/", tarfile.DIRTYPE, mode=0o755),
                member("usr/lib/", tarfile.DIRTYPE, mode=0o755),
                member("lib", tarfile.SYMTYPE, linkname="usr/lib"),
                member("lib/libfoo.so", data=b"elf"),
                member("lib/libfoo.so.1", tarfile.LNKTYPE, linkname="lib/libfoo.so")]),
     "none", "-", "ok", "lib -> usr/lib, then lib/libfoo.so and a hard link to it via lib/"),
    ("symlink-abs-etc.tar",
     tar_bytes([member("etc2", tarfile.SYMTYPE, linkname="/etc"),
                member("etc2/passwd", data=b"root:x:0:0:image:/root:/bin/sh\n")]),
     "none", "-", "ok", "etc2 -> /etc, then etc2/passwd: lands at etc/passwd, not the host's"),
    ("symlink-abs-root-parent.tar",
     tar_bytes([member("evil", tarfile.SYMTYPE, linkname="/"),
                member("evil/" + PWNED, data=b"inside")]),
     "none", "-", "ok", "evil -> /, then evil/tmp/builder-hostile-pwned: lands at tmp/..."),
    ("symlink-abs-proc.tar",
     tar_bytes([member("p", tarfile.SYMTYPE, linkname="/proc/self/root"),
                member("p/" + PWNED, data=b"inside")]),
     "none", "-", "ok", "p -> /proc/self/root means the image's /proc: lands at proc/self/root/..."),
    ("symlink-replaces-parent.tar",
     tar_bytes([member("d/", tarfile.DIRTYPE, mode=0o755), member("d/a", data=b"a"),
                member("d", tarfile.SYMTYPE, linkname="/e"), member("d/b", data=b"b")]),
     "none", "-", "ok", "d/ and d/a, then d -> /e replaces the directory, then d/b: lands at e/b"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    readme = ["# Hostile layers", "",
              "Generated by `tools/make-hostile-layers.py` (do not edit by hand). Each blob is",
              "unpacked by tests/oci/layer_unpacker_test.cc into a target inside a temp dir that",
              "holds canary files; the result must match and nothing outside may change.",
              "Symlinked parents resolve inside the target as in the image (RESOLVE_IN_ROOT:",
              "`var/run -> /run` then `var/run/x` lands at run/x); only a link whose target",
              "climbs above the root with `..` is refused (\"points outside the root\").", "",
              "| file | compression | expected | what |", "|---|---|---|---|"]
    for name, data, comp, digest, expect, what in CASES:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        rows.append("\t".join([name, comp, digest, expect]))
        readme.append(f"| {name} | {comp} | {expect} | {what} |")
    with open(os.path.join(OUT, "expect.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("\n".join(readme) + "\n")
    print(f"wrote {len(CASES)} layers to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""gen-hostile-archives.py [OUTDIR] — write the hostile archive corpus (tests/hostile/archives).

Each file is an archive that reg-verify and reg-diff must refuse as not genuine (exit 1), without
writing anything to disk, crashing or hanging.  tests/unit/test_tarball.c loads every file named
in OUTDIR/EXPECT (`file<TAB>text the error message must contain`) and checks that every
*.tar.gz of the directory is listed there, so the corpus and its expectations never drift apart.

The output is deterministic (fixed tar mtimes, gzip header mtime 0 and no name), so running the
script again changes no byte.  Only the Python standard library is used.  The bomb is small on
disk (about 60 KB) and expands to 60 MiB of zeros: under the 64 MiB entry cap, so it is the
compression-ratio check that must catch it.
"""
import gzip
import os
import random
import sys
import tarfile

TOP = "91150302MA0000001A"
MTIME = 1763859600  # 2025-11-23T09:00:00+08:00
BLOCK = 512


def header(name, size=0, kind=tarfile.REGTYPE, linkname="", mode=0o644, fmt=tarfile.USTAR_FORMAT,
           pax=None, encoding="utf-8", devmajor=0, devminor=0):
    """One tar header (plus its pax extended header when fmt is PAX)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.linkname = linkname
    info.mode = mode
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.devmajor, info.devminor = devmajor, devminor
    if pax:
        info.pax_headers = dict(pax)
    return info.tobuf(format=fmt, encoding=encoding, errors="surrogateescape")


def padded(data):
    return data + b"\0" * (-len(data) % BLOCK)


def member(name, data=b"", **kw):
    return header(name, size=len(data), **kw) + padded(data)


def directory(name):
    return header(name, kind=tarfile.DIRTYPE, mode=0o755)


END = b"\0" * (2 * BLOCK)


def tar(*parts):
    return b"".join(parts) + END


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def ok_files():
    """The shape of a genuine archive, for cases that break it in one place only."""
    return [directory(TOP + "/"), member(TOP + "/license.xml", b"<license/>\n")]


def register_text(n):
    """n bytes of text that compresses about as well as real documents do."""
    rng = random.Random(20251123)
    lines = []
    size = 0
    while size < n:
        line = "%08d item %02d %s\n" % (len(lines), rng.randrange(1, 21),
                                         rng.choice(("filed", "not-applicable", "pending")))
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()[:n]


def corpus():
    """(file name, archive bytes, text the refusal must contain)"""
    out = []

    def add(name, data, expect):
        out.append((name, data, expect))

    add("absolute.tar.gz", gz(tar(member("/tmp/regkit-hostile-absolute", b"pwned\n"))),
        "'/tmp/regkit-hostile-absolute'")
    add("dotdot.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/../../regkit-hostile-dotdot", b"pwned\n"))),
        "'" + TOP + "/../../regkit-hostile-dotdot'")
    # A harmless ustar name overridden by a pax `path` record: the reader must judge the name
    # libarchive reports, not the one in the fixed header.
    add("pax-dotdot.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/ok.xml", b"pwned\n", fmt=tarfile.PAX_FORMAT,
                                   pax={"path": TOP + "/../../regkit-hostile-pax"}))),
        "'" + TOP + "/../../regkit-hostile-pax'")
    add("symlink.tar.gz",
        gz(tar(*ok_files(), header(TOP + "/link", kind=tarfile.SYMTYPE, linkname="/etc/passwd",
                                   mode=0o777))),
        "'" + TOP + "/link'")
    add("hardlink.tar.gz",
        gz(tar(*ok_files(), header(TOP + "/hardlink", kind=tarfile.LNKTYPE,
                                   linkname="/etc/passwd"))),
        "'" + TOP + "/hardlink'")
    add("chardev.tar.gz",
        gz(tar(*ok_files(), header(TOP + "/null", kind=tarfile.CHRTYPE, devmajor=1,
                                   devminor=3))),
        "'" + TOP + "/null'")
    add("blockdev.tar.gz",
        gz(tar(*ok_files(), header(TOP + "/sda", kind=tarfile.BLKTYPE, devmajor=8,
                                   devminor=0))),
        "'" + TOP + "/sda'")
    add("fifo.tar.gz", gz(tar(*ok_files(), header(TOP + "/fifo", kind=tarfile.FIFOTYPE))),
        "'" + TOP + "/fifo'")
    add("duplicate.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/license.xml", b"<license>forged</license>\n"))),
        "'" + TOP + "/license.xml'")
    add("file-as-dir.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/seals", b"x"), member(TOP + "/seals/01.svg", b"y"))),
        "'" + TOP + "/seals'")
    # Declares 65 MiB and stops after one block: refused on the header, before any data.
    add("huge-entry.tar.gz",
        gz(b"".join(ok_files()) + header(TOP + "/huge.bin", size=65 << 20) + b"A" * BLOCK),
        "'" + TOP + "/huge.bin'")
    add("bomb.tar.gz", gz(tar(*ok_files(), member(TOP + "/bomb.bin", bytes(60 << 20)))),
        "'" + TOP + "/bomb.bin'")
    add("many-entries.tar.gz",
        gz(tar(directory(TOP + "/"),
               *[member("%s/f%05d" % (TOP, i)) for i in range(10001)])),
        "'%s/f09999'" % TOP)  # the 10001st entry (after the directory)
    # Cut half-way through a 1 MiB file: libarchive has read its header (it expands 64 KiB at
    # a time) and fails inside its data, so the refusal can name it.
    whole = gz(tar(*ok_files(), member(TOP + "/register.txt", register_text(1 << 20))))
    add("truncated.tar.gz", whole[:len(whole) // 2], "'" + TOP + "/register.txt'")
    small = gz(tar(*ok_files()))
    add("truncated-trailer.tar.gz", small[:-4], "truncated gzip stream")
    add("trailing-garbage.tar.gz", small + b"GARBAGE\n", "trailing data")
    add("two-members.tar.gz", small + small, "trailing data")
    add("double-gzip.tar.gz", gz(small), "gzip inside gzip")
    add("nonascii-pax.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/许可证.xml", b"x", fmt=tarfile.PAX_FORMAT))),
        "'" + TOP + "/\\xe8\\xae\\xb8")
    add("nonascii-ustar.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/caf\udce9.xml", b"x"))),
        "'" + TOP + "/caf\\xe9.xml'")
    add("control-char.tar.gz", gz(tar(*ok_files(), member(TOP + "/a\nb.xml", b"x"))),
        "'" + TOP + "/a\\x0ab.xml'")
    add("long-name.tar.gz",
        gz(tar(*ok_files(), member(TOP + "/" + "n" * 300 + ".xml", b"x",
                                   fmt=tarfile.PAX_FORMAT))),
        "'" + TOP + "/nnnn")
    add("two-tops.tar.gz",
        gz(tar(*ok_files(), directory("91150302MA0000002B/"),
               member("91150302MA0000002B/license.xml", b"x"))),
        "'91150302MA0000002B/'")
    add("top-file.tar.gz", gz(tar(*ok_files(), member("license.xml", b"x"))), "'license.xml'")
    add("empty.tar.gz", gz(END), "no files")
    add("not-gzip.tar.gz", b"this is not an archive\n", "not a gzip file")
    add("plain-tar.tar.gz", tar(*ok_files()), "not a gzip file")
    add("not-tar.tar.gz", gz(b"just some text, gzipped\n" * 40), "not a tar archive")
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "hostile", "archives")
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for name, data, expect in corpus():
        if len(data) > 200 * 1024:
            sys.exit("%s: %d bytes, over the 200 KB budget" % (name, len(data)))
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        lines.append("%s\t%s\n" % (name, expect))
    with open(os.path.join(outdir, "EXPECT"), "w", encoding="utf-8") as f:
        f.write("# file<TAB>text the refusal message must contain "
                "(written by scripts/gen-hostile-archives.py)\n")
        f.writelines(lines)


if __name__ == "__main__":
    main()

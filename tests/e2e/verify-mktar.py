#!/usr/bin/env python3
# verify-mktar.py: build test archives for the mcp-verify e2e tests,
# including hostile entries no ordinary tar would write.
#
# usage: verify-mktar.py OUT [--format gnu|pax|ustar] [--no-gzip] SPEC...
# (the options may come anywhere)
# SPEC is TYPE:NAME[:ARG], NAME and ARG with Python escapes (\x01, \udcff
# for the raw byte 0xff):
#   f:NAME[:CONTENT]  regular file 0644      x:NAME[:CONTENT]  file 0755
#   d:NAME            directory              l:NAME:TARGET     symlink
#   h:NAME:TARGET     hardlink               c:NAME / b:NAME   devices
#   p:NAME            FIFO                   s:NAME:MODE       file, octal mode
#   z:NAME:SIZE       file of SIZE zero bytes (streamed)
#   n:COUNT           COUNT small files n/DDDD/FFF, 250 a directory (fast)
# verify-mktar.py OUT --bomb NAME MIB: one entry NAME of MIB mebibytes of
# zeros, as many gzip members of one compressed MiB each (instant to make,
# MIB MiB to unpack).
import gzip
import io
import sys
import tarfile


def unesc(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def header(name, size, typeflag, mode):
    """One ustar header, built by hand: tarfile is too slow for 100k."""
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"00000000000\0"
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def many(tf, out, count):
    """COUNT files of 2 bytes, 250 to a directory (n/DDDD/FFF)."""
    # Flush tarfile's own position first: we write raw blocks after it.
    parts = []
    for i in range(count):
        d, k = divmod(i, 250)
        if k == 0:
            parts.append(header(b"n/%04d/" % d, 0, b"5", 0o755))
        parts.append(header(b"n/%04d/%03d" % (d, k), 2, b"0", 0o644))
        parts.append(b"%02d" % (i % 100) + bytes(510))
    data = b"".join(parts)
    tf.fileobj.write(data)
    tf.offset += len(data)


def bomb(out, name, mib):
    mb = gzip.compress(bytes(1 << 20), 9, mtime=0)
    with open(out, "wb") as f:
        f.write(gzip.compress(header(name.encode(), mib << 20, b"0", 0o644),
                              9, mtime=0))
        for _ in range(mib):
            f.write(mb)
        f.write(gzip.compress(bytes(1024), 9, mtime=0))


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    if args and args[0] == "--bomb":
        bomb(out, args[1], int(args[2]))
        return
    fmt = tarfile.GNU_FORMAT
    compress = True
    specs = []
    while args:
        opt = args.pop(0)
        if opt == "--format":
            fmt = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT,
                   "ustar": tarfile.USTAR_FORMAT}[args.pop(0)]
        elif opt == "--no-gzip":
            compress = False
        else:
            specs.append(opt)
    args = specs
    raw = open(out, "wb")
    # mtime=0 and level 6: the same spec always gives the same bytes.
    f = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) \
        if compress else raw
    tf = tarfile.open(fileobj=f, mode="w", format=fmt,
                      encoding="utf-8", errors="surrogateescape")
    for spec in args:
        parts = spec.split(":", 2)
        kind, name = parts[0], unesc(parts[1]) if len(parts) > 1 else ""
        arg = unesc(parts[2]) if len(parts) > 2 else ""
        ti = tarfile.TarInfo(name)
        ti.mtime = 0
        data = None
        if kind in ("f", "x", "s"):
            data = arg.encode("utf-8", "surrogateescape") if kind != "s" else b"#!/bin/sh\n"
            ti.mode = {"f": 0o644, "x": 0o755}.get(kind) or int(arg, 8)
            ti.size = len(data)
        elif kind == "z":
            ti.size = int(arg)
            ti.mode = 0o644
            tf.addfile(ti, io.BufferedReader(Zeros(ti.size), 1 << 20))
            continue
        elif kind == "d":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        elif kind == "l":
            ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, arg, 0o777
        elif kind == "h":
            ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, arg, 0o644
        elif kind in ("c", "b"):
            ti.type = tarfile.CHRTYPE if kind == "c" else tarfile.BLKTYPE
            ti.devmajor, ti.devminor, ti.mode = 1, 3, 0o666
        elif kind == "p":
            ti.type, ti.mode = tarfile.FIFOTYPE, 0o644
        elif kind == "n":
            many(tf, f if compress else raw, int(parts[1]))
            continue
        else:
            sys.exit("unknown spec " + spec)
        tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    tf.close()
    if compress:
        f.close()
    raw.close()


main()

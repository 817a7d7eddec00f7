#!/usr/bin/env python3
"""Checks recordings of `crate-wl proxy --record DIR` and turns them into
inputs for the fuzz-proxy harness (format: tests/fuzz/fuzz-proxy.c).

usage: rec2seed.py [-o OUTDIR] [--max-bytes N] PREFIX...
  PREFIX is DIR/PID-N (the files PREFIX.log, .client, .compositor).
  Prints what each recording holds; with -o writes OUTDIR/NAME, the seed.
  --max-bytes N keeps the first N bytes' worth of reads (a small seed).
Exits 1 if a recording does not add up: the log's byte counts must match
the streams, and each stream must split into whole Wayland messages.
"""
import os
import struct
import sys

SIDES = {"client": 0, "compositor": 1}
HANGUP = 0x10


def frame(data):
    """Number of whole messages, or raises ValueError."""
    pos = count = 0
    while pos < len(data):
        if len(data) - pos < 8:
            raise ValueError("a partial header at byte %d" % pos)
        size = struct.unpack_from("<I", data, pos + 4)[0] >> 16
        if size < 8 or size > 4096 or size % 4:
            raise ValueError("message size %d at byte %d" % (size, pos))
        if pos + size > len(data):
            raise ValueError("a partial message at byte %d" % pos)
        pos += size
        count += 1
    return count


def chunks(side, data, nfds):
    """One read as harness chunks: at most 65535 bytes and 7 fds each."""
    pieces = max(1, (len(data) + 65534) // 65535, (nfds + 6) // 7)
    step = max(1, (len(data) + pieces - 1) // pieces)
    out = b""
    pos = 0
    while pos < len(data) or nfds > 0:
        piece = data[pos:pos + step]
        n = min(nfds, 7)
        if not piece:
            raise ValueError("fds without bytes")
        out += bytes([side | n << 1]) + struct.pack("<H", len(piece)) + piece
        nfds -= n
        pos += len(piece)
    return out


def convert(prefix, max_bytes):
    streams = {}
    for side in SIDES:
        with open(prefix + "." + side, "rb") as f:
            streams[side] = f.read()
    offset = {side: 0 for side in SIDES}
    seed = b""
    fds = 0
    with open(prefix + ".log") as log:
        for lineno, line in enumerate(log, 1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0] not in SIDES:
                raise ValueError("%s.log:%d: unknown side %r" %
                                 (prefix, lineno, words[0]))
            side = words[0]
            if words[1] == "eof":
                if max_bytes is None or len(seed) < max_bytes:
                    seed += bytes([SIDES[side] | HANGUP]) + b"\0\0"
                continue
            n, nfd = int(words[1]), int(words[2])
            data = streams[side][offset[side]:offset[side] + n]
            if len(data) != n:
                raise ValueError("%s.log:%d: %d bytes logged, the stream "
                                 "ends first" % (prefix, lineno, n))
            offset[side] += n
            fds += nfd
            if max_bytes is None or len(seed) < max_bytes:
                seed += chunks(SIDES[side], data, nfd)
    counts = {}
    for side in SIDES:
        if offset[side] != len(streams[side]):
            raise ValueError("%s.%s: %d bytes, the log accounts for %d" %
                             (prefix, side, len(streams[side]),
                              offset[side]))
        counts[side] = frame(streams[side])
    return seed, counts, fds


def main(argv):
    outdir = None
    max_bytes = None
    prefixes = []
    it = iter(argv)
    for a in it:
        if a == "-o":
            outdir = next(it)
        elif a == "--max-bytes":
            max_bytes = int(next(it))
        else:
            prefixes.append(a)
    if not prefixes:
        print(__doc__, file=sys.stderr)
        return 2
    rc = 0
    for prefix in prefixes:
        try:
            seed, counts, fds = convert(prefix, max_bytes)
        except (OSError, ValueError) as e:
            print("%s: %s" % (prefix, e), file=sys.stderr)
            rc = 1
            continue
        print("%s: %d client messages, %d compositor messages, %d fds, "
              "seed %d bytes" % (prefix, counts["client"],
                                 counts["compositor"], fds, len(seed)))
        if outdir:
            with open(os.path.join(outdir, os.path.basename(prefix)),
                      "wb") as f:
                f.write(seed)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Screenshots and sample files for the gui-app tests (gui.sh).

shot.py drawn SHOT.ppm   the number of drawn rows of a grim -t ppm shot:
                         rows with more than two changes of colour. A
                         blank window fills rows with one colour (0
                         changes); an undrawn X window on the root of
                         another colour gives 2; text, icons, widgets
                         give more.
shot.py red SHOT.ppm     the number of pure red pixels (#ff0000) in it
shot.py pdf FILE         a one-page PDF: a line of text, a red rectangle
shot.py png FILE         a 320x240 PNG of squares, a third of them red
"""
import struct
import sys
import zlib


def ppm(path):
    d = open(path, 'rb').read()
    if d[:2] != b'P6':
        raise SystemExit('not a binary PPM')
    fields, pos = [], 2
    while len(fields) < 3:
        while d[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not d[end:end + 1].isspace():
            end += 1
        fields.append(int(d[pos:end]))
        pos = end
    return fields[0], fields[1], d[pos + 1:]


def drawn(path):
    w, h, px = ppm(path)
    n = 0
    for y in range(h):
        row = px[y * w * 3:(y + 1) * w * 3]
        if row == row[:3] * w:
            continue
        cells = [row[i:i + 3] for i in range(0, len(row), 3)]
        if sum(a != b for a, b in zip(cells, cells[1:])) > 2:
            n += 1
    return n


def pdf(path):
    text = (b'BT /F1 48 Tf 72 600 Td (crate-wl test page) Tj ET\n'
            b'1 0 0 rg 72 100 468 400 re f')
    objs = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] '
        b'/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        b'<< /Length %d >>\nstream\n' % len(text) + text + b'\nendstream',
    ]
    out = bytearray(b'%PDF-1.4\n')
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (
        len(objs) + 1, xref)
    open(path, 'wb').write(out)


def png(path):
    w, h = 320, 240
    colours = [b'\xff\x00\x00', b'\x30\xa0\x30', b'\x30\x50\xd0']
    raw = b''.join(b'\0' + b''.join(colours[(x // 40 + y // 40) % 3]
                                    for x in range(w)) for y in range(h))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    open(path, 'wb').write(
        b'\x89PNG\r\n\x1a\n' +
        chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
        chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    what, arg = sys.argv[1:]
    if what == 'drawn':
        print(drawn(arg))
    elif what == 'red':
        print(ppm(arg)[2].count(b'\xff\x00\x00'))
    elif what == 'pdf':
        pdf(arg)
    elif what == 'png':
        png(arg)
    else:
        raise SystemExit(__doc__)

#!/usr/bin/env python3
"""A screenshot of headless KWin's screen through its own D-Bus API.

org.kde.KWin.ScreenShot2.CaptureScreen on the session bus, as Spectacle
does it: KWin writes the image's raw pixels to a pipe and answers with
their format; this writes them as raw RGB. KWin answers only programs
that a desktop file grants org.kde.KWin.ScreenShot2 in
X-KDE-DBUS-Restricted-Interfaces (the test writes one for this python).

usage: kwin-shot.py SCREEN OUT.rgb
prints "size WxH" of the frame written, exits non-zero on any failure."""
import os
import sys
import threading

from gi.repository import Gio, GLib

screen, out = sys.argv[1:]
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
r, w = os.pipe()
data = []


def drain():
    with os.fdopen(r, "rb") as f:
        data.append(f.read())


reader = threading.Thread(target=drain)
reader.start()
fds = Gio.UnixFDList.new()
idx = fds.append(w)
os.close(w)
try:
    reply, _ = bus.call_with_unix_fd_list_sync(
        "org.kde.KWin", "/org/kde/KWin/ScreenShot2",
        "org.kde.KWin.ScreenShot2", "CaptureScreen",
        GLib.Variant("(sa{sv}h)", (screen, {
            "include-cursor": GLib.Variant("b", False),
            "native-resolution": GLib.Variant("b", True)}, idx)),
        GLib.VariantType("(a{sv})"), Gio.DBusCallFlags.NONE, 10000,
        fds, None)
except GLib.Error as e:
    fds = None
    sys.exit("KWin refused the screenshot: %s" % e.message)
fds = None  # our copy of the pipe's write end goes: KWin's ends the read
reader.join(10)
if reader.is_alive() or not data:
    sys.exit("KWin wrote no image")
res = reply.unpack()[0]
width, height, stride = res["width"], res["height"], res["stride"]
fmt = res["format"]
raw = data[0]
if len(raw) < stride * height:
    sys.exit("an image of %d bytes, not %d" % (len(raw), stride * height))
# QImage::Format_RGB32 (4) and _ARGB32(_Premultiplied) (5, 6): 0xAARRGGBB
# words, little-endian in memory as B G R A
if fmt not in (4, 5, 6):
    sys.exit("a QImage format %d this does not read" % fmt)
rgb = bytearray(width * height * 3)
for y in range(height):
    row = raw[y * stride:y * stride + width * 4]
    line = rgb[y * width * 3:(y + 1) * width * 3]
    line[0::3] = row[2::4]
    line[1::3] = row[1::4]
    line[2::3] = row[0::4]
    rgb[y * width * 3:(y + 1) * width * 3] = line
with open(out, "wb") as f:
    f.write(rgb)
print("size %dx%d" % (width, height))

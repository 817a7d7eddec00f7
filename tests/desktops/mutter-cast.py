#!/usr/bin/env python3
"""A frame of headless mutter's screen through its own ScreenCast API.

On the session bus, as GNOME's own portal backend does it: CreateSession,
RecordMonitor on the virtual monitor, Start, and the node that
PipeWireStreamAdded names; then GStreamer's pipewiresrc reads frames of
that node from PipeWire and writes the last one as raw RGB.

usage: mutter-cast.py CONNECTOR OUT.rgb
prints "size WxH" of the frame written, exits non-zero on any failure."""
import subprocess
import sys
import time

from gi.repository import Gio, GLib

connector, out = sys.argv[1:]
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
DEST = "org.gnome.Mutter.ScreenCast"


def call(path, iface, method, args, reply):
    return bus.call_sync(DEST, path, iface, method, args,
                         GLib.VariantType(reply), Gio.DBusCallFlags.NONE,
                         10000, None).unpack()


session, = call("/org/gnome/Mutter/ScreenCast", DEST, "CreateSession",
                GLib.Variant("(a{sv})", ({},)), "(o)")
stream, = call(session, DEST + ".Session", "RecordMonitor",
               GLib.Variant("(sa{sv})", (connector, {})), "(o)")
nodes = []
bus.signal_subscribe(DEST, DEST + ".Stream", "PipeWireStreamAdded", stream,
                     None, Gio.DBusSignalFlags.NONE,
                     lambda *a: nodes.append(a[5].unpack()[0]))
call(session, DEST + ".Session", "Start", None, "()")
ctx = GLib.MainContext.default()
end = time.monotonic() + 10
while not nodes and time.monotonic() < end:
    ctx.iteration(False) or time.sleep(0.02)
if not nodes:
    sys.exit("mutter named no PipeWire node")
node = nodes[0]
params = bus.call_sync(DEST, stream, "org.freedesktop.DBus.Properties", "Get",
                       GLib.Variant("(ss)", (DEST + ".Stream", "Parameters")),
                       None, Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
w, h = params.get("size", (0, 0))
gst = subprocess.run(
    ["gst-launch-1.0", "-q", "pipewiresrc", "path=%d" % node,
     "always-copy=true", "num-buffers=1", "!", "videoconvert", "!",
     "video/x-raw,format=RGB", "!", "multifilesink", "location=" + out], timeout=30)
try:
    call(session, DEST + ".Session", "Stop", None, "()")
except GLib.Error:
    pass
if gst.returncode != 0:
    sys.exit("gst-launch-1.0 exited %d" % gst.returncode)
print("size %dx%d" % (w, h))

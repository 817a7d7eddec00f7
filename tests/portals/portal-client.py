#!/usr/bin/python3
"""A screen-sharing app as real ones are written: the ScreenCast portal
over the session bus (GDBus), then GStreamer's pipewiresrc on the fd and
node the portal handed out.

usage: portal-client.py deny
       portal-client.py frame OUTDIR LISTER   one frame to OUTDIR/frame.rgb;
                                              LISTER FD lists what the fd sees
       portal-client.py shrink OUTDIR HELPER  HELPER FD NODE 30 consumes the
                                              stream (pw-shrink.c)
       portal-client.py hold OUTDIR           stream until the portal ends it
       portal-client.py close OUTDIR          stream, then (once OUTDIR/go
                                              exists) Session.Close
       portal-client.py leave OUTDIR          the same, but leave the bus
Prints one line per event: "response N", "node N WxH", "closed",
"gst-exit N".
CAPS_ONLY=1: the compositor paints no frames (KWin 5.27's virtual output):
frame writes no frame.rgb, and hold/close/leave say "streaming" once
GStreamer has negotiated a format with the node, not at its first frame."""
import os
import subprocess
import sys
import time

from gi.repository import Gio, GLib

DEST = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
IFACE = "org.freedesktop.portal.ScreenCast"

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
sender = bus.get_unique_name()[1:].replace(".", "_")
loop = GLib.MainLoop()
events = []


def say(line):
    print(line, flush=True)


def request(method, args_fmt, args, token):
    """Calls a method that answers through a Request; returns (code, results)."""
    path = "%s/request/%s/%s" % (PATH, sender, token)
    got = {}

    def on_response(conn, sender_name, obj, iface, signal, params, data):
        got["r"] = params.unpack()
        loop.quit()

    sub = bus.signal_subscribe(DEST, "org.freedesktop.portal.Request",
                               "Response", path, None,
                               Gio.DBusSignalFlags.NONE, on_response, None)
    reply = bus.call_sync(DEST, PATH, IFACE, method,
                          GLib.Variant(args_fmt, args), None,
                          Gio.DBusCallFlags.NONE, 10000, None)
    handle = reply.unpack()[0]
    if handle != path:
        sys.exit("request handle %s, expected %s" % (handle, path))
    GLib.timeout_add_seconds(30, loop.quit)
    loop.run()
    bus.signal_unsubscribe(sub)
    if "r" not in got:
        sys.exit("no Response to %s" % method)
    return got["r"]


def wait_portal(seconds):
    """Waits for the portal's name, as portal libraries watch for it: the
    sandbox's bus activates nothing, and crate-wl takes the name only once
    the bus runs (when the app first connects)."""
    seen = []

    def appeared(conn, name, owner):
        seen.append(owner)
        loop.quit()

    def timed_out():
        loop.quit()
        return GLib.SOURCE_REMOVE

    watch = Gio.bus_watch_name_on_connection(
        bus, DEST, Gio.BusNameWatcherFlags.NONE, appeared, None)
    timer = GLib.timeout_add_seconds(seconds, timed_out)
    loop.run()
    Gio.bus_unwatch_name(watch)
    if seen:
        GLib.source_remove(timer)
    else:
        sys.exit("no %s on the bus after %d s" % (DEST, seconds))


def start_session():
    code, res = request("CreateSession", "(a{sv})",
                        ({"handle_token": GLib.Variant("s", "t1"),
                          "session_handle_token": GLib.Variant("s", "s1")},),
                        "t1")
    if code != 0:
        sys.exit("CreateSession answered %d" % code)
    session = res["session_handle"]
    code, res = request("SelectSources", "(oa{sv})",
                        (session, {"handle_token": GLib.Variant("s", "t2"),
                                   "types": GLib.Variant("u", 1),
                                   "multiple": GLib.Variant("b", False)}),
                        "t2")
    if code != 0:
        sys.exit("SelectSources answered %d" % code)
    code, res = request("Start", "(osa{sv})",
                        (session, "", {"handle_token": GLib.Variant("s", "t3")}),
                        "t3")
    say("response %d" % code)
    if code != 0:
        if res.get("streams"):
            sys.exit("streams in a refused Start")
        return session, None
    (node, props), = res["streams"]
    w, h = props["size"]
    say("node %d %dx%d" % (node, w, h))
    return session, (node, w, h)


def open_remote(session):
    reply, fds = bus.call_with_unix_fd_list_sync(
        DEST, PATH, IFACE, "OpenPipeWireRemote",
        GLib.Variant("(oa{sv})", (session, {})), GLib.VariantType("(h)"),
        Gio.DBusCallFlags.NONE, 10000, None, None)
    return fds.get(reply.unpack()[0])


def gst(fd, node, sink, log=None):
    """pipewiresrc on the portal's fd and node; with log, -v: one line per
    buffer that reaches the sink."""
    verbose = ["-v"] if log else ["-q"]
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen(
        ["gst-launch-1.0"] + verbose + ["pipewiresrc", "fd=%d" % fd,
         "path=%d" % node, "always-copy=true"] + sink, pass_fds=(fd,),
        stdout=out)


def watch_closed(session):
    def on_closed(*args):
        say("closed")
        events.append("closed")
    bus.signal_subscribe(DEST, "org.freedesktop.portal.Session", "Closed",
                         session, None, Gio.DBusSignalFlags.NONE, on_closed,
                         None)


def wait_gst(proc, seconds):
    """Runs the bus until gst exits (or the time is up); its code or None."""
    end = time.monotonic() + seconds
    ctx = loop.get_context()
    while time.monotonic() < end:
        while ctx.pending():
            ctx.iteration(False)
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(0.05)
    return None


mode = sys.argv[1]
wait_portal(10)
session, stream = start_session()
if mode == "deny":
    sys.exit(0 if stream is None else 1)
if stream is None:
    sys.exit(1)
node, w, h = stream
out = sys.argv[2]
fd = open_remote(session)
if mode == "frame":
    lister = subprocess.run([sys.argv[3], str(fd)], pass_fds=(fd,),
                            capture_output=True, text=True)
    with open(os.path.join(out, "seen"), "w") as f:
        f.write(lister.stdout)
    if lister.returncode != 0:
        sys.exit("lister: " + lister.stderr)
    if os.environ.get("CAPS_ONLY") == "1":
        sys.exit(0)
    # mutter sends a frame only when the screen changes: one is all a
    # still screen gives (FRAMES=1)
    proc = gst(fd, node, ["num-buffers=" + os.environ.get("FRAMES", "3"),
                          "!", "videoconvert", "!",
                          "video/x-raw,format=RGB", "!", "filesink",
                          "location=" + os.path.join(out, "frame.rgb")])
    code = wait_gst(proc, 20)
    say("gst-exit %s" % code)
    sys.exit(0 if code == 0 else 1)
if mode == "shrink":
    # the helper tries to shrink and grow every buffer it is handed
    helper = subprocess.run([sys.argv[3], str(fd), str(node), "30"],
                            pass_fds=(fd,), capture_output=True, text=True)
    sys.stdout.write(helper.stdout)
    sys.stdout.write(helper.stderr)
    say("helper-exit %d" % helper.returncode)
    sys.exit(helper.returncode)
watch_closed(session)
proc = gst(fd, node, ["!", "video/x-raw", "!", "fakesink", "sync=false",
                     "silent=false"],
           os.path.join(out, "gst.log"))
os.close(fd)
# streaming: frames reach the sink (the first run of GStreamer in a fresh
# home scans its plugins first)
end = time.monotonic() + 30
mark = "last-message = chain"
if os.environ.get("CAPS_ONLY") == "1":
    mark = "pipewiresrc0.GstPad:src: caps = video/x-raw"
while mark not in open(os.path.join(out, "gst.log")).read():
    if proc.poll() is not None or time.monotonic() > end:
        say("gst-exit %s" % proc.poll())
        sys.exit("no frames reached the sink")
    time.sleep(0.05)
say("streaming")
if mode in ("close", "leave"):
    # the test looks at the graph first, then says go
    go = os.path.join(out, "go")
    while not os.path.exists(go):
        time.sleep(0.05)
    if mode == "close":
        bus.call_sync(DEST, session, "org.freedesktop.portal.Session",
                      "Close", None, None, Gio.DBusCallFlags.NONE, 10000,
                      None)
        say("close sent")
    else:
        bus.close_sync(None)
        say("left the bus")
code = wait_gst(proc, 20)
if code is None:
    proc.kill()
say("gst-exit %s" % code)
sys.exit(0)

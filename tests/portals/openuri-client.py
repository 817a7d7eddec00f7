#!/usr/bin/python3
# The app's side of OpenURI, as portal libraries call it: subscribe to the
# Request's Response first, then call; prints a line per call:
#   response N    the Request answered N
#   error NAME    the call was refused
#   noresponse    no answer in 10 s
# usage: openuri-client.py uri URI...  |  file PATH...  |  dir PATH...
# (uri @FILE: each line of FILE a URI)
import os
import sys
from gi.repository import Gio, GLib

PORTAL = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
IFACE = "org.freedesktop.portal.OpenURI"

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
sender = bus.get_unique_name()[1:].replace(".", "_")
loop = GLib.MainLoop()
got = []


def on_response(conn, sender_name, path, iface, signal, params):
    got.append(params.unpack()[0])
    loop.quit()


def one(n, method, arg):
    token = "t%d" % n
    req = "%s/request/%s/%s" % (PATH, sender, token)
    sub = bus.signal_subscribe(PORTAL, "org.freedesktop.portal.Request",
                               "Response", req, None,
                               Gio.DBusSignalFlags.NONE, on_response)
    del got[:]
    opts = {"handle_token": GLib.Variant("s", token)}
    try:
        if method == "uri":
            bus.call_sync(PORTAL, PATH, IFACE, "OpenURI",
                          GLib.Variant("(ssa{sv})", ("", arg, opts)),
                          None, 0, 5000, None)
        else:
            fd = os.open(arg, os.O_RDONLY | os.O_CLOEXEC)
            fds = Gio.UnixFDList.new_from_array([fd])
            bus.call_with_unix_fd_list_sync(
                PORTAL, PATH, IFACE,
                "OpenFile" if method == "file" else "OpenDirectory",
                GLib.Variant("(sha{sv})", ("", 0, opts)), None, 0, 5000,
                fds, None)
    except GLib.Error as e:
        bus.signal_unsubscribe(sub)
        name = Gio.DBusError.get_remote_error(e) or e.message
        print("error", name, flush=True)
        return
    timer = GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    GLib.source_remove(timer) if got else None
    bus.signal_unsubscribe(sub)
    print("response %d" % got[0] if got else "noresponse", flush=True)


def main():
    mode = sys.argv[1]
    args = []
    for a in sys.argv[2:]:
        if mode == "uri" and a.startswith("@"):
            with open(a[1:], "rb") as f:
                args += [l.decode("utf-8", "surrogateescape")
                         for l in f.read().split(b"\n") if l]
        else:
            args.append(a)
    for n, arg in enumerate(args, 1):
        try:
            one(n, mode, arg)
        except (TypeError, UnicodeError) as e:
            # not a D-Bus string at all: never sent
            print("unsendable", flush=True)


main()

#!/usr/bin/python3
# A stand-in for the desktop's file chooser backend, for the answers
# xdg-desktop-portal-gtk's folder dialog cannot give in a test (a folder
# read-only, /proc): owns org.freedesktop.impl.portal.desktop.gtk and
# answers each OpenFile at once with the next line of ANSWERS (read at
# each call), "URI WRITABLE" (true|false); with none left, cancelled. Each call's options go to LOG as one line.
# usage: fake-chooser.py ANSWERS LOG
import sys
from gi.repository import Gio, GLib

XML = """<node><interface name="org.freedesktop.impl.portal.FileChooser">
<method name="OpenFile">
 <arg type="o" direction="in"/><arg type="s" direction="in"/>
 <arg type="s" direction="in"/><arg type="s" direction="in"/>
 <arg type="a{sv}" direction="in"/>
 <arg type="u" direction="out"/><arg type="a{sv}" direction="out"/>
</method></interface></node>"""

log = open(sys.argv[2], "a")
calls = 0


def call(conn, sender, path, iface, method, params, inv):
    opts = params.unpack()[4]
    log.write(" ".join("%s=%s" % kv for kv in sorted(opts.items())) + "\n")
    log.flush()
    global calls
    answers = [l.split() for l in open(sys.argv[1]) if l.strip()]
    uri, writable = answers[calls] if calls < len(answers) else ("", "")
    calls += 1
    inv.return_value(GLib.Variant("(ua{sv})", (0 if uri else 1, {
        "uris": GLib.Variant("as", [uri] if uri else []),
        "writable": GLib.Variant("b", writable == "true")})))


def acquired(conn, name):
    print("ready", flush=True)


bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
bus.register_object("/org/freedesktop/portal/desktop", info, call, None,
                    None)
Gio.bus_own_name_on_connection(bus, "org.freedesktop.impl.portal.desktop.gtk",
                               Gio.BusNameOwnerFlags.NONE, acquired, None)
GLib.MainLoop().run()

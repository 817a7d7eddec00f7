#!/usr/bin/python3
# Apps' file dialogs, as the toolkits call them, for filechooser.sh:
#   gtk4 open|save|folder   GTK 4's GtkFileChooserNative
#   qt open|save|folder     Qt 5's QFileDialog (its platform theme decides
#                           the dialog: QT_QPA_PLATFORMTHEME)
#   savefiles NAME...       the portal's SaveFiles, called as libportal
#                           does (GTK has no call for it): then writes
#                           "saved NAME" into each file it got
# Prints "got=PATH" per chosen file, or "cancelled".
import sys


def done(paths):
    if not paths:
        print("cancelled", flush=True)
    for p in paths:
        print("got=" + p, flush=True)


def gtk4(mode):
    import gi
    gi.require_version("Gtk", "4.0")
    from gi.repository import GLib, Gtk
    Gtk.init()
    action = {"open": Gtk.FileChooserAction.OPEN,
              "save": Gtk.FileChooserAction.SAVE,
              "folder": Gtk.FileChooserAction.SELECT_FOLDER}[mode]
    loop = GLib.MainLoop()
    dialog = Gtk.FileChooserNative.new("crate-wl test", None, action,
                                       None, None)

    def response(d, r):
        f = d.get_file() if r == Gtk.ResponseType.ACCEPT else None
        done([f.get_path()] if f is not None else [])
        loop.quit()
    dialog.connect("response", response)
    dialog.show()
    loop.run()


def qt(mode):
    from PyQt5.QtWidgets import QApplication, QFileDialog
    app = QApplication(sys.argv[:1])
    if mode == "open":
        path, _ = QFileDialog.getOpenFileName(None, "crate-wl test")
    elif mode == "folder":
        path = QFileDialog.getExistingDirectory(None, "crate-wl test")
    else:
        path, _ = QFileDialog.getSaveFileName(None, "crate-wl test")
    done([path] if path else [])
    del app


def savefiles(names):
    from gi.repository import Gio, GLib
    portal = "org.freedesktop.portal.Desktop"
    path = "/org/freedesktop/portal/desktop"
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    sender = bus.get_unique_name()[1:].replace(".", "_")
    req = "%s/request/%s/t1" % (path, sender)
    loop = GLib.MainLoop()
    got = []
    # the first connection starts the sandbox's bus, and crate-wl takes
    # the portal's name a moment later: wait for it, as an app whose
    # toolkit used the bus before would have
    owned = []
    w = Gio.bus_watch_name_on_connection(
        bus, portal, Gio.BusNameWatcherFlags.NONE,
        lambda *a: (owned.append(1), loop.quit()), None)
    timer = GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    GLib.source_remove(timer) if owned else None
    Gio.bus_unwatch_name(w)

    def on_response(conn, sender_name, p, iface, signal, params):
        got.append(params.unpack())
        loop.quit()
    bus.signal_subscribe(portal, "org.freedesktop.portal.Request",
                         "Response", req, None, Gio.DBusSignalFlags.NONE,
                         on_response)
    opts = {"handle_token": GLib.Variant("s", "t1"),
            "files": GLib.Variant("aay",
                                  [n.encode() + b"\0" for n in names])}
    bus.call_sync(portal, path, "org.freedesktop.portal.FileChooser",
                  "SaveFiles",
                  GLib.Variant("(ssa{sv})", ("", "crate-wl test", opts)),
                  None, 0, 5000, None)
    loop.run()
    code, results = got[0]
    if code != 0:
        done([])
        return
    paths = [Gio.File.new_for_uri(u).get_path() for u in results["uris"]]
    done(paths)
    for p in paths:
        with open(p, "w") as f:
            f.write("saved " + p.rsplit("/", 1)[1] + "\n")


def main():
    kind = sys.argv[1]
    if kind == "gtk4":
        gtk4(sys.argv[2])
    elif kind == "qt":
        qt(sys.argv[2])
    elif kind == "savefiles":
        savefiles(sys.argv[2:])
    else:
        sys.exit("unknown " + kind)


main()

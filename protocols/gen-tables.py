#!/usr/bin/env python3
"""Generate crate-wl's interface tables from Wayland protocol XML.

The proxy parses every message from these tables: argument types, which
arguments create objects of which interface, how many fds a message carries,
which messages are destructors. Nothing about a message is written by hand.

The header also names every opcode (CW_WL_REGISTRY_BIND) and every entry of
the protocols' own enums (CW_WL_SEAT_CAPABILITY_KEYBOARD), so that no code
looks a message up by its name or spells a number the XML already says.

From the list of hooked messages (hooks.list) it writes the proxy's typed
hooks (cw-hooks.h, cw-hooks.c): per message a handler type with the
protocol's own arguments, a registration that only takes a handler of that
type and typed setters for its int, uint and fixed arguments; the function
that decodes a message's arguments and calls its handler; and per event the
proxy sends itself, a typed sender (cw_send_wl_data_source_cancelled).

usage: gen-tables.py HOOKS.list TABLES.c TABLES.h HOOKS.c HOOKS.h
                     PROTOCOL.xml...
"""
import sys
import xml.etree.ElementTree as ET

WIRE = {"int": "i", "uint": "u", "fixed": "f", "string": "s",
        "object": "o", "new_id": "n", "array": "a", "fd": "h"}


class Message:
    def __init__(self, iface, el, kind):
        self.iface = iface
        self.name = el.attrib["name"]
        self.kind = kind
        self.since = int(el.attrib.get("since", "1"))
        self.destructor = el.attrib.get("type") == "destructor"
        self.index = None  # unique across all tables, set by main()
        # (wire type, interface name or None, nullable, argument name)
        self.args = []
        for arg in el.findall("arg"):
            t = WIRE[arg.attrib["type"]]
            iface_name = arg.attrib.get("interface")
            nullable = arg.attrib.get("allow-null") == "true"
            if t == "n" and iface_name is None:
                # untyped new_id (wl_registry.bind): the interface name and
                # version travel on the wire in front of the id
                self.args.append(("s", None, False, "interface"))
                self.args.append(("u", None, False, "version"))
            self.args.append((t, iface_name, nullable, arg.attrib["name"]))

    def ident(self):
        return "%s_%s" % (self.iface.name, self.name)


class Interface:
    def __init__(self, el, source):
        self.name = el.attrib["name"]
        self.version = int(el.attrib["version"])
        self.source = source
        self.requests = [Message(self, m, "request")
                         for m in el.findall("request")]
        self.events = [Message(self, m, "event") for m in el.findall("event")]
        self.enums = []  # (name, [(entry, value)])
        for enum in el.findall("enum"):
            entries = [(e.attrib["name"], entry_value(e.attrib["value"]))
                       for e in enum.findall("entry")]
            self.enums.append((enum.attrib["name"], entries))


def entry_value(text):
    """An enum entry's value: a number, or a shift as KDE writes its
    bitfields ("1 << 3"), as the hex number wayland-scanner's C would be."""
    if "<<" in text:
        base, shift = text.split("<<")
        return hex(int(base, 0) << int(shift, 0))
    return text


def c_ident(name):
    return "cw_iface_" + name


def c_const(*parts):
    return "CW_" + "_".join(parts).upper()


def protocol_enums(ifaces, names):
    """Opcodes and the XML's enums, as C enum constants, one name each."""
    out, seen = [], {}

    def const(name, value, what):
        if name in seen:
            sys.exit("%s names both %s and %s" % (name, seen[name], what))
        seen[name] = what
        out.append("\t%s = %s," % (name, value))

    for n in names:
        iface = ifaces[n]
        for kind, msgs in (("requests", iface.requests),
                           ("events", iface.events)):
            if not msgs:
                continue
            out.append("enum { /* %s %s */" % (n, kind))
            for i, msg in enumerate(msgs):
                const(c_const(n, msg.name), i,
                      "%s.%s" % (n, msg.name))
            out.append("};")
        for enum, entries in iface.enums:
            out.append("enum { /* %s.%s */" % (n, enum))
            for entry, value in entries:
                if int(value, 0) > 0x7fffffff:
                    sys.exit("%s: %s.%s.%s = %s does not fit an enum" %
                             (iface.source, n, enum, entry, value))
                const(c_const(n, enum, entry), value,
                      "%s.%s.%s" % (n, enum, entry))
            out.append("};")
    return out


# The C type of each wire type in a handler's arguments, and the member of
# union cw_argument (proxy/wire.h) that holds it.
C_TYPE = {"i": ("int32_t", "i"), "u": ("uint32_t", "u"),
          "f": ("int32_t", "i"),  # wl_fixed_t: 24.8
          "s": ("const char *", "s"), "o": ("uint32_t", "u"),
          "n": ("uint32_t", "u"), "a": ("const struct cw_array *", "a"),
          "h": ("int32_t", "i")}
C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue",
              "default", "do", "double", "else", "enum", "extern", "float",
              "for", "goto", "if", "inline", "int", "long", "register",
              "restrict", "return", "short", "signed", "sizeof", "static",
              "struct", "switch", "typedef", "union", "unsigned", "void",
              "volatile", "while", "call", "conn", "object_id"}


def c_param(name):
    """An argument's name as a C parameter (call, conn and object_id are
    the hook's and the sender's own)."""
    return name + "_" if name in C_KEYWORDS else name


def c_decl(ctype, name):
    return ctype + ("" if ctype.endswith("*") else " ") + c_param(name)


def c_lines(head, items, tail, indent):
    """head, the items separated by commas, tail: under 80 columns."""
    lines, cur = [], head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "")
        width = len((cur + piece).rstrip().expandtabs(8))
        if width + (len(tail) if i == len(items) - 1 else 0) > 79 and \
                cur.strip() and not cur.endswith("("):
            lines.append(cur.rstrip())
            cur = indent
        cur += piece
    lines.append(cur + tail)
    return lines


def read_hooks(path, ifaces):
    """hooks.list: [(kind, message)], each message checked against XML."""
    hooks, seen = [], {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            words = line.split("#")[0].split()
            if not words:
                continue
            where = "%s:%d" % (path, lineno)
            if len(words) != 2 or \
                    words[0] not in ("request", "event", "send") or \
                    words[1].count(".") != 1:
                sys.exit("%s: not 'request|event|send INTERFACE.MESSAGE'" %
                         where)
            kind, (iname, mname) = words[0], words[1].split(".")
            iface = ifaces.get(iname)
            if iface is None:
                sys.exit("%s: no interface %s in the protocols" %
                         (where, iname))
            msgs = iface.requests if kind == "request" else iface.events
            msg = next((m for m in msgs if m.name == mname), None)
            if msg is None:
                sys.exit("%s: %s has no %s %s" % (where, iname,
                         "request" if kind == "request" else "event", mname))
            if kind == "send" and (len(msg.args) > 8 or
                                   any(t not in "iufo" for t, _, _, _ in
                                       msg.args)):
                sys.exit("%s: senders take up to 8 int, uint, fixed and "
                         "object arguments only" % where)
            key = (kind == "send", msg.ident())
            if key in seen:
                sys.exit("%s: %s already listed at line %d, or another "
                         "message has its C name" %
                         (where, words[1], seen[key]))
            seen[key] = lineno
            hooks.append((kind, msg))
    return hooks


def sender_code(sends):
    """The senders' declarations and definitions, as lists of lines."""
    h, c = ["/* events the proxy sends itself, on object_id */"], []
    for _, msg in sends:
        params = ["struct cw_conn *conn", "uint32_t object_id"] + \
            [c_decl(C_TYPE[t][0], name) for t, _, _, name in msg.args]
        decl = c_lines("void cw_send_%s(" % msg.ident(), params, ")", "\t")
        h += decl[:-1] + [decl[-1] + ";"]
        c += decl + ["{"]
        opcode = c_const(msg.iface.name, msg.name)
        if msg.args:
            words = ["(uint32_t)" + c_param(name) if t in "if" else
                     c_param(name) for t, _, _, name in msg.args]
            c += c_lines("\tconst uint32_t args[] = { ", words, " };",
                         "\t\t")
            c += c_lines("\tcw_conn_send_event(", ["conn", "object_id",
                         opcode, str(len(msg.args)), "args"], ");", "\t\t")
        else:
            c += c_lines("\tcw_conn_send_event(", ["conn", "object_id",
                         opcode, "0", "NULL"], ");", "\t\t")
        c += ["}", ""]
    return h + [""], c


def hook_code(entries):
    """cw-hooks.h and cw-hooks.c, as lists of lines."""
    hooks = [e for e in entries if e[0] != "send"]
    send_h, send_c = sender_code([e for e in entries if e[0] == "send"])
    h = ["/*",
         " * Generated by protocols/gen-tables.py from protocols/hooks.list.",
         " * Do not edit. The typed hooks of proxy/hooks.h: include that.",
         " */",
         "#ifndef CW_HOOKS_GEN_H", "#define CW_HOOKS_GEN_H", "",
         "#include <stdint.h>", '#include "verdict.h"', "",
         "struct cw_array;", "struct cw_conn;", "struct cw_hook_call;", ""]
    c = ["/* Generated by protocols/gen-tables.py from protocols/hooks.list."
         " */",
         "#include <assert.h>", "#include <string.h>", '#include "conn.h"',
         '#include "hooks.h"', ""] + send_c
    h += send_h
    for kind, msg in hooks:
        fn = "cw_hook_%s_fn" % msg.ident()
        params = ["struct cw_hook_call *call"] + \
            [c_decl(C_TYPE[t][0], name) for t, _, _, name in msg.args]
        h.append("/* %s.%s (%s) */" % (msg.iface.name, msg.name, kind))
        h += c_lines("typedef enum cw_verdict %s(" % fn, params, ");", "\t")
        h += ["#define cw_hook_%s_%s(fn) { %d, { \\" %
              (kind, msg.ident(), msg.index),
              "\t.%s = _Generic((fn), \\" % msg.ident(),
              "\t\t%s *: (fn)) } }" % fn]
        for pos, (t, _, _, name) in enumerate(msg.args):
            if t not in "iuf":
                continue
            setter = c_lines("void cw_hook_set_%s_%s(" % (msg.ident(), name),
                             ["struct cw_hook_call *call",
                              c_decl(C_TYPE[t][0], name)], ")", "\t")
            h += setter[:-1] + [setter[-1] + ";"]
            c += setter + [
                "{", "\tassert(call->msg->index == %d);" % msg.index,
                "\tmemcpy(call->data + call->args->offset[%d], &%s, 4);" %
                (pos, c_param(name)), "}", ""]
        h.append("")
    h += ["/* one member per hooked message: the handler, by its own type */",
          "union cw_hook_fn {"]
    h += ["\tcw_hook_%s_fn *%s;" % (m.ident(), m.ident()) for _, m in hooks]
    h += ["};", "",
          "/* a hook: CW_HOOK_REQUEST() and CW_HOOK_EVENT() make them */",
          "struct cw_hook {",
          "\tuint16_t index; /* the hooked message's cw_message.index */",
          "\tunion cw_hook_fn fn;", "};", "",
          "/* Decodes the call's arguments and calls hook's handler. */",
          "enum cw_verdict cw_hook_invoke(const struct cw_hook *hook,",
          "\tstruct cw_hook_call *call);", "", "#endif"]
    c += ["enum cw_verdict cw_hook_invoke(const struct cw_hook *hook,",
          "\tstruct cw_hook_call *call)", "{",
          "\tconst union cw_argument *a = call->args->value;",
          "\tswitch (hook->index) {"]
    for kind, msg in hooks:
        args = ["call"] + ["&a[%d].a" % pos if t == "a" else
                           "a[%d].%s" % (pos, C_TYPE[t][1])
                           for pos, (t, _, _, _) in enumerate(msg.args)]
        c.append("\tcase %d: /* %s.%s */" % (msg.index, msg.iface.name,
                                             msg.name))
        c += c_lines("\t\treturn hook->fn.%s(" % msg.ident(), args, ");",
                     "\t\t\t")
    c += ["\t}", "\treturn CW_PASS;", "}"]
    return h, c


def main():
    hooks_list, out_c, out_h, hooks_c, hooks_h = sys.argv[1:6]
    xmls = sys.argv[6:]
    ifaces = {}
    for path in xmls:
        root = ET.parse(path).getroot()
        for el in root.findall("interface"):
            iface = Interface(el, path)
            if iface.name in ifaces:
                sys.exit("%s: interface %s already defined in %s" %
                         (path, iface.name, ifaces[iface.name].source))
            ifaces[iface.name] = iface
    names = sorted(ifaces)

    for iface in ifaces.values():
        for msg in iface.requests + iface.events:
            for t, ref, _, _ in msg.args:
                if ref is not None and ref not in ifaces:
                    sys.exit("%s: %s.%s refers to unknown interface %s" %
                             (iface.source, iface.name, msg.name, ref))

    index = 0
    for n in names:
        for msg in ifaces[n].requests + ifaces[n].events:
            msg.index = index
            index += 1

    h = ["/* Generated by protocols/gen-tables.py. Do not edit. */",
         "#ifndef CW_PROTOCOL_TABLES_H", "#define CW_PROTOCOL_TABLES_H",
         '#include "cw-interface.h"', ""]
    for n in names:
        h.append("extern const struct cw_interface %s;" % c_ident(n))
    h += ["", "#define CW_INTERFACE_COUNT %d" % len(names)]
    nmsg = sum(len(i.requests) + len(i.events) for i in ifaces.values())
    h += ["#define CW_MESSAGE_COUNT %d" % nmsg, ""]
    h += ["/* opcodes: cw_iface_wl_registry.requests[CW_WL_REGISTRY_BIND] */"]
    h += protocol_enums(ifaces, names)
    h += ["", "#endif"]

    c = ["/* Generated by protocols/gen-tables.py. Do not edit. */",
         "#include <stddef.h>", '#include "cw-protocol-tables.h"', ""]
    for n in names:
        iface = ifaces[n]
        for kind, msgs in (("requests", iface.requests),
                           ("events", iface.events)):
            if not msgs:
                continue
            for i, msg in enumerate(msgs):
                types = ", ".join("&" + c_ident(ref) if ref else "NULL"
                                  for _, ref, _, _ in msg.args) or "NULL"
                c.append("static const struct cw_interface *const "
                         "%s_%s_%d_types[] = { %s };" %
                         (n, kind, i, types))
            c.append("static const struct cw_message %s_%s[] = {" % (n, kind))
            for i, msg in enumerate(msgs):
                sig = "".join(t for t, _, _, _ in msg.args)
                nullable = 0
                for bit, (_, _, null, _) in enumerate(msg.args):
                    if null:
                        nullable |= 1 << bit
                nfds = sig.count("h")
                flags = [f for f, types in (("CW_MSG_IDS", "on"),
                                            ("CW_MSG_VARIABLE", "sa"),
                                            ("CW_MSG_FDS", "h"))
                         if any(t in types for t in sig)]
                min_size = 8 + 4 * (len(sig) - nfds)
                required = 0
                for bit, (t, _, null, _) in enumerate(msg.args):
                    if t in "on" and not null:
                        required |= 1 << bit
                c.append('\t{ "%s", "%s", %s_%s_%d_types, 0x%xu, %d, %d, %d, '
                         '%s, %d,' %
                         (msg.name, sig, n, kind, i, nullable, msg.since,
                          len(msg.args), nfds,
                          "true" if msg.destructor else "false", msg.index))
                c.append('\t\t%s, %d, 0x%xu },' %
                         (" | ".join(flags) or "0", min_size, required))
            c.append("};")
        c.append("const struct cw_interface %s = {" % c_ident(n))
        c.append('\t"%s", %d, %d, %d, %s, %s,' %
                 (n, iface.version, len(iface.requests), len(iface.events),
                  "%s_requests" % n if iface.requests else "NULL",
                  "%s_events" % n if iface.events else "NULL"))
        c.append("};")
        c.append("")
    c.append("const struct cw_interface *const cw_interfaces[] = {")
    for n in names:
        c.append("\t&%s," % c_ident(n))
    c.append("};")
    c.append("const size_t cw_interface_count = %d;" % len(names))

    with open(out_c, "w") as f:
        f.write("\n".join(c) + "\n")
    with open(out_h, "w") as f:
        f.write("\n".join(h) + "\n")

    hh, hc = hook_code(read_hooks(hooks_list, ifaces))
    with open(hooks_c, "w") as f:
        f.write("\n".join(hc) + "\n")
    with open(hooks_h, "w") as f:
        f.write("\n".join(hh) + "\n")


if __name__ == "__main__":
    main()

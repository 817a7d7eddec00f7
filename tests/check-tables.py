#!/usr/bin/env python3
"""Checks the generated tables against the protocol XML they came from.

Reads the XML independently of the generator and compares, for every
interface: its version, and for every message in order: name, since,
the wire signature, which arguments create or name objects of which
interface, nullability, the fd count and the destructor flag. Then the
header's constants: each opcode (CW_WL_REGISTRY_BIND) and each entry of
the protocols' enums (CW_WL_SEAT_CAPABILITY_KEYBOARD), by name and value.

usage: check-tables.py TABLES-HEADER DUMP-TABLES-BINARY PROTOCOL.xml...
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

CODES = {"int": "i", "uint": "u", "fixed": "f", "string": "s",
         "object": "o", "new_id": "n", "array": "a", "fd": "h"}


def expected(paths):
    out = {}
    for path in paths:
        for iface in ET.parse(path).getroot().iter("interface"):
            lines = ["interface %s version=%s" %
                     (iface.get("name"), iface.get("version"))]
            for kind in ("request", "event"):
                for m in iface.findall(kind):
                    sig, types = "", []
                    for a in m.findall("arg"):
                        t = a.get("type")
                        null = "?" if a.get("allow-null") == "true" else ""
                        if t == "new_id" and a.get("interface") is None:
                            sig += "su"
                            types += ["-", "-"]
                        sig += CODES[t]
                        types.append((a.get("interface") or "-") + null)
                    lines.append(
                        "  %s %s since=%s sig=%s nfds=%d destructor=%d "
                        "types=%s" % (kind, m.get("name"),
                                      m.get("since", "1"), sig,
                                      sig.count("h"),
                                      m.get("type") == "destructor",
                                      ",".join(types)))
            out[iface.get("name")] = lines
    return out


def entry_value(text):
    # KDE writes bitfields as shifts: "1 << 3"
    if "<<" in text:
        base, shift = text.split("<<")
        return int(base, 0) << int(shift, 0)
    return int(text, 0)


def expected_constants(paths):
    out = {}
    for path in paths:
        for iface in ET.parse(path).getroot().iter("interface"):
            name = iface.get("name")
            for kind in ("request", "event"):
                for i, m in enumerate(iface.findall(kind)):
                    out["CW_%s_%s" % (name, m.get("name"))] = i
            for enum in iface.findall("enum"):
                for e in enum.findall("entry"):
                    out["CW_%s_%s_%s" % (name, enum.get("name"),
                                         e.get("name"))] = \
                        entry_value(e.get("value"))
    return {k.upper(): v for k, v in out.items()}


def actual_constants(header):
    with open(header) as f:
        return {m.group(1): int(m.group(2), 0) for m in
                re.finditer(r"^\t(CW_[A-Z0-9_]+) = (\w+),$", f.read(),
                            re.M)}


def actual(binary):
    text = subprocess.run([binary], check=True, capture_output=True,
                          text=True).stdout
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("interface "):
            cur = line.split()[1]
            out[cur] = []
        out[cur].append(line)
    return out


def main():
    exp = expected(sys.argv[3:])
    act = actual(sys.argv[2])
    errors = 0
    exp_const = expected_constants(sys.argv[3:])
    act_const = actual_constants(sys.argv[1])
    for name in sorted(set(exp_const) | set(act_const)):
        if exp_const.get(name) != act_const.get(name):
            print("constant %s: xml %s, header %s" %
                  (name, exp_const.get(name), act_const.get(name)))
            errors += 1
    for name in sorted(set(exp) | set(act)):
        if name not in act:
            print("missing from the tables: %s" % name)
            errors += 1
        elif name not in exp:
            print("in the tables but in no XML: %s" % name)
            errors += 1
        elif exp[name] != act[name]:
            errors += 1
            print("mismatch in %s:" % name)
            for e, a in zip(exp[name], act[name]):
                if e != a:
                    print("  xml:    %s\n  tables: %s" % (e, a))
            if len(exp[name]) != len(act[name]):
                print("  message counts differ: xml %d, tables %d" %
                      (len(exp[name]) - 1, len(act[name]) - 1))
    nmsg = sum(len(v) - 1 for v in exp.values())
    print("%d interfaces, %d messages, %d constants checked, "
          "%d mismatches" % (len(exp), nmsg, len(exp_const), errors))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks the generated tables against the protocol XML they came from.

Reads the XML independently of the generator and compares, for every
interface: its version, and for every message in order: name, since,
the wire signature, which arguments create or name objects of which
interface, nullability, the fd count and the destructor flag.

usage: check-tables.py DUMP-TABLES-BINARY PROTOCOL.xml...
"""
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
    exp = expected(sys.argv[2:])
    act = actual(sys.argv[1])
    errors = 0
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
    print("%d interfaces, %d messages checked, %d mismatches" %
          (len(exp), nmsg, errors))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

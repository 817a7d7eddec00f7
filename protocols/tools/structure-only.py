#!/usr/bin/env python3
"""Reduce a Wayland protocol definition to its wire structure.

crate-wl keeps, for protocols that Debian does not ship, only the facts the
proxy needs: interface names and versions, messages, argument names and
types, the interfaces of object arguments, nullability, and enums. Prose
(descriptions, summaries, copyright) is dropped on purpose: it is not ours
and the proxy never reads it.

usage: structure-only.py UPSTREAM.xml > protocols/NAME.xml
"""
import sys
import xml.etree.ElementTree as ET

KEEP = {
    "protocol": ("name",),
    "interface": ("name", "version"),
    "request": ("name", "type", "since"),
    "event": ("name", "type", "since"),
    "arg": ("name", "type", "interface", "allow-null", "enum"),
    "enum": ("name", "bitfield", "since"),
    "entry": ("name", "value", "since"),
}


def attrs(el):
    out = []
    for key in KEEP[el.tag]:
        if key in el.attrib:
            out.append('%s="%s"' % (key, el.attrib[key]))
    return " ".join(out)


def emit(el, depth, lines):
    children = [c for c in el if c.tag in KEEP]
    pad = "  " * depth
    if not children:
        lines.append("%s<%s %s/>" % (pad, el.tag, attrs(el)))
        return
    lines.append("%s<%s %s>" % (pad, el.tag, attrs(el)))
    for c in children:
        emit(c, depth + 1, lines)
    lines.append("%s</%s>" % (pad, el.tag))


def main():
    root = ET.parse(sys.argv[1]).getroot()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             "<!-- Structure-only definition for crate-wl's tables: wire"
             " format facts, no prose. Regenerate with"
             " protocols/tools/structure-only.py. -->"]
    emit(root, 0, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

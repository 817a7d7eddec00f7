#!/usr/bin/env python3
"""A hook with the wrong signature does not build.

Compiles small files against proxy/hooks.h with the compiler of the build
and no -Werror: the right handler must compile; a handler of any other
type, a request registered as an event, a message hooks.list does not name
and a misspelt message must each be a compile error, and the error must be
about that hook (not a missing header). TAP output.

usage: hook-types.py CC... -- CFLAGS...   (the -I of proxy/ and protocols/)
"""
import os
import re
import subprocess
import sys
import tempfile

HEADER = """#include "hooks.h"
"""

RIGHT = """
static enum cw_verdict on_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
	return CW_PASS;
}
"""

# (what, handler definition, registration, what the error must name)
CASES = [
    ("a string argument taken as uint32_t", """
static enum cw_verdict on_global(struct cw_hook_call *call, uint32_t name,
	uint32_t interface, uint32_t version)
{
	return CW_PASS;
}
""", "CW_HOOK_EVENT(wl_registry, global, on_global)", "_Generic|generic"),
    ("an argument missing", """
static enum cw_verdict on_global(struct cw_hook_call *call, uint32_t name,
	const char *interface)
{
	return CW_PASS;
}
""", "CW_HOOK_EVENT(wl_registry, global, on_global)", "_Generic|generic"),
    ("an argument too many", """
static enum cw_verdict on_remove(struct cw_hook_call *call, uint32_t name,
	uint32_t extra)
{
	return CW_PASS;
}
""", "CW_HOOK_EVENT(wl_registry, global_remove, on_remove)",
     "_Generic|generic"),
    ("a handler that returns nothing", """
static void on_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
}
""", "CW_HOOK_EVENT(wl_registry, global, on_global)", "_Generic|generic"),
    ("a request registered as an event", RIGHT,
     "CW_HOOK_EVENT(wl_registry, bind, on_global)",
     "cw_hook_event_wl_registry_bind"),
    ("a message hooks.list does not name", """
static enum cw_verdict on_keymap(struct cw_hook_call *call, uint32_t format,
	int32_t fd, uint32_t size)
{
	return CW_PASS;
}
""", "CW_HOOK_EVENT(wl_keyboard, keymap, on_keymap)",
     "cw_hook_event_wl_keyboard_keymap"),
    ("a misspelt message", RIGHT,
     "CW_HOOK_EVENT(wl_registry, glboal, on_global)",
     "cw_hook_event_wl_registry_glboal"),
]


def compile_c(cc, cflags, text, tmp):
    path = os.path.join(tmp, "hook.c")
    with open(path, "w") as f:
        f.write(text)
    # no -Werror: a wrong hook must be an error whatever the flags
    r = subprocess.run(cc + ["-std=c11", "-D_GNU_SOURCE", "-fsyntax-only"] +
                       cflags + [path], capture_output=True, text=True)
    return r.returncode, r.stderr


def source(handler, registration):
    return "%s%s\nstatic const struct cw_hook hooks[] = {\n\t%s,\n};\n" \
        "const struct cw_hook *hook_types_test(void);\n" \
        "const struct cw_hook *hook_types_test(void)\n" \
        "{\n\treturn hooks;\n}\n" % (HEADER, handler, registration)


def main():
    sep = sys.argv.index("--")
    cc, cflags = sys.argv[1:sep], sys.argv[sep + 1:]
    n, failed = 0, 0

    def ok(cond, what, detail=""):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
        if not cond:
            failed += 1
            for line in detail.splitlines()[:15]:
                print("#   " + line)

    with tempfile.TemporaryDirectory() as tmp:
        rc, err = compile_c(cc, cflags, source(
            RIGHT, "CW_HOOK_EVENT(wl_registry, global, on_global)"), tmp)
        ok(rc == 0, "the handler of wl_registry.global's own type builds",
           err)
        if rc != 0:
            print("Bail out! the right hook does not build either")
            sys.exit(1)
        for what, handler, registration, expect in CASES:
            rc, err = compile_c(cc, cflags, source(handler, registration),
                                tmp)
            ok(rc != 0 and re.search(expect, err) is not None,
               "%s does not build: %s" % (what, registration),
               err if rc != 0 else "it compiled")
    print("1..%d" % n)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

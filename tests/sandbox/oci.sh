#!/bin/bash
# oci.sh CRATE_WL root|nobody: --root oci:DIR[:REF], from a layout this test
# builds from busybox-static.
CRATE_WL=$1
. "$(dirname "$0")/common.sh" "$2"
here=$(cd "$(dirname "$0")" && pwd)
need python3 busybox
bb=$(command -v busybox)
file -L "$bb" 2>/dev/null | grep -q "statically linked" ||
	ldd "$bb" 2>&1 | grep -q "not a dynamic" ||
	skip "$bb is not statically linked (install busybox-static)"

L=$T/layout
python3 "$here/mkoci.py" "$L" "$bb" || fail "cannot build the layout"
chmod -R a+rX "$L"
mkdir -m 777 "$T/outside"

out=$(cw run --no-wayland --root "oci:$L:latest" -- /bin/sh -c \
	'/bin/busybox test ! -e /etc/hello && /bin/busybox cat /etc/keep && /bin/busybox ls /dir') ||
	fail "latest: $out"
[ "$(echo $out)" = "keep c" ] ||
	fail "whiteout or opaque directory not honoured: $(echo $out)"
pass "an upper layer's whiteout and opaque directory are honoured"

out=$(cw run --no-wayland --root "oci:$L:lower" -- /bin/sh -c \
	'/bin/busybox cat /etc/hello; /bin/busybox ls /dir') || fail "lower: $out"
[ "$(echo $out)" = "lower a b" ] || fail "lower image: $(echo $out)"
pass "REF picks the image"

cache=$XDG_CACHE_HOME/crate-wl/oci
n=$(ls "$cache" | grep -c '^sha256-')
[ "$n" = 2 ] || fail "expected 2 unpacked images in the cache, found $n"
dir=$(ls -d "$cache"/sha256-*/rootfs | head -1)
before=$(stat -c %i "$dir")
cw run --no-wayland --root "oci:$L:latest" -- /bin/sh -c : || fail "cached run"
cw run --no-wayland --root "oci:$L:lower" -- /bin/sh -c : || fail "cached run"
[ "$(stat -c %i "$dir")" = "$before" ] || fail "unpacked again"
ls -A "$cache" | grep -q '^\.unpack' && fail "a temporary directory is left"
pass "unpacked once, content-addressed by the manifest's digest"

# a sandbox given the cache's parent cannot reach the unpacked layers (a
# later sandbox runs from them): the cache is hidden, and the image's own
# tree is read-only
out=$(cw run --no-wayland --root "oci:$L:latest" --bind "$XDG_CACHE_HOME" -- \
	/bin/sh -c "/bin/busybox ls -A '$XDG_CACHE_HOME/crate-wl'; \
	/bin/busybox touch /etc/planted '$XDG_CACHE_HOME/crate-wl/planted' \
	2>/dev/null; echo end") || fail "the cache bound: $out"
[ "$(echo $out)" = "end" ] || fail "the cache shows in the sandbox: $(echo $out)"
find "$XDG_CACHE_HOME/crate-wl" -name planted | grep -q . &&
	fail "the sandbox wrote the cache"
pass "the unpacked layers are out of a sandbox's reach, and read-only"

# the image's config: Env, WorkingDir, and Entrypoint + Cmd when no
# COMMAND is given
out=$(cw run --no-wayland --root "oci:$L:cmd" 2>&1) || fail "cmd: $out"
[ "$out" = "hello from the image
/etc" ] || fail "the image's Entrypoint, Cmd, Env or WorkingDir not honoured: $out"
pass "no COMMAND: the image's Entrypoint and Cmd ran, with its Env and WorkingDir"
out=$(cw run --no-wayland --root "oci:$L:cmd" --env GREETING=mine 2>&1) ||
	fail "cmd --env: $out"
[ "$(echo $out)" = "mine /etc" ] || fail "--env does not win over the image's Env: $out"
out=$(cw run --no-wayland --root "oci:$L:cmd" -- /bin/sh -c \
	'echo "$GREETING:$PATH"' 2>&1) || fail "cmd with COMMAND: $out"
[ "$out" = "hello from the image:/bin" ] ||
	fail "with a COMMAND, the image's Env is not there: $out"
pass "the image's Env holds with a COMMAND too, and --env wins over it"
out=$(cw run --dry-run --root "oci:$L:cmd" 2>&1) || fail "cmd --dry-run: $out"
echo "$out" | grep -qx 'command: /bin/sh -c echo "$GREETING"; pwd' ||
	fail "--dry-run does not show the image's command: $out"
cw run --no-wayland --root "oci:$L:lower" 2>"$T/err" &&
	fail "an image without Cmd ran without a COMMAND"
grep -q "the image has no Entrypoint or Cmd" "$T/err" ||
	fail "no clear error: $(cat "$T/err")"
cw run --no-wayland --root "oci:$L:badconf" -- /bin/sh -c : 2>"$T/err" &&
	fail "an image with a bad config ran"
grep -q "Env is not a list of strings" "$T/err" ||
	fail "no clear error: $(cat "$T/err")"
pass "no Cmd, or a bad config: clear errors ($(tail -1 "$T/err"))"

# an index pointing to an index: this machine's platform is taken
out=$(cw run --no-wayland --root "oci:$L:nested" -- /bin/sh -c \
	'/bin/busybox test ! -e /etc/hello && /bin/busybox ls /dir') ||
	fail "nested: $out"
[ "$(echo $out)" = "c" ] || fail "nested index: not this platform's image: $(echo $out)"
cw run --no-wayland --root "oci:$L:foreign" -- /bin/sh -c : 2>"$T/err" &&
	fail "an image for another platform ran"
grep -q "0 of them for linux/" "$T/err" || fail "no clear error: $(cat "$T/err")"
pass "a nested index: this platform's image; none: $(tail -1 "$T/err")"

cw run --no-wayland --root "oci:$L:evil" -- /bin/sh -c : 2>"$T/err"
for f in "$T/escaped-dotdot" /escaped-absolute "$T/outside/escaped-symlink"; do
	[ -e "$f" ] && { rm -f "$f"; fail "a layer wrote $f"; }
done
pass "members that try to leave the root stay inside ($(tail -1 "$T/err"))"

cw run --no-wayland --root "oci:$L:nosuch" -- /bin/sh -c : 2>"$T/err" &&
	fail "a missing REF ran"
grep -q "nosuch" "$T/err" || fail "no clear error: $(cat "$T/err")"
cw run --no-wayland --root "oci:$L" -- /bin/sh -c : 2>"$T/err" &&
	fail "an ambiguous layout ran"
grep -q "give oci:DIR:REF" "$T/err" || fail "no clear error: $(cat "$T/err")"

# crate-wl gc (issue 16, item 7): what no sandbox holds goes, what one
# holds stays and keeps working, and a later run unpacks it again
$RUNAS "$CRATE_WL" run --no-wayland --root "oci:$L:latest" -- /bin/sh -c \
	'/bin/busybox echo up; /bin/busybox sleep 3; /bin/busybox cat /etc/keep' \
	>"$T/held" 2>&1 &
held=$!
track $held
for _ in $(seq 1 200); do grep -q up "$T/held" && break; sleep 0.02; done
n=$(ls "$cache" | grep -c '^sha256-')
as_user "$CRATE_WL" gc --dry-run >"$T/gc" || fail "gc --dry-run: $(cat "$T/gc")"
grep -c "^in use, kept:" "$T/gc" | grep -qx 1 &&
	grep -c "^would remove" "$T/gc" | grep -qx $((n - 1)) ||
	fail "gc --dry-run: $(cat "$T/gc") [$(ls -A "$cache")]"
[ "$(ls "$cache" | grep -c '^sha256-')" = $n ] || fail "--dry-run removed something"
as_user "$CRATE_WL" gc >"$T/gc" || fail "gc: $(cat "$T/gc")"
[ "$(ls -A "$cache" | grep -c .)" = 1 ] ||
	fail "gc left $(ls -A "$cache"): $(cat "$T/gc")"
wait $held || fail "the sandbox using the kept image failed: $(cat "$T/held")"
grep -q keep "$T/held" || fail "the kept image changed under its sandbox"
as_user "$CRATE_WL" gc >"$T/gc" || fail "gc: $(cat "$T/gc")"
[ -z "$(ls -A "$cache")" ] || fail "gc left $(ls -A "$cache") once nothing ran"
cw run --no-wayland --root "oci:$L:lower" -- /bin/busybox cat /etc/hello \
	>/dev/null || fail "an image gc removed does not unpack again"
pass "gc removes what no sandbox holds, keeps what one does"

# on a terminal, the unpacking says how far it is (issue 16, item 7); not
# otherwise. And the terminal relay works over an image's root.
need script
rm -rf "$cache"
out=$(script -qec "$RUNAS $(realpath "$CRATE_WL") run --no-wayland --root oci:$L:latest -- /bin/busybox echo ran-ok" /dev/null | tr '\r' '\n')
echo "$out" | grep -q "unpacking oci:$L:latest: layer 1 of 2" &&
	echo "$out" | grep -q "unpacked oci:$L:latest: 2 layers" ||
	fail "no progress on a terminal: $out"
echo "$out" | grep -qx "ran-ok" || fail "the command did not run on a terminal: $out"
rm -rf "$cache"
cw run --no-wayland --root "oci:$L:latest" -- /bin/busybox true 2>"$T/err" ||
	fail "unpack without a terminal: $(cat "$T/err")"
grep -q "unpack" "$T/err" && fail "progress without a terminal: $(cat "$T/err")"
pass "progress on a terminal only"

# a corrupt layer: refused, and nothing is unpacked
export XDG_CACHE_HOME=$T/cache2
mkdir -m 700 "$XDG_CACHE_HOME" && chown "$U:$U" "$XDG_CACHE_HOME"
cw run --dry-run --root "oci:$L:latest" -- /bin/sh -c : >/dev/null ||
	fail "--dry-run of an image"
[ -e "$XDG_CACHE_HOME/crate-wl/oci" ] && fail "--dry-run unpacked the image"
big=$(ls -S "$L/blobs/sha256" | head -1)
chmod u+w "$L/blobs/sha256/$big"
printf 'X' | dd of="$L/blobs/sha256/$big" bs=1 seek=1000 conv=notrunc 2>/dev/null
cw run --no-wayland --root "oci:$L:latest" -- /bin/sh -c : 2>"$T/err" &&
	fail "a corrupt layer ran"
grep -q "does not match its digest" "$T/err" || fail "no digest error: $(cat "$T/err")"
ls "$XDG_CACHE_HOME/crate-wl/oci" 2>/dev/null | grep -q . &&
	fail "a corrupt image left files in the cache"
pass "digests are verified"

#!/bin/bash
# info.sh CRATE_WL: crate-wl info says what an app may do, in words and in
# JSON, where each line came from (manifest, the user's override, the
# default) and what the user answered before; a wrong name or a broken
# manifest is one line (issue 16, items 2 and 3). Nothing runs: no
# compositor, no sandbox.
CRATE_WL=$1
. "$(dirname "$0")/../lib.sh"
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_CONFIG_HOME=$T/config \
	XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state CRATE_WL_APPS=$T/apps
mkdir -m 700 "$HOME" "$XDG_RUNTIME_DIR"
mkdir -p "$T/apps" "$T/files"
cat > "$T/apps/viewer.crate" <<EOT
[app]
name = viewer
description = Looks at pictures
exec = true
[sandbox]
net = nat
ro-bind = $T/files
[wayland]
screencopy = ask
[media]
microphone = ask
[portals]
notifications = deny
EOT
cp "$T/apps/viewer.crate" "$T/viewer.before"

out=$("$CRATE_WL" info viewer 2>&1) || fail "info: $out"
line() { echo "$out" | grep -E "^$1 " || fail "no '$1' line: $out"; }
line network | grep -q "the internet.*\[manifest\]" || fail "network: $out"
line screen | grep -q "after asking you.*\[manifest\]" || fail "screen: $out"
line microphone | grep -q "after asking you.*\[manifest\]" ||
	fail "microphone: $out"
line camera | grep -q "no  \[default\]" || fail "camera: $out"
line clipboard | grep -q "keyboard  \[default\]" || fail "clipboard: $out"
line links | grep -q "after asking you  \[default\]" || fail "links: $out"
line notices | grep -q "no  \[manifest\]" || fail "notices: $out"
echo "$out" | grep -q "^            $T/files, read-only  \[manifest\]$" ||
	fail "files: $out"
block() { echo "$out" | sed -n "/^ *$1:/,/^ *[a-z]* *[a-z]*:/p"; }
block asked | grep -q zwlr_screencopy_manager_v1 ||
	fail "the asked globals are not named: $out"
block hidden | grep -q zwlr_data_control_manager_v1 ||
	fail "the hidden globals are not named: $out"
line remembered | grep -q nothing || fail "remembered: $out"
pass "info: the manifest's grants in words, with their origin"

# the user's changes: shown as theirs, the manifest untouched
mkdir "$T/more"
"$CRATE_WL" override viewer sandbox.net=none media.microphone=deny \
	"sandbox.bind=$T/more" >/dev/null || fail "override"
out=$("$CRATE_WL" info viewer 2>&1) || fail "info: $out"
line network | grep -q "none.*\[override\]" || fail "network: $out"
line microphone | grep -q "no  \[override\]" || fail "microphone: $out"
line screen | grep -q "\[manifest\]" || fail "screen: $out"
echo "$out" | grep -q "^            $T/files, read-only  \[manifest\]$" &&
	echo "$out" | grep -q "^            $T/more, read-write  \[override\]$" ||
	fail "the binds' origins: $out"
echo "$out" | grep -q "changed   by you in $XDG_CONFIG_HOME/crate-wl/overrides/viewer" ||
	fail "the override file is not named: $out"
cmp -s "$T/apps/viewer.crate" "$T/viewer.before" || fail "the manifest changed"
pass "info: overrides shown as the user's"

# remembered answers
"$CRATE_WL" permissions grant viewer screencopy allow >/dev/null ||
	fail "grant"
"$CRATE_WL" permissions grant viewer camera deny >/dev/null || fail "grant"
out=$("$CRATE_WL" info viewer 2>&1) || fail "info: $out"
echo "$out" | grep -q "screencopy: always allowed" || fail "remembered: $out"
echo "$out" | grep -q "camera: never allowed" || fail "remembered: $out"
pass "info: remembered answers"

# JSON, for scripts: the same facts
"$CRATE_WL" info --json viewer > "$T/json" || fail "info --json"
python3 - "$T/json" "$T/files" <<'EOT' || fail "json: $(cat "$T/json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["name"] == "viewer" and j["installed"] is True, j
assert j["network"] == "none" and j["origins"]["network"] == "override", j
assert j["media"]["microphone"] == "deny", j
assert j["portals"] == {"open_uri": "ask", "notifications": "deny"}, j
assert j["display"]["screencopy"] == "ask", j
assert "zwlr_screencopy_manager_v1" in j["display"]["asked"], j
assert "wl_compositor" in j["display"]["offered"], j
assert j["files"]["binds"][0] == {"source": sys.argv[2],
	"inside": sys.argv[2], "read_only": True, "origin": "manifest"}, j
assert j["files"]["binds"][1]["origin"] == "override", j
assert j["remembered"] == {"screencopy": "allow", "camera": "deny"}, j
EOT
pass "info --json"

# a strict policy hides the desktop's protocols too; no display, none
printf '[app]\nname = strict\nexec = true\n[wayland]\npolicy = strict\n' \
	> "$T/apps/strict.crate"
out=$("$CRATE_WL" info strict) || fail "info strict"
block hidden | grep -q xdg_activation_v1 || fail "strict: $out"
printf '[app]\nname = blind\nexec = true\n[sandbox]\nwayland = false\n' \
	> "$T/apps/blind.crate"
out=$("$CRATE_WL" info blind) || fail "info blind"
echo "$out" | grep -q "^display     none" || fail "no display: $out"
echo "$out" | grep -q "^screen" && fail "a screen line without a display"
pass "info: strict and no display"

# wrong input: one line, exit 1 or 2
"$CRATE_WL" info nosuch >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(wc -l < "$T/err")" = 1 ] || fail "unknown app: $(cat "$T/err")"
printf '[app]\nname = broken\nexec = true\n[sandbox]\nnet = wide\n' \
	> "$T/apps/broken.crate"
"$CRATE_WL" info broken >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(wc -l < "$T/err")" = 1 ] &&
	grep -q "broken.crate:5" "$T/err" || fail "broken: $(cat "$T/err")"
"$CRATE_WL" info >/dev/null 2>"$T/err"
[ $? = 2 ] || fail "no app: $(cat "$T/err")"
pass "info: a wrong name or manifest is one line"

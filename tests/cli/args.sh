#!/bin/bash
# args.sh CRATE_WL: every subcommand reads its arguments the same way: -h
# and --help print its usage on stdout and exit 0, `crate-wl help CMD` is
# `crate-wl CMD --help`, and a wrong option, subcommand or command is one
# line on stderr, exit 2, with the nearest right one where one is close.
CRATE_WL=$1
. "$(dirname "$0")/../lib.sh"
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_STATE_HOME=$T/state
mkdir -m 700 "$HOME" "$XDG_RUNTIME_DIR"

cmds="proxy permissions run app list info override ps enter stop install uninstall gc reset-data"

# runs crate-wl with the rest; its stdout in $T/out, stderr in $T/err, its
# status in $rc
cw_() {
	"$CRATE_WL" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

for c in $cmds; do
	for h in -h --help; do
		cw_ "$c" "$h"
		[ $rc = 0 ] || fail "$c $h: exit $rc: $(cat "$T/err")"
		grep -q "^usage: crate-wl $c" "$T/out" ||
			fail "$c $h: no usage on stdout: $(head -c 300 "$T/out")"
		[ -s "$T/err" ] && fail "$c $h wrote to stderr: $(cat "$T/err")"
	done
	cp "$T/out" "$T/help-$c"
	cw_ help "$c"
	[ $rc = 0 ] || fail "help $c: exit $rc"
	cmp -s "$T/out" "$T/help-$c" ||
		fail "help $c is not $c --help: $(head -3 "$T/out")"
done
pass "-h, --help and help CMD for $cmds"

# one line, exit 2, the suggestion
bad() {
	local want=$1
	shift
	cw_ "$@"
	[ $rc = 2 ] || fail "$*: exit $rc, not 2: $(cat "$T/err")"
	[ "$(wc -l < "$T/err")" = 1 ] ||
		fail "$*: not one line: $(cat "$T/err")"
	grep -qF -- "$want" "$T/err" ||
		fail "$*: no '$want' in: $(cat "$T/err")"
	[ -s "$T/out" ] && fail "$*: wrote to stdout: $(head -3 "$T/out")"
	pass "$*: $(cat "$T/err")"
}
bad "did you mean --bind?" run --bnid /x -- true
bad "did you mean --no-wayland?" run --no-wayladn -- true
bad "did you mean --policy?" proxy --polcy x
bad "did you mean --timeout?" stop --timout 3 x
bad "did you mean --yes?" app --yse foo
bad "did you mean --force?" install --froce x.crate
bad "did you mean 'revoke'?" permissions revok app screencopy
bad "did you mean 'run'?" rn -- true
bad "did you mean 'install'?" isntall x.crate
bad "--bind needs a value" run --bind
bad "--trace takes no value" run --trace=1 -- true
bad "unknown option --zzzzzz" run --zzzzzz
bad "unknown command 'zzzzzz'" zzzzzz
bad "takes no arguments" ps extra
bad "which sandbox?" enter
bad "which manifest?" install

# crate-wl list: the apps by name, where from, whether each can run
mkdir "$T/apps"
printf '[app]\nname = here\ndescription = Here\nexec = sh\n' > "$T/apps/here.crate"
printf '[app]\nname = gone\nexec = crate-wl-no-such-program\npackage = no-such-pkg\n' \
	> "$T/apps/gone.crate"
printf '[app]\nname = bad\nexec =\n' > "$T/apps/bad.crate"
mkdir -p "$HOME/.config/crate-wl/apps"
cp "$T/apps/here.crate" "$HOME/.config/crate-wl/apps/"
CRATE_WL_APPS=$T/apps XDG_CONFIG_HOME=$HOME/.config "$CRATE_WL" list \
	>"$T/out" 2>"$T/err" || fail "list: exit $?: $(cat "$T/err")"
grep -q "^here  *ready  *Here" "$T/out" || fail "list: no ready 'here': $(cat "$T/out")"
grep -q "^gone  *missing .*(apt install no-such-pkg)" "$T/out" ||
	fail "list: no missing 'gone' with its package: $(cat "$T/out")"
grep -q "^bad  *broken" "$T/out" || fail "list: no broken 'bad': $(cat "$T/out")"
grep -q "^here  *hidden" "$T/out" ||
	fail "list: the config's 'here' is not shown hidden: $(cat "$T/out")"
CRATE_WL_APPS=$T/apps XDG_CONFIG_HOME=$HOME/.config "$CRATE_WL" list --json \
	> "$T/json" || fail "list --json"
python3 -c '
import json, sys
apps = [json.loads(l) for l in open(sys.argv[1])]
by = {(a["name"], a["shadowed"]): a for a in apps}
assert by[("here", False)]["present"] and by[("here", False)]["path"].endswith("/apps/here.crate")
assert by[("here", True)]["shadowed"]
assert not by[("gone", False)]["present"] and by[("gone", False)]["package"] == "no-such-pkg"
assert not by[("bad", False)]["usable"]
' "$T/json" || fail "list --json: $(cat "$T/json")"
pass "list: ready, missing with its package, broken, hidden; --json"

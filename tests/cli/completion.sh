#!/bin/bash
# completion.sh CRATE_WL SRCDIR: the shell completions offer crate-wl's
# commands, each command's options, the apps and the permission verbs.
# bash and fish are driven for real (fish: complete -C); zsh's completion
# system cannot run without a terminal, so its file is only parsed.
CRATE_WL=$1
SRC=$2
. "$(dirname "$0")/../lib.sh"
mkdir "$T/bin" "$T/apps"
ln -s "$(realpath "$CRATE_WL")" "$T/bin/crate-wl"
cp "$SRC/apps/foot.crate" "$T/apps/"
export PATH="$T/bin:$PATH" CRATE_WL_APPS="$T/apps" HOME=$T/home
mkdir -m 700 "$HOME"
D=$SRC/cli/completions

# bash: COMP_WORDS as the shell makes them; prints COMPREPLY, a line each
bash_complete() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_crate_wl; printf "%s\n" "${COMPREPLY[@]}"' _ "$D/crate-wl.bash" "$@"
}
expect() {
	local got=$1 want=$2 what=$3
	printf '%s\n' "$got" | grep -qx -- "$want" ||
		fail "$what: no '$want' in: $(printf '%s' "$got" | tr '\n' ' ')"
}
expect "$(bash_complete crate-wl r)" run "bash: crate-wl r"
expect "$(bash_complete crate-wl run --bi)" --bind "bash: run --bi"
expect "$(bash_complete crate-wl run --no-w)" --no-wayland "bash: run --no-w"
expect "$(bash_complete crate-wl proxy --pol)" --policy "bash: proxy --pol"
expect "$(bash_complete crate-wl app fo)" foot "bash: app fo"
expect "$(bash_complete crate-wl info fo)" foot "bash: info fo"
expect "$(bash_complete crate-wl override fo)" foot "bash: override fo"
expect "$(bash_complete crate-wl permissions rev)" revoke "bash: permissions rev"
expect "$(bash_complete crate-wl help ins)" install "bash: help ins"
[ -z "$(bash_complete crate-wl run --zzz)" ] || fail "bash offers --zzz"
pass "bash completes commands, options, apps and verbs"

if command -v fish >/dev/null; then
	fish_complete() {
		fish -c "source $D/crate-wl.fish; complete -C '$1'" | cut -f1
	}
	expect "$(fish_complete 'crate-wl r')" run "fish: crate-wl r"
	expect "$(fish_complete 'crate-wl run --bi')" --bind "fish: run --bi"
	expect "$(fish_complete 'crate-wl app fo')" foot "fish: app fo"
	expect "$(fish_complete 'crate-wl info fo')" foot "fish: info fo"
	expect "$(fish_complete 'crate-wl permissions rev')" revoke \
		"fish: permissions rev"
	pass "fish completes commands, options, apps and verbs"
else
	skip "fish is not installed (scripts/packages/test.txt has it)"
fi
if command -v zsh >/dev/null; then
	zsh -n "$D/_crate-wl" || fail "zsh cannot parse _crate-wl"
	head -1 "$D/_crate-wl" | grep -qx '#compdef crate-wl' ||
		fail "_crate-wl does not start with #compdef crate-wl"
	pass "zsh parses _crate-wl"
else
	skip "zsh is not installed (scripts/packages/test.txt has it)"
fi

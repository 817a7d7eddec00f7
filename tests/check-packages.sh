#!/bin/bash
# check-packages.sh SOURCE_ROOT: every package the build and the tests need
# is in a list of scripts/packages/, so that scripts/demo and scripts/test
# install it on a fresh machine:
#  - each dependency() of each meson.build, through the package of its .pc
#    file (pkg-config --path, dpkg -S), is in the build list;
#  - each program a test declares with need (tests/lib.sh), and each
#    shipped manifest's exec (the gui-app tests run them), through its
#    package (command -v, dpkg -S), is in a list scripts/test installs for
#    the whole suite (its suite_lists), unless Debian installs
#    it everywhere (Essential, or Priority required: a minbase root has it).
SRC=${1:?usage: check-packages.sh SOURCE_ROOT}
CRATE_WL=${CRATE_WL:-none}
. "$SRC/tests/lib.sh"
need pkg-config dpkg-query

listed() {
	sed 's/#.*//' "$@" | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u
}
# a list's package, or one it depends on directly (pkg-config is pkgconf's,
# python3 python3-minimal's)
# shellcheck disable=SC2046 # one package name a word
closure() {
	sort -u "$1" - <<-EOF
	$(dpkg-query -W -f='${Depends},${Pre-Depends}\n' $(cat "$1") 2>/dev/null |
		tr ',|' '\n\n' | sed 's/^ *\([^ :]*\).*/\1/' | sed '/^$/d')
	EOF
}
listed "$SRC"/scripts/packages/build.txt > "$T/build.txt"
suite_lists=$(sed -n 's/^suite_lists="\(.*\)"$/\1/p' "$SRC/scripts/test")
[ -n "$suite_lists" ] || fail "no suite_lists in $SRC/scripts/test"
# shellcheck disable=SC2046,SC2086 # one list a word
listed $(printf "$SRC/scripts/packages/%s.txt " $suite_lists) > "$T/all.txt"
closure "$T/build.txt" > "$T/build"
closure "$T/all.txt" > "$T/all"

# candidates PATH: the names dpkg may know PATH by (merged /usr: /bin/x
# for /usr/bin/x; an alternative is owned where it points)
candidates() {
	echo "$1" "${1#/usr}" "/usr$1" "$(realpath "$1")"
}
# owners PATH...: learns the package of each candidate name of each PATH,
# with one dpkg-query (it reads its whole database each time)
declare -A OWNER
# shellcheck disable=SC2046 # one path a word
owners() {
	local pkg path
	while read -r pkg path; do
		OWNER[$path]=${pkg%%[:,]*}
	done < <(dpkg-query -S $(for p in "$@"; do candidates "$p"; done) \
		2>/dev/null | grep -v '^diversion' | sed 's/: \//: \//')
}
# owner PATH: the package that installed PATH, once owners knows it
owner() {
	local p
	for p in $(candidates "$1"); do
		[ -n "${OWNER[$p]:-}" ] && echo "${OWNER[$p]}" && return 0
	done
	return 1
}

# everywhere PKG: Debian installs PKG on every system
everywhere() {
	case $(dpkg-query -W -f='${Essential} ${Priority}' "$1" 2>/dev/null) in
	yes*|*required) return 0 ;;
	*) return 1 ;;
	esac
}

errors=
missing=

# the build: dependency('NAME' ...) in every meson.build
deps=$(find "$SRC" -name meson.build -not -path "$SRC/build*/*" \
	-exec grep -ho "dependency('[^']*'" {} + |
	sed "s/dependency('\(.*\)'/\1/" | grep -vx threads | sort -u)
[ -n "$deps" ] || fail "no dependency() found under $SRC"
declare -A PC
for dep in $deps; do
	PC[$dep]=$(pkg-config --path "$dep") || missing="$missing $dep.pc"
done
owners "${PC[@]}"
for dep in $deps; do
	pc=${PC[$dep]}
	[ -n "$pc" ] || continue
	pkg=$(owner "$pc") || fail "no package owns $pc"
	grep -qx "$pkg" "$T/build" ||
		errors="$errors
   meson dependency('$dep'): $pc is in $pkg, which is not in build.txt (nor a dependency of its packages)"
done

# the tests: need PROG... (continued lines joined), and the manifests' exec
progs=$(for f in "$SRC"/tests/*.sh "$SRC"/tests/*/*.sh; do
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$f" |
		sed -n 's/^\(.*[;&|]\)\{0,1\}[[:space:]]*need[[:space:]]\+\([^;&|#]*\).*/\2/p'
done | tr -s ' \t' '\n\n' | grep -v '[$"'"'"']' | sed '/^$/d' | sort -u)
apps=$(sed -n 's/^exec *= *\([^ ]*\).*/\1/p' "$SRC"/apps/*.crate | sort -u)
[ -n "$progs" ] || fail "no need declarations found under $SRC/tests"
[ -n "$apps" ] || fail "no exec found in $SRC/apps/*.crate"
# programs a test needs only where Debian's newer release has them (the
# test asks for them there alone), and the package that brings them
# there: that package must be in a list, the program need not be here
declare -A NEWER=(
	[pw-container]=pipewire-bin # PipeWire 1.0 (Debian 13); media.sh
)
# where Debian puts them (not a version manager's shim earlier in PATH)
declare -A PROG
for prog in $progs $apps; do
	PROG[$prog]=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$prog") &&
		continue
	if [ -n "${NEWER[$prog]:-}" ]; then
		grep -qx "${NEWER[$prog]}" "$T/all" ||
			errors="$errors
   $prog: ${NEWER[$prog]} (which brings it on newer Debian) is in none of scripts/test's lists ($suite_lists)"
	else
		missing="$missing $prog"
	fi
done
owners "${PROG[@]}"
for prog in $progs $apps; do
	path=${PROG[$prog]}
	[ -n "$path" ] || continue
	pkg=$(owner "$path") || fail "no package owns $path ($prog)"
	grep -qx "$pkg" "$T/all" || everywhere "$pkg" ||
		errors="$errors
   $prog: $path is in $pkg, which is in none of scripts/test's lists ($suite_lists)"
done

[ -z "$errors" ] || fail "packages the build or the tests need are in no list:$errors"
[ -z "$missing" ] ||
	skip "not installed here, so not mapped to packages:$missing" \
		"(scripts/deps.sh installs every list)"
pass "$(echo $deps | wc -w) meson dependencies are in build.txt;" \
	"$(echo $progs $apps | wc -w) programs the tests run are in the lists"

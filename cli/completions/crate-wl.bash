# bash completion for crate-wl. The commands and each command's options
# are read from crate-wl's own --help, so they never fall behind it.

_crate_wl_apps()
{
	local d f
	for d in "${CRATE_WL_APPS:-}" "${XDG_CONFIG_HOME:-$HOME/.config}/crate-wl/apps" \
			/usr/local/share/crate-wl/apps /usr/share/crate-wl/apps; do
		[ -n "$d" ] && [ -d "$d" ] || continue
		for f in "$d"/*.crate; do
			[ -e "$f" ] || continue
			f=${f##*/}
			printf '%s\n' "${f%.crate}"
		done
	done
}

_crate_wl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd='' i words
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		words="$("${COMP_WORDS[0]}" --help 2>/dev/null |
			awk '/^  [a-z]/ { print $1 }') help --help --version"
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
	fi
	case $cur in
	-*)
		words=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null |
			grep -o -- '--[a-z0-9-]*' | sort -u)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
		;;
	esac
	case $cmd in
	help)
		words=$("${COMP_WORDS[0]}" --help 2>/dev/null |
			awk '/^  [a-z]/ { print $1 }')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		;;
	app|info|override|install|uninstall)
		COMPREPLY=($(compgen -W "$(_crate_wl_apps)" -- "$cur")
			$(compgen -f -X '!*.crate' -- "$cur"))
		;;
	enter|stop)
		words=$("${COMP_WORDS[0]}" ps 2>/dev/null | awk 'NR > 1 { print $1 }')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		;;
	permissions)
		COMPREPLY=($(compgen -W "list grant revoke reset" -- "$cur"))
		;;
	*)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	esac
}
complete -F _crate_wl crate-wl

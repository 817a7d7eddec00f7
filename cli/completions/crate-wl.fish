# fish completion for crate-wl. The commands and each command's options
# are read from crate-wl's own --help, so they never fall behind it.

function __crate_wl_commands
	crate-wl --help 2>/dev/null | string replace -rf '^  ([a-z]+) +(.*)$' '$1\t$2'
end

function __crate_wl_command
	set -l words (commandline -opc)
	for w in $words[2..-1]
		if not string match -q -- '-*' $w
			echo $w
			return
		end
	end
end

function __crate_wl_options
	crate-wl (__crate_wl_command) --help 2>/dev/null | string match -ar -- '--[a-z0-9-]+' | sort -u
end

function __crate_wl_apps
	for d in $CRATE_WL_APPS (set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME; or echo $HOME/.config)/crate-wl/apps /usr/local/share/crate-wl/apps /usr/share/crate-wl/apps
		test -d $d; or continue
		for f in $d/*.crate
			basename $f .crate
		end
	end
end

# is the command one of the arguments? (none given: is there no command yet)
function __crate_wl_is
	set -l c (__crate_wl_command)
	if test (count $argv) -eq 0
		test -z "$c"
	else
		contains -- "$c" $argv
	end
end

complete -c crate-wl -f
complete -c crate-wl -n __crate_wl_is -a '(__crate_wl_commands) help'
complete -c crate-wl -n 'not __crate_wl_is; and string match -q -- "-*" (commandline -ct)' -a '(__crate_wl_options)'
complete -c crate-wl -n '__crate_wl_is help' -a '(__crate_wl_commands)'
complete -c crate-wl -n '__crate_wl_is app info override install uninstall' -a '(__crate_wl_apps)'
complete -c crate-wl -n '__crate_wl_is app info install run proxy' -F
complete -c crate-wl -n '__crate_wl_is enter stop' -a '(crate-wl ps 2>/dev/null | tail -n +2 | string split -f1 " ")'
complete -c crate-wl -n '__crate_wl_is permissions' -a 'list grant revoke reset'

#!/bin/bash
# gui.sh CRATE_WL APPS_DIR CASE root|nobody|user
#   globals: wayland-info inside a sandbox sees exactly its policy's globals
#   app-NAME: the shipped manifest NAME maps a window in headless sway,
#             through its sandbox's proxy, and draws in it
CRATE_WL=$1
APPS=$2
CASE=$3
. "$(dirname "$0")/common.sh" "$4"

# descendants PID: every process below PID, a pid a line
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = p
				while (q in parent && q != root && q > 1)
					q = parent[q]
				if (q == root)
					print p
			}
		}'
}

need sway swaymsg

if [ "$AS" != root ]; then
	start_sway "$U"
else
	start_sway
fi
# start_sway points XDG_RUNTIME_DIR at sway's; crate-wl's state stays ours
HOST_RT=$XDG_RUNTIME_DIR
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"

names() {
	sed -n "s/^interface: '\([^']*\)'.*/\1/p" | sort -u
}

case $CASE in
globals)
	need wayland-info
	WAYLAND_DISPLAY=$SWAY_SOCKET as_user wayland-info | names > "$T/host"
	[ -s "$T/host" ] || fail "wayland-info sees nothing on the host"
	for policy in strict default trusted; do
		cw run --policy $policy -- wayland-info | names > "$T/in-$policy" ||
			fail "wayland-info in the sandbox ($policy)"
		# what the proxy alone shows for the same policy
		cw proxy --policy $policy -- wayland-info | names > "$T/px-$policy" ||
			fail "crate-wl proxy ($policy)"
		[ -s "$T/in-$policy" ] || fail "no globals at all ($policy)"
		diff -u "$T/px-$policy" "$T/in-$policy" ||
			fail "the sandbox does not see its policy's globals ($policy)"
		extra=$(comm -13 "$T/host" "$T/in-$policy")
		[ -z "$extra" ] || fail "globals the compositor does not have: $extra"
	done
	for hidden in zwlr_data_control_manager_v1 \
			zwp_virtual_keyboard_manager_v1 zwlr_layer_shell_v1; do
		if grep -qx "$hidden" "$T/host" && grep -qx "$hidden" "$T/in-default"; then
			fail "$hidden is visible under the default policy"
		fi
	done
	[ "$(wc -l < "$T/in-strict")" -lt "$(wc -l < "$T/in-default")" ] ||
		fail "strict shows as much as default"
	# the policy's own --allow: sway 1.10 hides layer-shell from a
	# security context's clients whatever the policy (seccontext-sway)
	cw run --policy strict --allow zwlr_layer_shell_v1 --no-security-context \
		-- wayland-info | names > "$T/allow"
	grep -qx zwlr_layer_shell_v1 "$T/allow" || fail "--allow has no effect"
	if grep -qx zwlr_screencopy_manager_v1 "$T/host"; then
		cw run --screencopy deny -- wayland-info | names > "$T/deny"
		grep -qx zwlr_screencopy_manager_v1 "$T/deny" &&
			fail "--screencopy deny leaves screencopy visible"
		grep -qx wl_compositor "$T/deny" || fail "--screencopy deny: no display"
	fi
	# --no-wayland: no socket at all
	cw run --no-wayland -- sh -c 'test -z "$WAYLAND_DISPLAY" && ! ls $XDG_RUNTIME_DIR/wayland-0 2>/dev/null' ||
		fail "--no-wayland still has a display"
	pass "the sandbox's proxy applies its policy"
	;;
prompt)
	# screencopy = ask in the sandbox's own proxy, answered by a program
	# that runs outside the sandbox
	need grim
	scripted_prompt
	mkdir -m 777 "$T/shots"
	shoot() {
		# the proxy's own question: sway 1.10 hides screencopy from a
		# security context's clients whatever the answer
		cw run --app shooter --screencopy ask --prompt "cmd:$T/prompt.sh" \
			--no-security-context --bind "$T/shots:/shots" \
			-- grim "/shots/$1.png"
	}
	echo 0 > "$T/answer"
	shoot yes 2>"$T/err" || fail "allowed capture failed: $(cat "$T/err")"
	[ -s "$T/shots/yes.png" ] || fail "no screenshot after allow"
	grep -qx "shooter screencopy" "$T/prompts.log" ||
		fail "the prompt did not name the sandbox's app: $(cat "$T/prompts.log")"
	echo 1 > "$T/answer"
	shoot no 2>"$T/err" && fail "denied capture succeeded"
	[ -e "$T/shots/no.png" ] && fail "a screenshot after deny"
	[ "$(wc -l < "$T/prompts.log")" = 2 ] || fail "not asked twice"
	pass "the sandbox's proxy asks, and the answer holds"
	;;
x11)
	# an X11 app: a private rootful Xwayland inside, a client of the
	# sandbox's proxy; the host's X server is never involved
	need Xwayland xdpyinfo xmessage
	host_x0=$([ -e /tmp/.X11-unix/X0 ] && echo yes)
	out=$(cw run --x11 -- sh -c 'echo "$DISPLAY"; xdpyinfo | grep -c "^screen #"') ||
		fail "xdpyinfo in the sandbox: $out"
	[ "$(echo $out)" = ":0 1" ] || fail "unexpected: $(echo $out)"
	# Xwayland is as confined as the app: the init's filter, inherited
	out=$(cw run --x11 -- sh -c 'for p in /proc/[0-9]*; do
		[ "$(cat $p/comm)" = Xwayland ] &&
			grep -E "^(NoNewPrivs|Seccomp|Seccomp_filters):" $p/status
	done')
	[ "$(echo $out)" = "NoNewPrivs: 1 Seccomp: 2 Seccomp_filters: 1" ] ||
		fail "Xwayland is not confined as the app: $(echo $out)"
	[ -n "$host_x0" ] || [ ! -e /tmp/.X11-unix/X0 ] ||
		fail "the sandbox's X server appeared on the host"
	# the X server lets in its cookie's holders (XAUTHORITY), no one by
	# user name: a client without it is refused; with no user database
	# at all (an LDAP user, an OCI image's root), the app still gets in
	cw run --x11 -- sh -c 'test -s "$XAUTHORITY" &&
		XAUTHORITY=/dev/null xdpyinfo' >"$T/out" 2>&1 &&
		fail "an X client without the cookie got in"
	grep -q "unable to open display" "$T/out" ||
		fail "no cookie: not a refusal: $(cat "$T/out")"
	# (nss-systemd would make up root and nobody: files only)
	: > "$T/passwd"
	printf 'passwd: files\ngroup: files\n' > "$T/nsswitch.conf"
	chmod 644 "$T/passwd" "$T/nsswitch.conf"
	cw run --x11 --ro-bind "$T/passwd:/etc/passwd" \
		--ro-bind "$T/nsswitch.conf:/etc/nsswitch.conf" -- sh -c \
		'! id -un 2>/dev/null && xdpyinfo >/dev/null' >"$T/out" 2>&1 ||
		fail "no user in /etc/passwd: no X: $(cat "$T/out")"
	$RUNAS "$CRATE_WL" run --x11 -- xmessage -timeout 30 hello \
		>"$T/app.log" 2>&1 &
	pid=$!
	track $pid
	for _ in $(seq 1 200); do
		swaymsg_tree > "$T/tree" 2>/dev/null
		grep -q '"pid": [0-9]' "$T/tree" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	wpid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' "$T/tree" | head -1)
	[ "$wpid" = "$pid" ] || {
		cat "$T/app.log" >&2
		fail "no window from the sandbox's Xwayland (pid '$wpid', proxy $pid)"
	}
	kill -TERM $pid
	for _ in $(seq 1 250); do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
	kill -0 $pid 2>/dev/null && fail "did not end on SIGTERM"
	pass "an X11 app maps a window through the sandbox's own Xwayland"
	;;
x11-clipboard)
	# issue 19: X11's clipboard and the focus rule. The sandbox's
	# Xwayland is one Wayland client acting for all its X clients; X
	# clients (xclip, xsel) must not read what the host copied, nor
	# reach the host's clipboard, while no window of the sandbox has
	# the focus, for the clipboard and the primary selection
	need Xwayland xmessage xclip xsel wtype wl-copy wl-paste foot python3
	# an idle virtual keyboard: windows get keyboard focus
	WAYLAND_DISPLAY=$SWAY_SOCKET wtype -s 3600000 &
	track $!
	host_text="host-clipboard-$$" host_primary="host-primary-$$"
	(WAYLAND_DISPLAY=$SWAY_SOCKET wl-copy "$host_text")
	(WAYLAND_DISPLAY=$SWAY_SOCKET wl-copy --primary "$host_primary")
	WAYLAND_DISPLAY=$SWAY_SOCKET clip_becomes "$host_text" ||
		fail "the host's copy did not take"
	# inside: an X window, then one round of X clipboard traffic each
	# time the test asks (/x/go-NAME): reads, then a copy of its own
	mkdir -m 777 "$T/x"
	cat > "$T/x/inside.sh" <<'IN'
xmessage -timeout 60 x11-window &
for round in focused unfocused; do
	while [ ! -e /x/go-$round ]; do sleep 0.05; done
	{
		echo "clipboard: $(timeout 3 xclip -o -selection clipboard 2>&1)"
		echo "primary: $(timeout 3 xclip -o 2>&1)"
		echo "xsel-b: $(timeout 3 xsel -b -o 2>&1)"
		echo "xsel-p: $(timeout 3 xsel -p -o 2>&1)"
	} > /x/$round.tmp
	mv /x/$round.tmp /x/$round.out
	echo "x11-$round-clipboard" | xclip -i -selection clipboard
	echo "x11-$round-primary" | xsel -p -i
	touch /x/$round.copied
done
sleep 60
IN
	# WAYLAND_DEBUG: what Xwayland (the one Wayland client inside) sends
	# and gets through the proxy, on the sandbox's stderr
	$RUNAS "$CRATE_WL" run --x11 --trace --env WAYLAND_DEBUG=1 \
		--bind "$T/x:/x" -- sh /x/inside.sh >"$T/app.log" 2>&1 &
	pid=$!
	track $pid
	sway_ipc() {
		SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) swaymsg "$@"
	}
	# focused WHO-PID: sway's focused view belongs to that pid
	focused_pid() {
		swaymsg_tree | python3 -c 'import json, sys
def walk(n):
	if n.get("focused") and n.get("pid"):
		print(n["pid"])
	for k in n.get("nodes", []) + n.get("floating_nodes", []):
		walk(k)
walk(json.load(sys.stdin))'
	}
	for _ in $(seq 1 200); do
		[ "$(focused_pid)" = "$pid" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	[ "$(focused_pid)" = "$pid" ] || {
		cat "$T/app.log" >&2
		fail "the sandbox's X window never got the focus"
	}
	# round NAME: the sandbox's X clients read, then copy
	round() {
		touch "$T/x/go-$1"
		for _ in $(seq 1 300); do
			[ -e "$T/x/$1.copied" ] && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.05
		done
		[ -e "$T/x/$1.copied" ] || {
			cat "$T/app.log" >&2
			fail "$1: the X clients did not finish"
		}
		sleep 0.5
		cat "$T/x/$1.out"
		grep -q -e "$host_text" -e "$host_primary" "$T/x/$1.out" &&
			fail "$1: an X client read the host's selection"
		[ "$(WAYLAND_DISPLAY=$SWAY_SOCKET host_clip)" = "$host_text" ] ||
			fail "$1: the X app's copy reached the host's clipboard"
		[ "$(WAYLAND_DISPLAY=$SWAY_SOCKET timeout 5 wl-paste -p -n)" = \
				"$host_primary" ] ||
			fail "$1: the X app's copy reached the host's primary selection"
	}
	# 1. the X window has the focus: rootful Xwayland has no bridge
	# between the X and the Wayland selections (Xwayland 22 and 24 bind
	# no data device), so even now nothing crosses; should that change,
	# the focus rule below is what holds, and the threat model says so
	# (libwayland 1.23, Debian 13, writes wl_keyboard#N, 1.21 wl_keyboard@N)
	grep -q 'wl_keyboard[@#][0-9]*\.enter(' "$T/app.log" ||
		fail "Xwayland's keyboard never got the focus"
	round focused
	# no bridge: Xwayland never asks for a data device of either kind
	! grep -E '"(wl_data_device_manager|zwp_primary_selection_device_manager_v1)"' \
		"$T/app.log" | grep -q ' -> ' ||
		fail "Xwayland binds a data device now: see the threat model's X11's clipboard"
	pass "focused: X clients neither read nor set the host's selections"
	# 2. focus moved to a host window with swaymsg
	WAYLAND_DISPLAY=$SWAY_SOCKET foot -e sleep 60 >"$T/foot.log" 2>&1 &
	fpid=$!
	track $fpid
	for _ in $(seq 1 200); do
		[ "$(focused_pid)" = "$fpid" ] && break
		sway_ipc "[pid=$fpid] focus" >/dev/null 2>&1
		sleep 0.05
	done
	[ "$(focused_pid)" = "$fpid" ] || fail "the host window got no focus"
	for _ in $(seq 1 100); do
		grep -q 'wl_keyboard[@#][0-9]*\.leave(' "$T/app.log" && break
		sleep 0.05
	done
	grep -q 'wl_keyboard[@#][0-9]*\.leave(' "$T/app.log" ||
		fail "Xwayland's keyboard never lost the focus"
	round unfocused
	# and the reads were real: X's own selections work inside
	grep -qx "clipboard: x11-focused-clipboard" "$T/x/unfocused.out" &&
		grep -qx "xsel-p: x11-focused-primary" "$T/x/unfocused.out" ||
		fail "the X clients cannot even read their own copies"
	[ "$(focused_pid)" = "$fpid" ] ||
		fail "the sandbox took the focus back"
	pass "unfocused: X clients neither read nor set the host's selections"
	;;
app-*)
	# red_page: a red page in the Downloads directory the browsers bind
	# (?xdg-download), as a file: URL; its title is "crate-wl test"
	red_page() {
		mkdir -p "$HOME/Downloads"
		echo '<!DOCTYPE html><title>crate-wl test</title><body style="background:#ff0000">' \
			> "$HOME/Downloads/test.html"
		chown -R "$U:$U" "$HOME/Downloads"
		echo "file://$HOME/Downloads/test.html"
	}
	# the window is the app's own drawing: grim, run outside, sees it
	need grim python3
	app=${CASE#app-}
	manifest="$APPS/$app.crate"
	[ -f "$manifest" ] || fail "no manifest $manifest"
	bin=$(sed -n 's/^exec *= *\([^ ]*\).*/\1/p' "$manifest")
	need "$bin"
	extra=()
	args=()
	red=0
	stop=
	title=
	sound=
	# tests talk to no network: a manifest's nat becomes none here
	grep -qx 'net = nat' "$manifest" && extra+=(--net none)
	case $app in
	chromium)
		# a fresh profile; nothing phones home
		extra+=(--env LIBGL_ALWAYS_SOFTWARE=1)
		args=(--disable-gpu --disable-background-networking
			--user-data-dir="$HOME/chromium-test" "$(red_page)")
		title='crate-wl test - Chromium'
		red=2000
		;;
	firefox-esr)
		# its profile in the persistent home; the browser's window, not
		# a dialog (a profile it cannot load says so in one)
		args=("$(red_page)")
		title='crate-wl test'
		red=2000
		;;
	foot) args=(-e sh -c 'echo crate-wl; sleep 60') ;;
	# its first-run wizard ignores SIGTERM, SIGINT and SIGHUP (outside
	# any sandbox too): the user ends it with crate-wl stop, whose
	# SIGKILL ends the sandbox's pid namespace after the timeout
	claws-mail) stop=1 ;;
	mpv)
		# a picture and a tone from the Videos directory it binds
		# (?xdg-videos): the picture's red on screen, the tone at the
		# test's PipeWire sink
		need sox pw-record
		mkdir -p "$HOME/Videos"
		python3 "$here/shot.py" png "$HOME/Videos/test.png"
		sox -n -r 48000 -c 2 -b 16 "$HOME/Videos/tone.wav" synth 60 \
			sine 440 vol 0.5
		chown -R "$U:$U" "$HOME/Videos"
		args=(--vo=wlshm --image-display-duration=60
			--audio-file="$HOME/Videos/tone.wav" "$HOME/Videos/test.png")
		red=2000
		sound=1
		;;
	xterm) args=(-e sh -c 'echo crate-wl; sleep 60') ;;
	# viewers open a file of the user directory their manifest binds
	# (?xdg-documents, ?xdg-pictures: there is one here), and show its
	# red (shot.py): they read it in the sandbox, and drew it
	zathura|qpdfview)
		mkdir -p "$HOME/Documents"
		python3 "$here/shot.py" pdf "$HOME/Documents/test.pdf"
		chown -R "$U:$U" "$HOME/Documents"
		args=("$HOME/Documents/test.pdf")
		red=2000
		;;
	ristretto)
		mkdir -p "$HOME/Pictures"
		python3 "$here/shot.py" png "$HOME/Pictures/test.png"
		chown -R "$U:$U" "$HOME/Pictures"
		args=("$HOME/Pictures/test.png")
		red=2000
		;;
	esac
	# an app with sound plays to a PipeWire daemon of the test's own
	if sed -n '/^\[media\]/,/^\[/p' "$manifest" | grep -q '^audio *= *playback'; then
		start_pipewire "$U"
	fi
	# the sandbox gets nothing of the caller's environment but what
	# --env names
	$RUNAS "$CRATE_WL" app --yes --env NO_AT_BRIDGE=1 \
		--env LIBGL_ALWAYS_SOFTWARE=1 \
		--app "test-$app" "${extra[@]}" "$manifest" "${args[@]}" \
		>"$T/app.log" 2>&1 &
	pid=$!
	track $pid
	# heavy apps (the browsers) take seconds on a loaded CI machine
	for _ in $(seq 1 600); do
		swaymsg_tree > "$T/tree" 2>/dev/null
		# a mapped view: a node with a pid and a visible rect
		if grep -q '"pid": [0-9]' "$T/tree"; then
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	grep -q '"pid": [0-9]' "$T/tree" || {
		tail -20 "$T/app.log" >&2
		fail "$app mapped no window"
	}
	grep -E '"(app_id|class)": "[^"]*"' "$T/tree" | head -3
	# the app's main window, by the start of its title, where a dialog
	# could come first
	if [ -n "$title" ]; then
		for _ in $(seq 1 200); do
			grep -qF "\"name\": \"$title" "$T/tree" && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.05
			swaymsg_tree > "$T/tree" 2>/dev/null
		done
		grep -qF "\"name\": \"$title" "$T/tree" || {
			grep '"name"' "$T/tree" >&2
			fail "no window titled $title"
		}
	fi
	# the window's client is the proxy, i.e. crate-wl, never the app
	wpid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' "$T/tree" | head -1)
	[ "$wpid" = "$pid" ] ||
		fail "the window belongs to pid $wpid, not to the sandbox's proxy ($pid)"
	# non-blank: the one window fills the output (no borders, no bar);
	# at least 3 of its rows are drawn (shot.py: more than an undrawn
	# window on a background would show)
	shown=
	for _ in $(seq 1 150); do
		if WAYLAND_DISPLAY=$SWAY_SOCKET grim -t ppm "$T/shot.ppm" 2>/dev/null &&
				rows=$(python3 "$here/shot.py" drawn "$T/shot.ppm") &&
				[ "$rows" -ge 3 ] && { [ $red = 0 ] ||
				[ "$(python3 "$here/shot.py" red "$T/shot.ppm")" -ge $red ]; }; then
			shown=$rows
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$shown" ] || {
		tail -20 "$T/app.log" >&2
		fail "$app's window stays blank (or without the file's red)"
	}
	echo "$app: $shown of 720 rows drawn"
	if [ "$app" = chromium ]; then
		need ps
		# its manifest's word: Chromium's own sandbox runs in here
		# (nested-sandbox = allow): its renderers in a user namespace
		# of their own, under its filter on top of crate-wl's
		for _ in $(seq 1 50); do
			found=
			browser_ns=
			desc=$(descendants "$pid")
			for p in $desc; do
				cmd=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)
				case $cmd in
				/usr/lib/chromium/chromium\ *--type=renderer*)
					f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' \
						/proc/$p/status 2>/dev/null)
					u=$(readlink /proc/$p/ns/user 2>/dev/null)
					[ -n "$f" ] && [ "$f" -ge 2 ] &&
						found="$found $u"
					;;
				/usr/lib/chromium/chromium\ *--type=*) ;;
				/usr/lib/chromium/chromium\ *)
					browser_ns=$(readlink /proc/$p/ns/user 2>/dev/null)
					;;
				esac
			done
			if [ -n "$found" ] && [ -n "$browser_ns" ] &&
					[[ $found != *" $browser_ns"* ]]; then
				break
			fi
			found=
			sleep 0.1
		done
		[ -n "$found" ] ||
			fail "Chromium's renderers are not in its own sandbox (no renderer in a user namespace of its own, under two filters)"
		echo "chromium: renderers in their own user namespace, each with its own filter"
	fi
	if [ "$app" = firefox-esr ]; then
		need ps
		# its manifest's word: Firefox's own sandbox runs in here, its
		# content processes under a seccomp filter of their own on top of
		# crate-wl's
		# (a content process just forked sets its filter up a moment
		# later: all of them, at some moment within 5 s)
		for _ in $(seq 1 50); do
			desc=$(descendants "$pid")
			content=0 unfiltered=
			for p in $desc; do
				case $(cat /proc/$p/comm 2>/dev/null) in
				"Isolated Web Co"|*Content)
					f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' \
						/proc/$p/status 2>/dev/null)
					[ -z "$f" ] && continue # gone
					[ "$f" -ge 2 ] || unfiltered="$unfiltered $p:$f"
					content=$((content + 1))
					;;
				esac
			done
			[ $content -gt 0 ] && [ -z "$unfiltered" ] && break
			sleep 0.1
		done
		[ $content -gt 0 ] || fail "no content process of Firefox found"
		[ -z "$unfiltered" ] ||
			fail "Firefox's content processes without a filter of their own (pid:filters):$unfiltered"
		echo "firefox-esr: $content content processes, each with its own filter"
	fi
	if [ -n "$sound" ]; then
		record_sink "$T/sink.wav"
		sleep 1.5
		stop_record
		r=$(rms "$T/sink.wav")
		echo "$app: RMS at the test sink $r"
		awk -v r="$r" 'BEGIN { exit !(r > 0.1) }' ||
			fail "$app's sound does not reach the host's sink (RMS $r)"
	fi
	# KEEP_SHOT=FILE: the shot that passed, to look at
	[ -z "${KEEP_SHOT:-}" ] || cp "$T/shot.ppm" "$KEEP_SHOT"
	if [ -n "$stop" ]; then
		cw stop --timeout 1 "test-$app" || fail "crate-wl stop test-$app"
	else
		kill -TERM $pid
	fi
	for _ in $(seq 1 250); do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
	kill -0 $pid 2>/dev/null && fail "$app did not end on SIGTERM"
	pass "$app maps a window, not blank, through its sandbox's proxy"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

#!/bin/bash
# seccontext.sh CASE: security-context-v1 upstream, on crate-wl's test
# compositor (no Debian 12 compositor offers it; seccontext-sway.sh tries
# sway). testcomp prints every request of the context it gets and hides
# the manager and ext-data-control from the context's clients, as sway
# hides privileged protocols.
#   tags     the context: a listening socket, a pipe as close_fd, the
#            engine, the app's name, the proxy's pid as instance, commit;
#            the client comes through it and the compositor's hiding
#            applies on top of a policy (trusted) that lets all through;
#            when the proxy exits the compositor sees close_fd hang up
#            and nothing of the context is left on disk
#   off      --no-security-context: no context, the compositor's hiding
#            does not apply
#   absent   a compositor without the global: clients served as before,
#            the trace says why
#   restart  the compositor restarts under a serving proxy: the old
#            context is gone with it, the next client gets a new one
#   stale    a proxy killed with SIGKILL leaves its context's directory;
#            the next proxy's first context removes it once it is a
#            minute old, never one whose socket the compositor still
#            listens on (a live proxy's), nor a younger one
#   refused  the compositor offers the manager but refuses the context:
#            the client is refused with why (never quietly an ordinary
#            client), the proxy lives
. "$(dirname "$0")/../lib.sh"
case=${1:?usage: seccontext.sh CASE}
need wayland-info
mkdir -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt WAYLAND_DISPLAY=wayland-t

# start_testcomp [OPTIONS]: testcomp on wayland-t, its lines in comp.out
start_testcomp() {
	"$TESTBIN/../testcomp" wayland-t "$@" >> "$T/comp.out" 2>&1 &
	COMP_PID=$!
	track $COMP_PID
	wait_for_socket "$T/rt/wayland-t" || fail "testcomp did not start"
}

# seen FILE: the interfaces wayland-info printed, one a line
seen() {
	sed -n "s/^interface: '\([^']*\)'.*/\1/p" "$1" | sort
}

# comp_says LINE: waits up to 5 s for testcomp to print LINE
comp_says() {
	for _ in $(seq 1 250); do
		grep -qxF -- "$1" "$T/comp.out" && return 0
		sleep 0.02
	done
	return 1
}

# no_context_left: no directory or socket of a context in the runtime dir
no_context_left() {
	local left
	left=$(find "$T/rt" -name 'crate-wl-sc-*' -o -name 'upstream-*')
	[ -z "$left" ] || fail "left behind: $left"
}

case $case in
tags)
	start_testcomp
	"$CRATE_WL" proxy --policy trusted --app sc-app --trace -- \
		sh -c 'echo $PPID > "$1"; exec wayland-info' _ "$T/pid" \
		> "$T/info" 2> "$T/trace" || fail "wayland-info failed: $(cat "$T/trace")"
	pid=$(cat "$T/pid")
	for line in "listener listening-socket, close_fd pipe" \
			"sandbox_engine crate-wl" "app_id sc-app" \
			"instance_id $pid" "commit" \
			"client 1 accepted (engine crate-wl, app_id sc-app, instance_id $pid)"; do
		comp_says "security-context: $line" ||
			fail "the compositor did not get '$line': $(cat "$T/comp.out")"
	done
	pass "the compositor got a listening socket and a pipe, engine crate-wl, app_id sc-app, instance_id $pid (the proxy), commit; the client came through it"
	seen "$T/info" > "$T/seen"
	grep -qx wl_compositor "$T/seen" || fail "no wl_compositor: $(cat "$T/info")"
	for n in ext_data_control_manager_v1 wp_security_context_manager_v1; do
		grep -qx $n "$T/seen" && fail "$n visible through the context"
	done
	grep -q "SECURITY-CONTEXT made: sandbox_engine crate-wl, app_id sc-app, instance_id $pid" "$T/trace" ||
		fail "the trace does not say: $(cat "$T/trace")"
	pass "trusted lets ext-data-control and the manager through; the compositor hides them from the context's client"
	comp_says "security-context: closed (close_fd hung up), 1 clients accepted" ||
		fail "the context did not end with the proxy: $(cat "$T/comp.out")"
	no_context_left
	pass "the proxy gone: close_fd hung up, its socket and directory removed"
	;;
stale)
	start_testcomp
	# serving SOCKET_NAME: a proxy with a client that stays; its pid in
	# $T/SOCKET_NAME.pid, the client's in .client
	serving() {
		"$CRATE_WL" proxy --policy trusted -- sh -c \
			'echo $$ > "$1"; wayland-info > /dev/null; exec sleep 60' \
			_ "$T/$1.client" 2> "$T/$1.err" &
		echo $! > "$T/$1.pid"
		track "$(cat "$T/$1.pid")"
		for _ in $(seq 1 250); do
			[ -s "$T/$1.client" ] && break
			sleep 0.02
		done
		track "$(cat "$T/$1.client")"
	}
	# the directory a new context made since the list in $T/before
	new_dir() {
		for _ in $(seq 1 250); do
			d=$(ls -d "$T"/rt/crate-wl-sc-* 2>/dev/null |
				grep -vxF -f "$T/before")
			[ -n "$d" ] && { echo "$d"; return; }
			sleep 0.02
		done
		fail "no context directory: $(cat "$T/comp.out")"
	}
	: > "$T/before"
	serving old
	old=$(new_dir)
	echo "$old" >> "$T/before"
	serving young
	young=$(new_dir)
	echo "$young" >> "$T/before"
	serving live
	live=$(new_dir)
	kill -KILL "$(cat "$T/old.pid")" "$(cat "$T/young.pid")"
	comp_says "security-context: closed (close_fd hung up), 1 clients accepted" ||
		fail "the killed proxies' contexts did not end: $(cat "$T/comp.out")"
	ls "$old"/upstream-* > /dev/null 2>&1 ||
		fail "the killed proxy left nothing to sweep: $(ls -la "$old")"
	touch -d '2 minutes ago' "$old" "$live"
	"$CRATE_WL" proxy --policy trusted -- wayland-info > /dev/null 2>&1 ||
		fail "a proxy after them failed"
	[ -e "$old" ] && fail "the killed proxy's directory is left: $(ls -la "$old")"
	[ -d "$young" ] || fail "a directory under a minute old was removed"
	ls "$live"/upstream-* > /dev/null 2>&1 ||
		fail "a live proxy's context was removed"
	kill -0 "$(cat "$T/live.pid")" || fail "the live proxy died"
	pass "a killed proxy's context directory goes with the next proxy's first context; a live one's and a young one stay"
	;;
off)
	start_testcomp
	"$CRATE_WL" proxy --policy trusted --no-security-context --trace -- \
		wayland-info > "$T/info" 2> "$T/trace" || fail "wayland-info failed"
	seen "$T/info" > "$T/seen"
	for n in ext_data_control_manager_v1 wp_security_context_manager_v1; do
		grep -qx $n "$T/seen" || fail "--no-security-context: $n hidden"
	done
	grep -q "^security-context:" "$T/comp.out" &&
		fail "a context was made: $(cat "$T/comp.out")"
	grep -q "SECURITY-CONTEXT none: --no-security-context" "$T/trace" ||
		fail "the trace does not say: $(cat "$T/trace")"
	no_context_left
	pass "--no-security-context: an ordinary client, ext-data-control visible under trusted"
	;;
absent)
	start_testcomp --no-security-context
	"$CRATE_WL" proxy --policy trusted --trace -- wayland-info \
		> "$T/info" 2> "$T/trace" || fail "wayland-info failed: $(cat "$T/trace")"
	seen "$T/info" > "$T/seen"
	grep -qx ext_data_control_manager_v1 "$T/seen" || fail "ext-data-control hidden"
	grep -q "SECURITY-CONTEXT none: the compositor does not offer wp_security_context_manager_v1" "$T/trace" ||
		fail "the trace does not say: $(cat "$T/trace")"
	grep -qi "error" "$T/trace" && fail "an error: $(cat "$T/trace")"
	no_context_left
	pass "no manager: served as an ordinary client, said in the trace"
	;;
restart)
	start_testcomp
	start_proxy "$T/proxy.sock" --policy trusted --app sc-app --trace
	WAYLAND_DISPLAY=$T/proxy.sock wayland-info > "$T/info1" ||
		fail "the first client failed"
	comp_says "security-context: client 1 accepted (engine crate-wl, app_id sc-app, instance_id $PROXY_PID)" ||
		fail "the first client did not come through a context: $(cat "$T/comp.out")"
	kill "$COMP_PID"
	wait "$COMP_PID" 2>/dev/null
	[ "$(grep -c "^security-context: commit" "$T/comp.out")" = 1 ] ||
		fail "not one context before the restart: $(cat "$T/comp.out")"
	mv "$T/comp.out" "$T/comp1.out"
	rm -f "$T/rt/wayland-t" "$T/rt/wayland-t.lock"
	start_testcomp
	WAYLAND_DISPLAY=$T/proxy.sock wayland-info > "$T/info2" ||
		fail "the client after the restart failed: $(cat "$T/proxy.log")"
	comp_says "security-context: commit" ||
		fail "no new context after the restart: $(cat "$T/comp.out")"
	grep -q "^security-context: client 1 accepted (engine crate-wl" "$T/comp.out" ||
		fail "the client did not come through the new context: $(cat "$T/comp.out")"
	seen "$T/info2" | grep -qx ext_data_control_manager_v1 &&
		fail "after the restart the client is an ordinary one"
	grep -q "SECURITY-CONTEXT gone" "$T/proxy.log" ||
		fail "the trace does not say: $(cat "$T/proxy.log")"
	[ "$(find "$T/rt" -name 'upstream-*' | wc -l)" = 1 ] ||
		fail "the old context's socket is left: $(find "$T/rt" -name 'upstream-*')"
	pass "compositor restarted: a new context for the next client, the old socket removed"
	kill "$PROXY_PID"
	wait "$PROXY_PID"
	rc=$?
	[ $rc = 0 ] || fail "the proxy did not exit cleanly on SIGTERM: $rc"
	no_context_left
	pass "the proxy gone (status 0): nothing of the context left"
	;;
refused)
	start_testcomp --refuse-security-context
	start_proxy "$T/proxy.sock" --policy trusted
	# wayland-info exits 0 after a wl_display.error: what it saw counts
	WAYLAND_DISPLAY=$T/proxy.sock wayland-info > "$T/info" 2> "$T/err"
	grep -q "'wl_compositor'" "$T/info" &&
		fail "a client was served without the context the compositor offers"
	grep -q "offers a security context, but making one failed: the compositor refused it (protocol error 1)" "$T/err" ||
		fail "the client was not told why: $(cat "$T/err")"
	pass "the compositor refused the context: the client refused, told: $(grep -o 'crate-wl: [^"]*' "$T/err" | head -n1)"
	kill -0 "$PROXY_PID" || fail "the proxy died"
	left=$(find "$T/rt" -name 'upstream-*')
	[ -z "$left" ] || fail "the failed context's socket is left: $left"
	kill "$PROXY_PID"
	wait "$PROXY_PID"
	rc=$?
	[ $rc = 0 ] || fail "the proxy did not exit cleanly on SIGTERM: $rc"
	no_context_left
	pass "the proxy lives; no socket of the failed context left, nothing once it exits (status 0)"
	;;
*)
	fail "unknown case $case"
	;;
esac

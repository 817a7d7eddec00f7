#!/bin/bash
# What real apps cost the compositor: for each app, the Wayland
# connections it opens through one proxy and the most live objects each
# held at once (the proxy's "CLOSED ... at most N live objects" trace
# line), while it maps, takes keys and is resized. The figures behind the
# defaults of max-connections and max-objects (crate-wl-policy(5)).
# usage: CRATE_WL=build/cli/crate-wl bench/wayland-objects.sh [SECONDS]
. "$(dirname "$0")/../tests/lib.sh"
secs=${1:-8}
need wtype swaymsg
start_sway
wtype -s 3600000 &
track $!
export GDK_BACKEND=wayland QT_QPA_PLATFORM=wayland NO_AT_BRIDGE=1 \
	GTK_A11Y=none LIBGL_ALWAYS_SOFTWARE=1 GSETTINGS_BACKEND=memory \
	XDG_CACHE_HOME=$T/cache HOME=$T/home
mkdir -p "$T/home"
sway_ipc() { SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) swaymsg "$@" > /dev/null 2>&1; }

measure() { # NAME COMMAND...
	local name=$1 log=$T/$1.trace
	shift
	command -v "$1" > /dev/null || { echo "$name: not installed"; return; }
	"$CRATE_WL" proxy --trace -- "$@" > /dev/null 2> "$log" &
	local proxy=$!
	sleep 3
	# keys, a text field's popups, resizes (new buffers), a second window
	wtype -s 30 -k Tab -k Tab -k Down -k Return -k Escape -p F24 2>/dev/null
	wtype -s 30 "hello" 2>/dev/null
	sway_ipc fullscreen toggle
	sleep 1
	sway_ipc fullscreen toggle
	sway_ipc resize set 600 400
	sleep $((secs - 4))
	local app
	for app in $(pgrep -P "$proxy"); do
		kill "$app"
	done
	for _ in $(seq 1 100); do
		kill -0 "$proxy" 2>/dev/null || break
		sleep 0.05
	done
	kill "$proxy" 2>/dev/null
	wait "$proxy" 2>/dev/null
	local conns peaks
	conns=$(grep -c "CLOSED at most" "$log")
	peaks=$(sed -n 's/.*CLOSED at most \([0-9]*\) live objects at once, \([0-9]*\) of them.*/\1 (\2)/p' \
		"$log" | sort -rn | tr '\n' ' ')
	printf '%-20s connections %s; per connection, most live objects (buffers and pools) at once: %s; protocol errors: %s\n' \
		"$name" "$conns" "$peaks" "$(grep -c ' ERROR ' "$log")"
}

measure foot foot -e sleep 60
measure weston-terminal weston-terminal
measure gtk3-widget-factory gtk3-widget-factory
measure gtk4-widget-factory gtk4-widget-factory
measure gtk4-demo gtk4-demo
measure featherpad featherpad
measure mpv mpv --vo=wlshm --loop=inf av://lavfi:testsrc=size=640x360:rate=30
measure chromium chromium --ozone-platform=wayland --no-sandbox \
	--disable-gpu --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync \
	--user-data-dir="$T/chromium" about:blank

#!/bin/bash
# Records real apps through `crate-wl proxy --record` in headless sway and
# turns the recordings into seeds for the fuzz-proxy harness.
# usage: CRATE_WL=build/cli/crate-wl tests/fuzz/capture-seeds.sh OUTDIR [APP...]
# APPs: foot gtk3-demo featherpad chromium (default: all). Each runs a few
# seconds, maps its window, and is stopped; its seed is cut to 96 KiB.
out=$(realpath "${1:?usage: capture-seeds.sh OUTDIR [APP...]}")
shift
[ $# -gt 0 ] || set -- foot gtk3-demo featherpad chromium
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
start_sway
mkdir -p "$out"
export NO_AT_BRIDGE=1 LIBGL_ALWAYS_SOFTWARE=1
for app in "$@"; do
	case $app in
	foot) cmd=(foot -e sleep 3) ;;
	gtk3-demo) cmd=(env GDK_BACKEND=wayland gtk3-demo) ;;
	featherpad) cmd=(env QT_QPA_PLATFORM=wayland featherpad) ;;
	chromium) cmd=(chromium --ozone-platform=wayland --no-sandbox
		--no-first-run --disable-gpu --disable-background-networking
		--disable-sync --disable-component-update
		--user-data-dir="$T/chromium" about:blank) ;;
	*) fail "unknown app $app" ;;
	esac
	need "${cmd[0]}"
	rec="$T/rec-$app"
	"$CRATE_WL" proxy --record "$rec" -- "${cmd[@]}" > "$T/$app.log" 2>&1 &
	pid=$!
	track $pid
	sleep 6
	kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
	# the connection that said the most is the app's window
	log=$(wc -c "$rec"/*.client 2>/dev/null | sort -n | grep -v total |
		tail -1 | awk '{print $2}')
	[ -n "$log" ] || { tail "$T/$app.log"; fail "$app made no connection"; }
	prefix=${log%.client}
	python3 "$here/rec2seed.py" --max-bytes 98304 -o "$T" "$prefix" ||
		fail "the $app recording does not add up"
	mv "$T/$(basename "$prefix")" "$out/$app"
	echo "$app: $(wc -c < "$out/$app") bytes"
done

# Shared test rig: a real headless compositor on a private runtime dir, the
# proxy under test, and cleanup of exactly what the test started.
# Source it from a test script; CRATE_WL is the binary under test.
set -u

: "${CRATE_WL:?CRATE_WL must point to the crate-wl binary}"
T=$(mktemp -d /tmp/crate-wl-test.XXXXXX)
chmod 755 "$T"
# nothing of the caller's desktop: no session bus (so no portal prompt
# unless a test starts one), answers stored in the test's own directory
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY
export XDG_DATA_HOME=$T/data
PIDS=""
RC_FILE="$T/.rc"

cleanup() {
	# the benches source this under set -e: a pid already gone must
	# not end the cleanup before it removed $T
	set +e
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.02
		done
		kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

track() {
	PIDS="$PIDS $1"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

# A skip says why, on a line of its own that scripts/test's summary shows.
# In CI (CI=true) scripts/test counts a skip as a failure unless .ci/run
# allows that test to skip on its machine.
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# need PROG...: the programs a test runs, declared at its top. Each one is
# in a package list of scripts/packages/ (tests/check-packages.sh checks
# it), so a missing one means scripts/deps.sh was not run.
need() {
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 ||
			skip "$cmd is not installed (scripts/deps.sh installs it)"
	done
}

wait_for_socket() {
	for _ in $(seq 1 250); do
		[ -S "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

# start_sway [USER]: headless sway, 1280x720, socket in $SWAY_SOCKET.
# sway refuses real root: it runs as uid 1000 in a user namespace, or as
# the given unprivileged uid.
start_sway() {
	need sway
	local as=${1:-}
	SWAY_RT="$T/sway-rt"
	mkdir -p -m 700 "$SWAY_RT"
	printf 'xwayland disable\noutput HEADLESS-1 resolution 1280x720\ndefault_border none\n' > "$T/sway.cfg"
	if [ -n "$as" ]; then
		chown "$as:$as" "$SWAY_RT"
		XDG_RUNTIME_DIR=$SWAY_RT WLR_BACKENDS=headless \
			WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
			WLR_HEADLESS_OUTPUTS=1 \
			setpriv --reuid="$as" --regid="$as" --clear-groups \
			sway -c "$T/sway.cfg" >"$T/sway.log" 2>&1 &
	else
		XDG_RUNTIME_DIR=$SWAY_RT WLR_BACKENDS=headless \
			WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
			WLR_HEADLESS_OUTPUTS=1 \
			unshare --map-user=1000 --map-group=1000 \
			sway -c "$T/sway.cfg" >"$T/sway.log" 2>&1 &
	fi
	SWAY_PID=$!
	track $SWAY_PID
	SWAY_SOCKET="$SWAY_RT/wayland-1"
	wait_for_socket "$SWAY_SOCKET" || {
		cat "$T/sway.log" >&2
		fail "headless sway did not start"
	}
	# the Wayland socket's file comes at bind(), before listen() and long
	# before the output: a client then may be refused, or see too few
	# globals (globals-default once, under a loaded CI). sway answers on
	# its IPC socket (sway-ipc.UID.PID.sock: this sway's, not one a
	# stopped sway left) once it has started its backend: wait for its
	# output
	local ready=
	for _ in $(seq 1 250); do
		if SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*."$SWAY_PID".sock \
				2>/dev/null | head -n1) swaymsg -t get_outputs \
				2>/dev/null | grep -q HEADLESS-1; then
			ready=1
			break
		fi
		sleep 0.02
	done
	[ -n "$ready" ] || {
		cat "$T/sway.log" >&2
		fail "headless sway started but shows no output"
	}
	export XDG_RUNTIME_DIR=$SWAY_RT WAYLAND_DISPLAY=wayland-1
	unset WAYLAND_SOCKET DISPLAY
}

stop_sway() {
	kill "$SWAY_PID" 2>/dev/null
	wait "$SWAY_PID" 2>/dev/null
	rm -f "$SWAY_SOCKET" "$SWAY_SOCKET.lock"
}

swaymsg_tree() {
	SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) swaymsg -t get_tree
}

# host_clip: the selection, as a direct client of the compositor pastes it
host_clip() { timeout 5 wl-paste -n; }
# clip_becomes TEXT: waits up to 5 s for a direct paste to give TEXT
# (wl-copy's parent exits at once; its child sets the selection later)
clip_becomes() {
	for _ in $(seq 1 250); do
		[ "$(host_clip 2>/dev/null)" = "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

# start_proxy SOCKET [OPTIONS...]: crate-wl proxy --socket in the background.
start_proxy() {
	local sock=$1
	shift
	"$CRATE_WL" proxy "$@" --socket "$sock" 2>>"$T/proxy.log" &
	PROXY_PID=$!
	track $PROXY_PID
	wait_for_socket "$sock" || {
		cat "$T/proxy.log" >&2
		fail "the proxy did not start"
	}
}

# start_session_bus [SOCKET]: a private session bus (dbus-daemon) at SOCKET
# ($T/bus; run as $BUS_AS, a command prefix, when set) with our
# own config: no service directories, so nothing is ever activated, and
# eavesdropping allowed for dbus-monitor. Exports DBUS_SESSION_BUS_ADDRESS.
start_session_bus() {
	need dbus-daemon
	local sock=${1:-$T/bus}
	export DBUS_SESSION_BUS_ADDRESS=unix:path=$sock
	cat >"$T/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$DBUS_SESSION_BUS_ADDRESS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
	${BUS_AS:-} dbus-daemon --config-file="$T/bus.conf" --nofork \
		--nopidfile >"$T/dbus.log" 2>&1 &
	DBUS_PID=$!
	track $DBUS_PID
	wait_for_socket "$sock" ||
		fail "dbus-daemon did not start: $(cat "$T/dbus.log")"
}

# make_prompt: a cmd: prompt program at $T/prompt.sh that logs each question
# ("APP PERMISSION DETAIL") to $PROMPT_LOG and answers with the code in
# $ANSWER_FILE. answer CODE sets the next answer; prompts counts questions.
make_prompt() {
	cat > "$T/prompt.sh" <<'P'
#!/bin/sh
echo "$CRATE_WL_APP $CRATE_WL_PERMISSION $CRATE_WL_DETAIL" >> "$PROMPT_LOG"
exit "$(cat "$ANSWER_FILE")"
P
	chmod +x "$T/prompt.sh"
	export PROMPT_LOG=$T/prompts.log ANSWER_FILE=$T/answer
	: > "$PROMPT_LOG"
}
prompts() { wc -l < "$PROMPT_LOG"; }
answer() { echo "$1" > "$ANSWER_FILE"; }

fd_count() {
	ls "/proc/$1/fd" | wc -l
}

# context_fds LOG: the fds a proxy keeps for its security context (the
# close_fd that keeps it alive): 1 once its trace LOG says it made one
# (sway 1.10, testcomp), else 0 (sway 1.7)
context_fds() {
	if grep -q "SECURITY-CONTEXT made" "$1"; then echo 1; else echo 0; fi
}

# fd_count once it holds still: a client that just left is closed by the
# proxy only when it gets to read the hang-up
settled_fd_count() {
	local prev=-1 now
	for _ in $(seq 1 50); do
		now=$(fd_count "$1")
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep 0.05
	done
	echo "$now"
}

rss_kib() {
	awk '/^VmRSS/ {print $2}' "/proc/$1/status"
}

# proxy_baseline: note the proxy's fd count and RSS (after a warm-up, so
# that the allocator's arenas and the proxy's static buffers are in use)
proxy_baseline() {
	BASE_FDS=$(settled_fd_count "$PROXY_PID")
	BASE_RSS=$(rss_kib "$PROXY_PID")
}

# proxy_at_baseline WHAT TOLERANCE_KIB: after WHAT, the proxy is still
# running, its fd count is back to the baseline (closes may take a moment),
# and its RSS is within TOLERANCE_KIB of it. An ASan build holds freed
# memory in its quarantine, so there RSS is reported and not compared.
proxy_at_baseline() {
	local what=$1 tolerance=$2 fds rss
	for _ in $(seq 1 100); do
		kill -0 "$PROXY_PID" 2>/dev/null || fail "$what: the proxy died"
		fds=$(fd_count "$PROXY_PID")
		[ "$fds" -eq "$BASE_FDS" ] && break
		sleep 0.05
	done
	[ "$fds" -eq "$BASE_FDS" ] ||
		fail "$what: the proxy has $fds fds, $BASE_FDS before"
	rss=$(rss_kib "$PROXY_PID")
	if grep -q __asan_init "$CRATE_WL"; then
		BASELINE_SAID="fds back to $fds; RSS $BASE_RSS -> $rss KiB (ASan: not compared)"
	else
		[ "$rss" -le $((BASE_RSS + tolerance)) ] ||
			fail "$what: proxy RSS $rss KiB, baseline $BASE_RSS + $tolerance"
		BASELINE_SAID="fds back to $fds; RSS $BASE_RSS -> $rss KiB (tolerance $tolerance)"
	fi
}

# stop_proxy_checked: SIGTERM, and the proxy must exit 0 (in the ASan
# build, LeakSanitizer reports at exit and makes the status non-zero)
stop_proxy_checked() {
	kill -TERM "$PROXY_PID"
	local status=0
	wait "$PROXY_PID" || status=$?
	[ "$status" -eq 0 ] || {
		tail -n 40 "$T/proxy.log" >&2
		fail "the proxy exited with status $status on SIGTERM"
	}
}

# wayland-info's globals as "interface version" lines, sorted.
globals() {
	wayland-info 2>/dev/null | sed -n "s/^interface: '\([^']*\)', *version: *\([0-9]*\),.*/\1 \2/p" | sort
}

# start_pipewire [--no-session-manager] [USER]: a headless PipeWire daemon,
# a private session bus and WirePlumber, run as USER (a uid; default the
# caller), all on $PW_RT. The graph has a null sink "test-sink" (the
# default sink) and a fake microphone "test-mic" (the default source, an
# Audio/Source fed through "test-mic-feed": see mic_tone). Host-side
# PipeWire tools find it through PIPEWIRE_RUNTIME_DIR, which is exported.
# --no-session-manager leaves WirePlumber out; --camera adds a fake camera
# "test-camera" (videotestsrc, a Video/Source with media.role Camera).
# test-mic's priority is above test-sink's: WirePlumber 0.5 counts a
# sink's monitor as a source too, and would pick test-sink on a tie.
# --default-access leaves WirePlumber's client access as it ships (its
# portal access script and the permission store on; the rig turns them
# off otherwise), with its access scripts' messages (topic s-client, 0.5)
# in $T/wireplumber.log.
start_pipewire() {
	need pipewire pw-cli pw-metadata dbus-daemon
	local sm=1 camera=0 access=test
	while [ $# -gt 0 ]; do
		case $1 in
		--no-session-manager) sm=0 ;;
		--camera) camera=1 ;;
		--default-access) access=default ;;
		*) break ;;
		esac
		shift
	done
	PW_AS=${1:-}
	PW_DIR="$T/pw"
	PW_RT="$PW_DIR/run"
	mkdir -p "$PW_RT" "$PW_DIR/config/pipewire/pipewire.conf.d" \
		"$PW_DIR/config/wireplumber/main.lua.d" \
		"$PW_DIR/config/wireplumber/wireplumber.conf.d" \
		"$PW_DIR/config/wireplumber/bluetooth.lua.d" "$PW_DIR/state"
	chmod 700 "$PW_RT"
	cat > "$PW_DIR/config/pipewire/pipewire.conf.d/10-crate-wl-test.conf" <<'CONF'
context.objects = [
  { factory = adapter args = { factory.name = support.null-audio-sink
    node.name = "test-sink" node.description = "test sink"
    media.class = "Audio/Sink" audio.position = [ FL FR ]
    monitor.channel-volumes = true object.linger = true
    priority.session = 2000 } }
]
context.modules = [
  { name = libpipewire-module-loopback args = {
      node.description = "test microphone"
      capture.props = { node.name = "test-mic-feed" media.class = "Audio/Sink"
        audio.position = [ FL FR ] node.passive = true }
      playback.props = { node.name = "test-mic" media.class = "Audio/Source"
        audio.position = [ FL FR ] priority.session = 2100 } } }
]
CONF
	if [ $camera = 1 ]; then
		cat > "$PW_DIR/config/pipewire/pipewire.conf.d/20-crate-wl-camera.conf" <<'CONF'
context.spa-libs = { videotestsrc = videotestsrc/libspa-videotestsrc }
context.objects = [
  { factory = spa-node-factory args = { factory.name = videotestsrc
    node.name = "test-camera" node.description = "test camera"
    media.class = "Video/Source" media.role = "Camera" object.linger = true } }
]
CONF
	fi
	# no devices, no portal: a headless graph of the test's own nodes
	cat > "$PW_DIR/config/wireplumber/main.lua.d/80-crate-wl-test.lua" <<'LUA'
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
LUA
	[ $access = default ] ||
		echo 'default_access.properties["enable-flatpak-portal"] = false' \
		>> "$PW_DIR/config/wireplumber/main.lua.d/80-crate-wl-test.lua"
	echo 'bluez_monitor.enabled = false' \
		> "$PW_DIR/config/wireplumber/bluetooth.lua.d/80-crate-wl-test.lua"
	# the same for WirePlumber 0.5 (Debian 13), which reads no Lua
	# configuration: its features, turned off in the profile it runs
	cat > "$PW_DIR/config/wireplumber/wireplumber.conf.d/80-crate-wl-test.conf" <<'CONF'
wireplumber.profiles = {
  main = {
    hardware.audio = disabled
    hardware.bluetooth = disabled
    hardware.video-capture = disabled
    support.portal-permissionstore = disabled
    script.client.access-portal = disabled
  }
}
CONF
	if [ $access = default ]; then
		sed -i '/portal/d' "$PW_DIR/config/wireplumber/wireplumber.conf.d/80-crate-wl-test.conf"
	fi
	PW_RUNAS=
	if [ -n "$PW_AS" ]; then
		chown -R "$PW_AS:$PW_AS" "$PW_DIR"
		PW_RUNAS="setpriv --reuid=$PW_AS --regid=$PW_AS --clear-groups"
	fi
	PW_ENV="PATH=/usr/bin:/bin HOME=$PW_DIR XDG_RUNTIME_DIR=$PW_RT
		XDG_CONFIG_HOME=$PW_DIR/config XDG_STATE_HOME=$PW_DIR/state
		DBUS_SESSION_BUS_ADDRESS=unix:path=$PW_RT/bus"
	[ $access = test ] || PW_ENV="$PW_ENV WIREPLUMBER_DEBUG=W,s-client:D"
	$PW_RUNAS dbus-daemon --session --nofork \
		--address="unix:path=$PW_RT/bus" >"$T/dbus.log" 2>&1 &
	PW_DBUS_PID=$!
	track $PW_DBUS_PID
	wait_for_socket "$PW_RT/bus" || fail "the session bus did not start"
	pipewire_daemon
	PW_WP_PID=
	if [ $sm = 1 ]; then
		wireplumber_daemon
	fi
}

# hostile_conf: a client configuration under $T/home/cfg (XDG_CONFIG_HOME
# inside is /h/cfg) whose clients carry, among their own properties,
# every key WirePlumber's access scripts read (client/access-default.lua,
# access-portal.lua; 0.4's default-access too): a client may set a
# pipewire.* key its connection does not have yet, and these would grant
# everything (the portal's "not sandboxed" app id, a Manager), or widen a
# client PipeWire stamped "unrestricted" (pipewire.client.access: the
# relay's upstream connection on PipeWire 0.3). pipewire.access and
# pipewire.sec.* the daemon keeps for itself: they are tried too.
hostile_conf() {
	mkdir -p "$T/home/cfg/pipewire/client.conf.d" \
		"$T/home/cfg/pipewire/client-rt.conf.d"
	cat > "$T/home/cfg/pipewire/client.conf.d/50-hostile.conf" <<'CONF'
context.properties = {
  pipewire.access = portal
  pipewire.client.access = unrestricted
  pipewire.sec.engine = org.flatpak
  pipewire.sec.flatpak = true
  pipewire.access.portal.app_id = ""
  pipewire.access.portal.media_roles = Camera
  media.category = Manager
}
CONF
	# pw-cat reads client-rt.conf on PipeWire 0.3
	cp "$T/home/cfg/pipewire/client.conf.d/50-hostile.conf" \
		"$T/home/cfg/pipewire/client-rt.conf.d/"
	chown -R "$U:$U" "$T/home/cfg"
}

# (re)starts WirePlumber, as start_pipewire set it up
wireplumber_daemon() {
	need wireplumber
	env -i $PW_ENV $PW_RUNAS wireplumber >>"$T/wireplumber.log" 2>&1 &
	PW_WP_PID=$!
	track $PW_WP_PID
	# ready once it chose the defaults
	for _ in $(seq 1 250); do
		pw-metadata -n default 0 default.audio.source 2>/dev/null |
			grep -q test-mic && return 0
		sleep 0.02
	done
	cat "$T/wireplumber.log" >&2
	fail "WirePlumber did not choose the default source"
}

# restart_pipewire: the daemon and WirePlumber go away and come back
restart_pipewire() {
	kill "$PW_WP_PID" 2>/dev/null
	wait "$PW_WP_PID" 2>/dev/null
	stop_pipewire_daemon
	pipewire_daemon
	wireplumber_daemon
}

# (re)starts the daemon alone, as start_pipewire set it up
pipewire_daemon() {
	env -i $PW_ENV $PW_RUNAS pipewire >>"$T/pipewire.log" 2>&1 &
	PW_PID=$!
	track $PW_PID
	export PIPEWIRE_RUNTIME_DIR=$PW_RT
	for _ in $(seq 1 250); do
		pw-cli ls Node 2>/dev/null | grep -q '"test-mic"' && return 0
		sleep 0.02
	done
	cat "$T/pipewire.log" >&2
	fail "the PipeWire daemon did not start"
}

stop_pipewire_daemon() {
	kill "$PW_PID" 2>/dev/null
	wait "$PW_PID" 2>/dev/null
}

# mic_tone [FREQ [SECONDS]]: the fake microphone says a sine (0.5
# amplitude, 60 s)
mic_tone() {
	need sox pw-play
	sox -n -r 48000 -c 2 -b 16 "$T/mic-tone.wav" synth "${2:-60}" sine \
		"${1:-440}" vol 0.5
	pw-play --target test-mic-feed "$T/mic-tone.wav" 2>>"$T/mic-tone.log" &
	MIC_TONE_PID=$!
	track $MIC_TONE_PID
}

# rms FILE: the RMS amplitude of a recording (0 to 1), "0" when it is
# missing or empty
rms() {
	sox "$1" -n stat 2>&1 | awk '/^RMS +amplitude/ && $3 ~ /^[0-9.]+$/ {
		print $3; f=1 } END {if (!f) print 0}'
}

# record_sink FILE: records what reaches test-sink (its monitor) in the
# background, pid in $REC_PID; stop it with stop_record
record_sink() {
	pw-record -P '{ stream.capture.sink = true }' --target test-sink "$1" \
		2>>"$T/record.log" &
	REC_PID=$!
	track $REC_PID
}

stop_record() {
	kill -INT "$REC_PID" 2>/dev/null
	wait "$REC_PID" 2>/dev/null
}

# scripted_prompt: $T/prompt.sh, a cmd: prompt program run outside any
# sandbox that logs "APP PERMISSION" to $T/prompts.log and answers with
# the exit status written in $T/answer (0 allow once, 1 deny once, 2 allow
# for the run, 3 allow always, 4 deny always)
scripted_prompt() {
	cat > "$T/prompt.sh" <<'P'
#!/bin/sh
echo "$CRATE_WL_APP $CRATE_WL_PERMISSION" >> "$PROMPT_LOG"
exit "$(cat "$ANSWER_FILE")"
P
	chmod 755 "$T/prompt.sh"
	: > "$T/prompts.log"
	chmod 666 "$T/prompts.log"
	export PROMPT_LOG=$T/prompts.log ANSWER_FILE=$T/answer
}

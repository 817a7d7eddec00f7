#!/bin/bash
# A revoke ends access at once, however the sandbox was started (issue 19):
# with a display or without, allowed by an option, a manifest, a stored
# answer or a prompt. Each case starts a sandbox one way, revokes with
# crate-wl permissions revoke, prints how long the access lasted after it
# and asserts at most $BOUND_MS.
#   microphone, camera: from just before the revoke to the last link out of
#     the fake device going, as an unsandboxed PipeWire client sees it
#     (revoke-watch); links the session manager makes again after that
#     must go as fast, and none may stay.
#   screencopy: a capture loop inside (capture-loop, a frame after
#     another); the last frame delivered after the revoke (bounded) and
#     the first refused (printed); none delivered after a refusal.
#   clipboard: a focused window pasting every 20 ms (paste-window);
#   clipboard-manager: wl-paste (data-control) again and again; the last
#     paste asked for after the revoke that read the host's text
#     (bounded), and the first refused (printed).
# Usage: revoke.sh CRATE_WL REVOKE_WATCH TESTBIN CASE root|nobody
CRATE_WL=$1
REVOKE_WATCH=$2
TESTBIN=$3
CASE=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$5"
# the bound is the release build's; a sanitizer build (scripts/test's
# second pass sets ASAN_OPTIONS) runs every part 2-3 times slower
if [ -n "${ASAN_OPTIONS:-}" ]; then
	BOUND_MS=${BOUND_MS:-300}
else
	BOUND_MS=${BOUND_MS:-100}
fi
# the revoke command once before it is timed: the figure is what a revoke
# costs, not the first read from disk of a binary built a moment ago
warm() { as_user "$CRATE_WL" permissions list m >/dev/null 2>&1; }

# the figure, on a line scripts and bench/revoke.sh read
figure() { echo "revoke-figure $CASE $AS $1 ms${2:+ ($2)}"; }
# the figure counts the revoke command's start, and each process on the
# way (crate-wl permissions, the sandbox's crate-wl, the PipeWire daemon,
# the watcher) waiting for a CPU: on a machine loaded far past its CPUs a
# run can pass the bound, and the failure says the load
within() {
	awk -v v="$1" -v b="$BOUND_MS" 'BEGIN { exit !(v <= b) }' && return 0
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs" >&2
	return 1
}

# m's sandbox, one way: WAY is option, manifest, store, prompt or display;
# CAP the permission; the command after --. Started in the background as
# itself (not in a subshell), pid in $S, so that the cleanup's signal
# reaches it (timeout passes it on)
sandbox() {
	sandbox_command "$@"
	"${CMD[@]}" 2>>"$T/cw.log" &
	S=$!
	track $S
}
sandbox_command() {
	local way=$1 cap=$2
	shift 2
	local opts=() app=(run --app m) display=(--no-wayland)
	if [ "$way" = display ] || [ "${display_cap:-0}" = 1 ]; then
		display=()
	fi
	case $way in
	option|display|wp-access) opts=(--"$cap" allow) ;;
	store)
		as_user "$CRATE_WL" permissions grant m "$cap" 2>>"$T/cw.log" ||
			fail "permissions grant"
		opts=(--"$cap" ask --prompt none) ;;
	prompt)
		scripted_prompt
		echo 2 > "$T/answer" # allow for this run
		opts=(--"$cap" ask --prompt "cmd:$T/prompt.sh") ;;
	manifest)
		mkdir -p "$T/config/crate-wl/apps"
		{
			printf '[app]\nname = m\nexec = sh /h/run.sh\n'
			printf '[sandbox]\nbind = %s:/h\n' "$T/home"
			[ "$display_cap" = 1 ] ||
				printf 'wayland = false\n'
			printf '%s\n' "$MANIFEST_EXTRA"
		} > "$T/config/crate-wl/apps/m.crate"
		chown -R "$U:$U" "$T/config/crate-wl"
		app=(app) opts=() display=() ;;
	*) fail "unknown way $way" ;;
	esac
	shift # --
	# the proxy's own grants and revokes: without the security context,
	# whose compositor side (sway 1.10) hides screencopy and data-control
	CMD=(timeout -k 2 30 $RUNAS "$CRATE_WL" "${app[@]}" --no-security-context)
	if [ "$way" = manifest ]; then
		printf '%s\n' "$*" > "$T/home/run.sh"
		chown "$U:$U" "$T/home/run.sh"
		CMD+=(m)
	else
		CMD+=("${display[@]}" --bind "$T/home:/h" "${opts[@]}" $EXTRA
			-- sh -c "$*")
	fi
}

# ---- microphone, camera: links out of the fake device ----

device_case() {
	local dev=$1 way=$2 node grab
	display_cap=0
	EXTRA="--audio playback"
	if [ "$way" = display ]; then
		need sway
		if [ "$AS" = nobody ]; then start_sway 65534; else start_sway; fi
		export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
	fi
	case $dev in
	microphone)
		# wp-access: allowed by the option, with WirePlumber's access
		# rules as shipped and a recorder carrying what they read
		# (hostile_conf; media.sh's wp-access says why)
		if [ "$way" = wp-access ]; then
			start_pipewire --default-access "$U"
			hostile_conf
			grab='XDG_CONFIG_HOME=/h/cfg pw-record /h/rec.wav'
		else
			start_pipewire "$U"
			grab='pw-record /h/rec.wav'
		fi
		mic_tone
		node=test-mic
		MANIFEST_EXTRA=$'[media]\naudio = playback\nmicrophone = allow' ;;
	camera)
		start_pipewire --camera "$U"
		need gst-launch-1.0
		gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 ||
			skip "GStreamer's pipewiresrc is not installed"
		node=test-camera
		grab='gst-launch-1.0 -q pipewiresrc stream-properties="props,media.type=Video,media.category=Capture,media.role=Camera" ! fakesink'
		MANIFEST_EXTRA=$'[media]\naudio = playback\ncamera = allow' ;;
	esac
	for try in 1 2; do
		rm -f "$T/home/stop"
		# the grabber runs until the test says stop (pw-record then
		# writes its file's header)
		sandbox "$way" "$dev" -- "$grab & p=\$!; while [ ! -e /h/stop ]; do sleep 0.05; done; kill -INT \$p; wait \$p"
		warm
		# revoke once the device has been linked 1 s; watch 1 s more
		"$REVOKE_WATCH" "$node" 1000 1000 -- \
			$RUNAS "$CRATE_WL" permissions revoke m "$dev" \
			> "$T/watch" 2> "$T/revoke.err"
		rc=$?
		cat "$T/watch" "$T/revoke.err"
		# the recorder (still up) carried the keys to the daemon
		if [ "$way" = wp-access ] && ! pw-dump 2>/dev/null |
				grep -q '"pipewire.client.access": "unrestricted"'; then
			fail "no client of the sandbox carries the keys WirePlumber reads"
		fi
		touch "$T/home/stop"
		wait $S
		# the daemon itself must live through the revoke
		if kill -0 "$PW_PID" 2>/dev/null; then
			ms=$(sed -n 's/^unlink-ms //p' "$T/watch")
			# over the bound: measured once more, said aloud (the
			# figure counts each process on the way waiting for a
			# CPU, 1 run in 50 under load; a slower crate-wl is
			# over it both times, and fails)
			if [ "$try" = 1 ] && [ $rc = 0 ] && [ -n "$ms" ] &&
					! within "$ms"; then
				echo "OVER: $ms ms on the first try; once more"
				continue
			fi
			break
		fi
		wait "$PW_PID"
		st=$?
		tail -n 20 "$T/pipewire.log" >&2
		[ "$try" = 1 ] && [ "$dev" = camera ] ||
			fail "the PipeWire daemon died (status $st) during the revoke"
		# the rig's, not crate-wl's: measured once more, said aloud
		echo "RIG: the PipeWire daemon died (status $st) as the camera's" \
			"link went. PipeWire 0.3.65's videotestsrc (the fake" \
			"camera) crashes in its data thread when a link from it" \
			"goes while it streams (seen with gdb, about 1 run in 10" \
			"under load). Once more, with a new daemon."
		restart_pipewire
	done
	[ $rc = 2 ] && fail "$node was never linked to the sandbox: $(cat "$T/cw.log")"
	[ $rc = 0 ] || fail "the links out of $node stayed after the revoke: $(cat "$T/cw.log")"
	grep -q "^command-exit 0$" "$T/watch" || fail "permissions revoke failed"
	grep -q "crate-wl: 1 running instance of m told" "$T/revoke.err" ||
		fail "the revoke did not say it reached the sandbox"
	ms=$(sed -n 's/^unlink-ms //p' "$T/watch")
	read -r _ relinks _ longest < <(grep '^relinks' "$T/watch")
	figure "$ms" "relinked $relinks times, longest $longest ms"
	within "$ms" || fail "$dev linked $ms ms after the revoke (bound $BOUND_MS)"
	within "$longest" || fail "a link made again after the revoke lived $longest ms"
	grep -q '^still-linked 0$' "$T/watch" ||
		fail "$node linked to the sandbox again after the revoke"
	if [ "$dev" = microphone ]; then
		sox "$T/home/rec.wav" "$T/first.wav" trim 0 0.8 2>/dev/null
		r=$(rms "$T/first.wav")
		echo "RMS before the revoke: $r"
		loud "$r" || fail "the sandbox never heard the microphone (RMS $r)"
	fi
	pass "$dev allowed by $way: unlinked $ms ms after the revoke"
}
loud() { awk -v r="$1" 'BEGIN { exit !(r > 0.1) }'; }

# ---- the display's capabilities, through the sandbox's proxy ----

display_setup() {
	need sway wl-copy wl-paste
	if [ "$AS" = nobody ]; then start_sway 65534; else start_sway; fi
	export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
	display_cap=1
}

# times LOG: "T ok|no" lines after $T0: the last ok and the first no, in
# ms after the revoke
after_revoke() {
	awk -v t0="$T0" '$1 > t0 && $2 == "ok" { ok = sprintf("%.1f", ($1 - t0) * 1000) }
		$1 > t0 && $2 == "no" && no == "" {
			no = sprintf("%.1f", ($1 - t0) * 1000) }
		END { printf "%s %s\n", ok == "" ? "-" : ok, no == "" ? "-" : no }' "$1"
}

# LOG WHAT: revoke once the loop inside logged 5 successes, then judge
loop_revoke() {
	local log=$1 perm=$2
	for _ in $(seq 1 500); do
		[ "$(grep -c ' ok$' "$log" 2>/dev/null)" -ge 5 ] && break
		sleep 0.02
	done
	[ "$(grep -c ' ok$' "$log")" -ge 5 ] ||
		fail "no access before the revoke: $(tail -3 "$log") $(cat "$T/cw.log")"
	warm
	T0=$EPOCHREALTIME
	as_user "$CRATE_WL" permissions revoke m "$perm" 2> "$T/revoke.err"
	cat "$T/revoke.err"
	grep -q "crate-wl: 1 running instance of m told" "$T/revoke.err" ||
		fail "the revoke did not say it reached the sandbox"
	# three refusals, or 5 s
	for _ in $(seq 1 250); do
		[ "$(awk -v t0="$T0" '$1 > t0 && $2 == "no"' "$log" | wc -l)" -ge 3 ] &&
			break
		sleep 0.02
	done
	touch "$T/home/stop"
	wait $S
	awk -v t0="$T0" '{ printf "%.1f %s\n", ($1 - t0) * 1000, $2 }' "$log" | tail -n 15
	read -r ok no < <(after_revoke "$log")
	echo "after the revoke: last access at $ok ms, first refusal at $no ms"
	[ "$no" != - ] || fail "nothing refused after the revoke: $(tail -5 "$log")"
	# a success after the first refusal: the revoke did not hold
	awk -v t0="$T0" '$1 > t0 && $2 == "no" { n = 1 } n && $2 == "ok" { exit 1 }' \
		"$log" || fail "access again after a refusal: $(tail -8 "$log")"
	last=$ok
	[ "$last" = - ] && last=0
	figure "$last" "first refusal $no ms"
	# the bound is on the access: when the loop's next request comes
	# after that is the loop's pace (and the machine's load), not the
	# revoke's
	within "$last" || fail "access $last ms after the revoke (bound $BOUND_MS)"
}

case_screencopy() {
	local way=$1
	display_setup
	MANIFEST_EXTRA=$'[wayland]\nscreencopy = allow'
	EXTRA=
	: > "$T/home/frames"
	# the build tree is not in the sandbox: the client comes in by /h
	cp "$TESTBIN/capture-loop" "$T/home/"
	chown "$U:$U" "$T/home/frames" "$T/home/capture-loop"
	# a frame after another, "T ok" or "T no" each, until 3 refused
	sandbox "$way" screencopy -- "CAPTURE_LOOP_TIMES=1 /h/capture-loop 100000 3 > /h/frames"
	loop_revoke "$T/home/frames" screencopy
	pass "screencopy allowed by $way: frames refused from the revoke on"
}

# wl-paste inside, again and again: "T ok" when it read the host's text
paste_loop() {
	cat > "$T/home/loop.sh" <<'L'
for i in $(seq 1 2000); do
	[ -e /h/stop ] && exit 0
	t=$EPOCHREALTIME
	if [ "$(timeout 2 wl-paste -n 2>/dev/null)" = "host text" ]; then
		echo "$t ok"
	else
		echo "$t no"
	fi >> /h/pastes
done
L
	: > "$T/home/pastes"
	chown "$U:$U" "$T/home/pastes" "$T/home/loop.sh"
}

case_clipboard() {
	local way=$1 perm=$2
	display_setup
	printf 'host text' | wl-copy
	clip_becomes "host text" || fail "the host's wl-copy did not set the selection"
	paste_loop
	EXTRA=
	if [ "$perm" = clipboard ]; then
		# sway serves the selection to the focused window only: a
		# window that pastes every 20 ms, and a keyboard for its focus
		need wtype
		wtype -s 3600000 &
		track $!
		cp "$TESTBIN/paste-window" "$T/home/"
		chown "$U:$U" "$T/home/paste-window"
		MANIFEST_EXTRA=$'[wayland]\nclipboard = allow'
		sandbox "$way" clipboard -- "PASTE_TIMES=1 PASTE_INTERVAL_MS=20 /h/paste-window cw-revoke paste 20 > /h/pastes & p=\$!; while [ ! -e /h/stop ]; do sleep 0.05; done; kill \$p"
	elif [ "$way" = manifest ]; then
		# the regular clipboard closed: pastes read through
		# data-control only
		MANIFEST_EXTRA=$'[wayland]\nclipboard = deny\nclipboard-manager = allow'
		sandbox manifest clipboard-manager -- bash /h/loop.sh
	else
		# a policy file says it: there is no option for it
		local access=allow
		if [ "$way" = store ]; then
			access=ask
			as_user "$CRATE_WL" permissions grant m clipboard-manager \
				2>>"$T/cw.log" || fail "permissions grant"
		fi
		printf '[wayland]\npolicy = default\nclipboard = deny\nclipboard-manager = %s\n' \
			"$access" > "$T/cm.policy"
		chmod 644 "$T/cm.policy"
		timeout -k 2 30 $RUNAS "$CRATE_WL" run --app m \
			--no-security-context \
			--bind "$T/home:/h" --policy "$T/cm.policy" \
			--prompt none -- bash /h/loop.sh 2>>"$T/cw.log" &
		S=$!
		track $S
	fi
	loop_revoke "$T/home/pastes" "$perm"
	pass "$perm allowed by $way: pastes refused from the revoke on"
}

case $CASE in
microphone-*|camera-*) device_case "${CASE%%-*}" "${CASE#*-}" ;;
screencopy-*) case_screencopy "${CASE#*-}" ;;
clipboard-manager-*) case_clipboard "${CASE#clipboard-manager-}" clipboard-manager ;;
clipboard-*) case_clipboard "${CASE#*-}" clipboard ;;
*) fail "unknown case $CASE" ;;
esac

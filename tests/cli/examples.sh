#!/bin/bash
# examples.sh CRATE_WL SRCDIR BUILDDIR: the man pages and the README (issue
# 16, item 9). Every page in docs/ is named in the README and in
# crate-wl(1), every command of 'crate-wl --help' has its page, and every
# example command in them is run, the way examples.txt beside this script
# says: its exit status, what it prints, what it leaves behind; a GUI one
# under a headless sway. An example the table does not know fails, and so
# does a table entry the docs no longer have: a new example cannot go
# unrun, a changed one must be checked again.
#
# It runs in mount, network and pid namespaces of its own: examples that
# write /tmp/rec write a tmpfs of the test's, an app with 'net = nat' gets
# a routed interface that leads nowhere (no packet leaves the machine),
# and whatever an example leaves running ends with the test.
CRATE_WL=$(realpath "$1")
SRC=$(realpath "$2")
# the examples start sandboxes and crate-wl's confined helpers (the OCI
# unpacker): at their exit LeakSanitizer cannot stop their threads (the
# filter denies ptrace) and fails, so, as for the sandbox suite in the
# sanitizer pass (scripts/test), ASan and UBSan stay on, leaks off
case ${ASAN_OPTIONS:-} in
*detect_leaks=1*) export ASAN_OPTIONS=${ASAN_OPTIONS//detect_leaks=1/detect_leaks=0} ;;
esac
BUILD=$(realpath "$3")
if [ -z "${CRATE_WL_EXAMPLES_NS:-}" ]; then
	exec env CRATE_WL_EXAMPLES_NS=1 unshare --mount --net --pid --fork \
		--kill-child --mount-proc --propagation private -- \
		"$0" "$CRATE_WL" "$SRC" "$BUILD"
fi
# the source and build trees stay where they are when they live under the
# /tmp or /home about to be hidden (a clone in /tmp): held at /mnt, then
# bound back at their own paths (the build's install data names them)
mount -t tmpfs -o mode=755 tmpfs /mnt ||
	{ echo "FAIL: no tmpfs on /mnt"; exit 1; }
mkdir /mnt/src /mnt/build
mount --bind "$SRC" /mnt/src && mount --bind "$BUILD" /mnt/build ||
	{ echo "FAIL: cannot hold the trees at /mnt"; exit 1; }
# the examples' home is /home/me, as the docs show it (and not under
# /tmp, where a sandbox would show its parents in its empty /tmp)
for d in /tmp /home; do
	mount -t tmpfs -o mode=1777 tmpfs $d ||
		{ echo "FAIL: no tmpfs on $d"; exit 1; }
done
for t in "src:$SRC" "build:$BUILD"; do
	[ -d "${t#*:}" ] && continue
	mkdir -p "${t#*:}" && mount --bind "/mnt/${t%%:*}" "${t#*:}" ||
		{ echo "FAIL: cannot bind ${t#*:} back"; exit 1; }
done
ip link set lo up
# pasta (--net nat) wants an interface with a default route
ip tuntap add dev crate0 mode tap &&
	ip addr add 10.99.0.2/24 dev crate0 && ip link set crate0 up &&
	ip route add default via 10.99.0.1 ||
	{ echo "FAIL: no tap interface for pasta"; exit 1; }

. "$SRC/tests/lib.sh"
need awk python3 grim sway swaymsg foot wayland-info chromium mpv \
	featherpad pw-record sox zenity wtype wl-paste strace make meson \
	busybox gst-launch-1.0 ip
START=$(date +%s)
TABLE=$SRC/tests/cli/examples.txt
cd "$SRC" || fail "no $SRC"

# 1. the pages: each named in the README and in crate-wl(1); each command
# of crate-wl --help with a page of its own
cmds=$("$CRATE_WL" --help | awk '/^commands:/ {c=1; next} c && /^  [a-z]/ {print $1}')
[ -n "$cmds" ] || fail "crate-wl --help lists no command"
for cmd in $cmds; do
	[ -f "docs/crate-wl-$cmd.1.scd" ] ||
		fail "crate-wl $cmd has no page docs/crate-wl-$cmd.1.scd"
done
for page in docs/*.scd; do
	name=$(basename "$page" .scd)
	ref="${name%.*}(${name##*.})"
	grep -qF "\`$ref\`" README.md || fail "the README does not name $ref"
	[ "$name" = crate-wl.1 ] && continue
	grep -qF "*${name%.*}*(${name##*.})" docs/crate-wl.1.scd ||
		fail "crate-wl(1) does not name $ref"
	grep -q "^docs/$name.scd\$\|'$name'\|$name" docs/meson.build ||
		fail "docs/meson.build does not build $ref"
done
pass "every page is named in the README and in crate-wl(1); every command has one"

# 2. the examples: in docs/*.scd, the commands of ``` blocks; in the
# README, the commands of 4-space blocks. "$ CMD" is a command wherever it
# is; lines a "$ " command is followed by are its expected output.
# Continued lines (a final \, \\ in scdoc) are joined.
extract() { # FILE: lines "C<TAB>command" and "O<TAB>output line"
	awk -v readme="$([ "$1" = README.md ] && echo 1)" '
	function start(line) {
		if (line ~ /^\$ /) {
			sub(/^\$ /, "", line)
			dollar = 1
		} else if (line ~ cmdre) {
			dollar = 0
		} else {
			return 0
		}
		cur = line
		return 1
	}
	function done() {
		sub(/[ \t]+$/, "", cur)
		print "C\t" cur
		cur = ""
		incmd = 1
	}
	BEGIN {
		if (readme) {
			cmdre = "^(crate-wl |scripts/|CRATE_WL|sudo |meson |[A-Z_]+=|\\./[^ ]*\\.crate)"
		} else {
			cmdre = "^(crate-wl |CRATE_WL_APPS=|WAYLAND_DISPLAY=|\\./[^ ]*\\.crate)"
		}
	}
	{
		if (readme) {
			if ($0 ~ /^    /) {
				inblock = 1
				line = substr($0, 5)
			} else if ($0 ~ /^[ \t]*$/ && inblock) {
				next
			} else {
				inblock = 0; incmd = 0; pending = 0
				next
			}
		} else {
			if ($0 ~ /^```/) {
				inblock = !inblock; incmd = 0; pending = 0
				next
			}
			if (!inblock)
				next
			line = $0
		}
		if (pending) {
			sub(/^[ \t]+/, "", line)
			cur = cur " " line
		} else if (!start(line)) {
			if (incmd && dollar && line !~ /^\.\.\.$/ && line != "")
				print "O\t" line
			next
		}
		if (cur ~ /\\$/) {
			sub(/[ \t]*\\\\?$/, "", cur)
			pending = 1
			next
		}
		pending = 0
		done()
	}' "$1"
}
declare -A IN_DOCS DOC_OUT
for f in README.md docs/*.scd; do
	last=
	while IFS=$'\t' read -r kind text; do
		if [ "$kind" = C ]; then
			IN_DOCS[$text]="${IN_DOCS[$text]:+${IN_DOCS[$text]}, }$f"
			last=$text
		else
			DOC_OUT[$last]+="$text"$'\n'
		fi
	done < <(extract "$f")
done
[ "${#IN_DOCS[@]}" -ge 40 ] ||
	fail "only ${#IN_DOCS[@]} examples found: is the extraction broken?"

# the table: an example at the start of a line, its checks indented below
declare -A IN_TABLE
ORDER=()
declare -A DIRS
cur=
while IFS= read -r line; do
	case $line in
	'' | '#'*) continue ;;
	[[:space:]]*)
		[ -n "$cur" ] || fail "examples.txt: a check before any example: $line"
		line=${line#"${line%%[![:space:]]*}"}
		DIRS[$cur]+="$line"$'\n'
		;;
	*)
		cur=$line
		[ -z "${IN_TABLE[$cur]:-}" ] ||
			fail "examples.txt names '$cur' twice"
		IN_TABLE[$cur]=1
		ORDER+=("$cur")
		;;
	esac
done < "$TABLE"
bad=0
for ex in "${!IN_DOCS[@]}"; do
	[ -n "${IN_TABLE[$ex]:-}" ] || {
		echo "FAIL: an example no test runs (${IN_DOCS[$ex]}): $ex" >&2
		bad=1
	}
done
for ex in "${ORDER[@]}"; do
	[ -n "${IN_DOCS[$ex]:-}" ] || {
		echo "FAIL: examples.txt has an example no doc has any more: $ex" >&2
		bad=1
	}
done
[ $bad = 0 ] || fail "the docs' examples and tests/cli/examples.txt differ"
pass "${#IN_DOCS[@]} examples in the docs, each in tests/cli/examples.txt"

# 3. run them: a private home, the shipped manifests, this crate-wl first
# on PATH, a headless sway and a PipeWire daemon with WirePlumber, in a
# working directory with the files they name
CRATE_WL_DIR=$(dirname "$CRATE_WL")
export HOME=/home/me XDG_CONFIG_HOME=/home/me/.config \
	XDG_DATA_HOME=/home/me/.local/share XDG_STATE_HOME=/home/me/.local/state \
	XDG_CACHE_HOME=/home/me/.cache CRATE_WL_APPS=$SRC/apps \
	PATH=$CRATE_WL_DIR:$PATH \
	NO_AT_BRIDGE=1 GTK_A11Y=none LIBGL_ALWAYS_SOFTWARE=1 \
	GDK_BACKEND=wayland QT_QPA_PLATFORM=wayland
unset CRATE_WL_DEBUG
mkdir -p -m 700 "$HOME" "$XDG_CONFIG_HOME/crate-wl" "$XDG_DATA_HOME" \
	"$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$HOME/Documents" "$HOME/Videos"
W=$T/cwd
mkdir -p "$W"
ln -s "$SRC/apps" "$W/apps"
# the media files and the OCI layout are made meanwhile: the machine has
# two CPUs
sox -n -r 48000 -c 2 "$W/song.ogg" synth 10 sine 440 vol 0.3 \
	>"$T/sox.log" 2>&1 &
SOX_PID=$!
# a video for mpv
gst-launch-1.0 -q videotestsrc num-buffers=30 \
	! video/x-raw,width=160,height=120 ! theoraenc ! oggmux \
	! filesink location="$HOME/Videos/talk.ogv" >"$T/gst.log" 2>&1 &
GST_PID=$!
# an image whose Entrypoint and Cmd say something: mkoci.py's "cmd",
# tagged latest
python3 "$SRC/tests/sandbox/mkoci.py" "$W/layout" "$(command -v busybox)" \
	>"$T/mkoci.log" 2>&1 &
MKOCI_PID=$!
start_pipewire
start_sway
# files the examples name
# browser.policy: crate-wl-policy(5)'s example file, as it is there
awk '/^# EXAMPLE/ {e=1} e && /^```/ {n++; next} e && n == 1' \
	docs/crate-wl-policy.5.scd > "$W/browser.policy"
grep -q '^screencopy = ask$' "$W/browser.policy" ||
	fail "no example file in crate-wl-policy(5)"
cp "$W/browser.policy" "$XDG_CONFIG_HOME/crate-wl/browser.policy"
# chat.policy: the README's
awk '/^```ini/ {b=1; next} b && /^```/ {exit} b' README.md \
	> "$XDG_CONFIG_HOME/crate-wl/chat.policy"
grep -q '^cap = wl_seat:5$' "$XDG_CONFIG_HOME/crate-wl/chat.policy" ||
	fail "no chat.policy in the README"
echo "notes" > "$HOME/Documents/notes.txt"
wait $SOX_PID || fail "sox made no song.ogg: $(cat "$T/sox.log")"
wait $GST_PID || fail "no talk.ogv: $(cat "$T/gst.log")"
wait $MKOCI_PID || fail "mkoci.py: $(cat "$T/mkoci.log")"
python3 - "$W/layout/index.json" <<'PY' || fail "no image 'cmd' from mkoci.py"
import json, sys
key = 'org.opencontainers.image.ref.name'
index = json.load(open(sys.argv[1]))
index['manifests'] = [m for m in index['manifests']
	if m.get('annotations', {}).get(key) == 'cmd']
index['manifests'][0]['annotations'][key] = 'latest'
json.dump(index, open(sys.argv[1], 'w'))
PY
export T SRC BUILD
printf 'check:\n\t@echo checked in a sandbox\n' > "$W/Makefile"

# This machine has no GPU, and the test runs as root, which Chromium
# refuses without --no-sandbox: Debian's chromium script reads its flags
# from /etc/chromium.d, here the test's own (in its mount namespace, and
# so in the sandboxes it makes, which show the host's /etc)
[ -d /etc/chromium.d ] || fail "no /etc/chromium.d: not Debian's chromium?"
mount -t tmpfs tmpfs /etc/chromium.d || fail "cannot mount on /etc/chromium.d"
echo 'export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox --disable-gpu --no-first-run --disable-background-networking"' \
	> /etc/chromium.d/crate-wl-test
# an idle virtual keyboard, so that key presses for a dialog reach it
# (TESTRIG.md: the first key is lost while a client attaches to it)
wtype -s 3600000 &
track $!

# views: the number of windows mapped on the headless sway
views() { swaymsg_tree 2>/dev/null | grep -c '"pid": [0-9]'; }
# sway_alive: no example takes the compositor down
sway_alive() {
	kill -0 "$SWAY_PID" 2>/dev/null || {
		tail -20 "$T/sway.log" >&2
		fail "$what: sway is gone"
	}
}
# procs: the number of processes in the test's pid namespace, in $NPROCS
# (counted in this shell: no passing child of its own counted)
procs() {
	local p=(/proc/[0-9]*)
	NPROCS=${#p[@]}
}

# stop PID: SIGTERM, and it must be gone within 5 s
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 250); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.02
	done
	return 1
}

# pair EXAMPLE: a socket pair, wayland-info on one end (WAYLAND_SOCKET),
# the example on the other, as descriptor 3 and as $CLIENT_FD
pair() {
	python3 - "$1" <<'PY'
import os, socket, subprocess, sys
a, b = socket.socketpair()
fd = a.detach()
if fd != 3:
	os.dup2(fd, 3)
	os.close(fd)
os.set_inheritable(b.fileno(), True)
client = subprocess.Popen(['wayland-info'], pass_fds=[b.fileno()],
	env=dict(os.environ, WAYLAND_SOCKET=str(b.fileno())))
b.close()
proxy = subprocess.Popen(['bash', '-c', sys.argv[1]], pass_fds=[3],
	env=dict(os.environ, CLIENT_FD='3'))
os.close(3)
crc = client.wait()
prc = proxy.wait()
print('wayland-info: %d' % crc)
sys.exit(crc or prc)
PY
}

pass "sway, PipeWire and the examples' files ready in $(($(date +%s) - START)) s"
n=0
for ex in "${ORDER[@]}"; do
	n=$((n + 1))
	mode=run wait='' status=0 runcmd=$ex steps='' checks=() outs=() says=()
	befores=() file='' dir=$W keys='' beside='' sound='' nosan=''
	while IFS= read -r d; do
		case $d in '' | '#'*) continue ;; esac
		verb=${d%% *}
		arg=${d#"$verb"}
		arg=${arg# }
		case $verb in
		exit) status=$arg ;;
		out) outs+=("$arg") ;;
		says) says+=("$arg") ;;
		check) checks+=("$arg") ;;
		before) befores+=("$arg") ;;
		beside) beside=$arg ;;
		cd) dir=$W/$arg ;;
		run) runcmd=$arg ;;
		gui | window | bg) mode=$verb wait=$arg ;;
		keys) mode=keys wait=${arg%% *} keys=${arg#* } ;;
		pty) mode=pty steps+="$arg"$'\n' ;;
		pair) mode=pair ;;
		sound) sound=1 ;;
		covered) mode=covered file=$arg ;;
		nosan) nosan=1 ;;
		*) fail "examples.txt: unknown check '$d' of: $ex" ;;
		esac
	done <<< "${DIRS[$ex]:-}"
	what="example $n ($ex)"
	# CRATE_WL_EXAMPLES_ONLY=ERE runs only the examples like it (to debug)
	if [ -n "${CRATE_WL_EXAMPLES_ONLY:-}" ] &&
			! grep -qE -- "$CRATE_WL_EXAMPLES_ONLY" <<< "$ex"; then
		continue
	fi
	for s in "${says[@]}"; do
		grep -qF -- "$s" <<< "${DOC_OUT[$ex]:-}" ||
			fail "$what: the docs do not show '$s' as its output"
	done
	if [ -n "$nosan" ] && [ -n "${ASAN_OPTIONS:-}" ]; then
		# the sanitizers' runtime cannot run in crate-wl's confined
		# helpers (the OCI unpacker has no /proc): the normal build's
		# pass of this same test runs it (scripts/test runs both)
		pass "$what: run by the normal build's pass"
		continue
	fi
	if [ $mode = covered ]; then
		[ -f "$SRC/$file" ] || fail "$what: no $file"
		# each command of it, by its first two words
		while read -r first second rest; do
			if [ "$first" = sudo ]; then
				first=$second
				second=${rest%% *}
			fi
			grep -qF -- "$first $second" "$SRC/$file" ||
				fail "$what: $file does not run '$first $second'"
		done < <(sed 's/ *&& */\n/g' <<< "$ex")
		pass "$what: run by $file"
		continue
	fi
	cd "$dir" || fail "no $dir"
	log=$T/ex$n.log
	export LOG=$log
	rc=0
	procs
	nprocs=$NPROCS
	bpid=
	if [ -n "$beside" ]; then
		# "SOCKET COMMAND": COMMAND serves SOCKET (- for none), beside
		# the example, and is stopped after it
		bsock=$(bash -c "echo ${beside%% *}")
		bash -c "exec ${beside#* }" >"$log.beside" 2>&1 </dev/null &
		bpid=$!
		track $bpid
		[ "$bsock" = - ] || wait_for_socket "$bsock" ||
			fail "$what: no $bsock beside it: $(cat "$log.beside")"
	fi
	for b in "${befores[@]}"; do
		bash -c "$b" >>"$T/before.log" 2>&1 ||
			fail "$what: setting up ($b): $(tail -5 "$T/before.log")"
	done
	t0=$(date +%s%N)
	case $mode in
	run)
		timeout 60 bash -c "$runcmd" >"$log" 2>&1 </dev/null || rc=$?
		;;
	pair)
		pair "$runcmd" >"$log" 2>&1 </dev/null || rc=$?
		;;
	pty)
		printf '%s' "$steps" |
			timeout 60 python3 "$SRC/tests/sandbox/ptydrive.py" \
			bash -c "$runcmd" >"$log" 2>&1 || rc=$?
		;;
	gui | window | bg | keys)
		# a final & is the test's to do, with the pid known
		runcmd=${runcmd%&}
		[ -z "$sound" ] || record_sink "$T/sink$n.wav"
		# the windows there were before it (a fast one maps at once)
		base=$(views)
		bash -c "exec $runcmd" >"$log" 2>&1 </dev/null &
		pid=$!
		track $pid
		alive=1 secs=${wait%% *}
		sock=$(bash -c "echo ${wait#* }")
		for _ in $(seq 1 $((secs * 20))); do
			kill -0 $pid 2>/dev/null || { alive=0; break; }
			case $mode in
			window | keys) [ "$(views)" -gt "$base" ] && break ;;
			bg) [ -S "$sock" ] && break ;;
			esac
			sleep 0.05
		done
		if [ $alive = 0 ]; then
			wait $pid || rc=$?
			[ $mode = keys ] || [ $rc = 0 ] || {
				tail -20 "$log" >&2
				fail "$what: exited $rc before $secs s"
			}
		fi
		case $mode in
		window | keys)
			[ $alive = 0 ] || [ "$(views)" -gt "$base" ] || {
				tail -20 "$log" >&2
				sway_alive
				fail "$what: no window within $secs s"
			} ;;
		bg)
			[ -S "$sock" ] || {
				tail -20 "$log" >&2
				fail "$what: no socket $sock within $secs s"
			} ;;
		esac
		if [ $mode = keys ]; then
			[ $alive = 1 ] || fail "$what: ended before its dialog showed"
			# the dialog answered with keys; the example then ends
			wtype -s 100 $keys -p F24 ||
				fail "$what: wtype $keys failed"
			for _ in $(seq 1 200); do
				kill -0 $pid 2>/dev/null || break
				sleep 0.05
			done
			kill -0 $pid 2>/dev/null && {
				tail -20 "$log" >&2
				fail "$what: still running 10 s after its dialog was answered"
			}
			wait $pid || rc=$?
		elif [ $mode != bg ] && [ $alive = 1 ]; then
			stop $pid || fail "$what: still running 5 s after SIGTERM"
			# a window must go with it
			for _ in $(seq 1 100); do
				[ "$(views)" -le "$base" ] && break
				sleep 0.05
			done
			[ "$(views)" -le "$base" ] ||
				fail "$what: its window outlived it"
		fi
		;;
	esac
	ms=$((($(date +%s%N) - t0) / 1000000))
	sway_alive
	if [ -n "$sound" ]; then
		stop_record
		level=$(rms "$T/sink$n.wav")
		awk -v r="$level" 'BEGIN {exit !(r > 0.05)}' ||
			fail "$what: the sink heard RMS $level, no sound"
	fi
	if [ -n "$bpid" ]; then
		stop $bpid || fail "$what: what ran beside it did not stop"
	fi
	[ "$rc" = "$status" ] || {
		tail -30 "$log" >&2
		fail "$what: exit status $rc, expected $status"
	}
	for o in "${outs[@]}"; do
		grep -qE -- "$o" "$log" || {
			tail -30 "$log" >&2
			fail "$what: printed nothing like '$o'"
		}
	done
	for s in "${says[@]}"; do
		grep -qF -- "$s" "$log" || {
			tail -30 "$log" >&2
			fail "$what: did not print '$s', as the docs show"
		}
	done
	for c in "${checks[@]}"; do
		bash -c "$c" >>"$log" 2>&1 || {
			tail -30 "$log" >&2
			fail "$what: afterwards, not true: $c"
		}
	done
	# nothing it started is left (but a background one, kept on purpose)
	if [ $mode != bg ]; then
		for _ in $(seq 1 100); do
			procs
			[ "$NPROCS" -le "$nprocs" ] && break
			sleep 0.05
		done
		[ "$NPROCS" -le "$nprocs" ] || {
			ps -eo pid,ppid,args >&2
			fail "$what: left processes behind"
		}
	fi
	pass "$what: $mode, ${ms} ms, $((($(date +%s%N) - t0) / 1000000)) ms with its checks"
done
cd /
pass "all examples ran, in $(($(date +%s) - START)) s"

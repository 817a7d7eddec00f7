#!/bin/bash
# How long a link to a sandboxed stream exists before crate-wl destroys it
# (crate-wl-media(7), LINKS), and whether any audio goes through it. Each
# sandbox is started with --audio playback --microphone deny: WirePlumber
# links every recording stream to the default microphone (the fake
# test-mic, saying a 0.5-amplitude sine), crate-wl destroys each such link
# and prints how long it existed. Four setups, each round in a fresh
# random order, each round of each setup in a sandbox of its own:
#   quiet   QUIET_N recorders (pw-record) one after the other
#   load    LOAD recorders at once, until crate-wl destroyed 2 x LOAD
#           links (one per channel of each, unless WirePlumber linked one
#           again: it does) or LOAD_WAIT s passed
#   churn   CHURN_N recorders one after the other while CHURN_LOOPS loops
#           in the same sandbox connect to its pipewire-0, write 4 KiB of
#           junk and close, CHURN_PAUSE s apart (with none, they keep all
#           64 of the relay's connections taken and no recorder gets one)
#   host    one recorder, and HOST_N pw-link attempts on the host from
#           test-mic to it (both channels): WirePlumber is not the only one
#           who links
# Per setup: the lifetimes crate-wl printed ("it existed X ms": from the
# link's global reaching crate-wl to its removal reaching crate-wl), count,
# median, p95, p99, max; the same links as link-watch, a second observer
# outside any sandbox, saw them (it also counts the time crate-wl took to
# hear of the link); and every recording checked with sox: the seconds
# recorded, the loudest sample, the recordings with any sample at or over
# 1 % of full scale (the microphone's sine is at 50 %). Headless PipeWire
# with WirePlumber (tests/lib.sh), everything pinned to one CPU. Figures,
# not tests: the exit status only says whether the rig ran.
#
# Usage: bench/media-links.sh [BUILD_DIR]
# Knobs: BENCH_CPU=0 ROUNDS=3 QUIET_N=5 LOAD=40 LOAD_WAIT=30 CHURN_N=5
#        CHURN_LOOPS=2 CHURN_PAUSE=0.002 HOST_N=5 REC_S=2 (each quiet and
#        churn recording's length, s: on a loaded machine WirePlumber may
#        link a recorder late)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
watch=$build/bench/link-watch
BENCH_CPU=${BENCH_CPU:-0}
ROUNDS=${ROUNDS:-3}
QUIET_N=${QUIET_N:-5}
LOAD=${LOAD:-40}
LOAD_WAIT=${LOAD_WAIT:-30}
CHURN_N=${CHURN_N:-5}
CHURN_LOOPS=${CHURN_LOOPS:-2}
HOST_N=${HOST_N:-5}
CHURN_PAUSE=${CHURN_PAUSE:-0.002}
REC_S=${REC_S:-2}
[ -x "$watch" ] || { echo "bench: $watch missing: ninja -C $build" >&2; exit 1; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CRATE_WL=$build/cli/crate-wl
# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
set +u
need pw-record pw-link sox python3
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
taskset -pc "$BENCH_CPU" $$ >/dev/null
mkdir -p -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt
start_pipewire
# long enough for the whole run
mic_tone 440 $((ROUNDS * 120 + 60))
mkdir -m 777 "$T/io"
"$watch" > "$T/watch" 2>"$T/watch.err" &
track $!
until grep -q '^ready' "$T/watch"; do
	sleep 0.01
done

# sandbox SETUP SCRIPT: a sandbox for one setup's round; crate-wl's
# messages are added to $T/cw-SETUP.log; MIC (deny) is its --microphone.
# The recorders end by timeout or SIGINT: the script's status says
# nothing, the recordings do.
sandbox() {
	# --trace: every destroyed link's line, not one a second
	"$CRATE_WL" run --trace --no-wayland --app "links-$1" --audio playback \
		--microphone "${MIC:-deny}" --bind "$T/io:/io" -- sh -c "$2; true" \
		2>>"$T/cw-$1.log" || die "$1: the sandbox failed: $(tail -n 3 "$T/cw-$1.log")"
}

# record SETUP ROUND I: the script line of one recording in the sandbox.
# A recorder that crate-wl's relay refused (its 64 connections taken by
# the churn loops) fails at once: it tries again, at most 50 times, each
# try noted in /io/retry-SETUP (timeout's 124: it recorded REC_S).
record() {
	echo "i=0; until timeout $REC_S pw-record /io/$1-$2-$3.wav;" \
		"[ \$? = 124 ] || [ \$i = 50 ]; do i=\$((i + 1));" \
		"echo >> /io/retry-$1; done"
}

# lived SETUP: the lifetimes crate-wl printed so far
lived() {
	sed -n 's/.*it existed \([0-9.]*\) ms.*/\1/p' "$T/cw-$1.log" 2>/dev/null
}

quiet() {
	local s=
	for i in $(seq "$QUIET_N"); do s="$s$(record quiet "$1" "$i"); "; done
	sandbox quiet "$s:"
}

# load ROUND: LOAD recorders at once, until crate-wl destroyed 2 x LOAD
# links or LOAD_WAIT s passed: on one loaded CPU the last ones may take
# seconds to be linked at all
load() {
	local rec s="p=; "
	for i in $(seq "$LOAD"); do
		s="${s}pw-record /io/load-$1-$i.wav & p=\"\$p \$!\"; "
	done
	rm -f "$T/io/load-stop"
	sandbox load "${s}while [ ! -e /io/load-stop ]; do sleep 0.05; done;
		kill -INT \$p; wait" &
	rec=$!
	for _ in $(seq $((LOAD_WAIT * 20))); do
		[ "$(lived load | wc -l)" -ge $((n0 + 2 * LOAD)) ] && break
		sleep 0.05
	done
	touch "$T/io/load-stop"
	wait $rec
}

churn() {
	local s=
	for i in $(seq "$CHURN_LOOPS"); do
		s="${s}python3 /io/churn.py $CHURN_PAUSE & "
	done
	s="${s}sleep 0.3; "
	for i in $(seq "$CHURN_N"); do s="$s$(record churn "$1" "$i"); "; done
	rm -f "$T/io/churn-stop"
	sandbox churn "${s}touch /io/churn-stop; wait"
}
cat > "$T/io/churn.py" <<'PY'
import os, socket, sys, time
path = os.environ["XDG_RUNTIME_DIR"] + "/pipewire-0"
pause = float(sys.argv[1])
junk = os.urandom(4096)
n = 0
while not os.path.exists("/io/churn-stop"):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        s.send(junk)
        n += 1
    except OSError:
        pass
    s.close()
    time.sleep(pause)
with open("/io/churned", "a") as f:
    f.write("%d\n" % n)
PY

# host ROUND: WirePlumber's links to the recorder come first; only the
# pw-link attempts after them count (n0 and w0 move to that mark)
host() {
	local rec
	sandbox host "timeout $((HOST_N + 2)) pw-record /io/host-$1-1.wav" &
	rec=$!
	for _ in $(seq 500); do
		[ "$(lived host | wc -l)" -gt "$n0" ] && break
		sleep 0.01
	done
	[ "$(lived host | wc -l)" -gt "$n0" ] ||
		die "host: no link to the recorder was destroyed"
	sleep 0.2
	n0=$(lived host | wc -l)
	w0=$(wc -l < "$T/watch")
	for _ in $(seq "$HOST_N"); do
		for ch in FL FR; do
			pw-link "test-mic:capture_$ch" "pw-record:input_$ch" \
				>/dev/null 2>&1 || true
		done
		sleep 0.2
	done
	wait $rec
}

setups=(quiet load churn host)
for s in "${setups[@]}"; do
	: > "$T/cw-$s.log"
	: > "$T/life-$s"
	: > "$T/watch-$s"
done
t0=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	order=$(printf '%s\n' "${setups[@]}" | shuf | tr '\n' ' ')
	echo "round $r/$ROUNDS: $order" >&2
	for s in $order; do
		n0=$(lived "$s" | wc -l)
		w0=$(wc -l < "$T/watch")
		"$s" "$r"
		sleep 0.2 # the last removals reach the watcher
		lived "$s" | tail -n +$((n0 + 1)) >> "$T/life-$s"
		tail -n +$((w0 + 1)) "$T/watch" |
			awk '$1 == "link" && $3 == "test-mic" { print $5 / 1000 }' \
			>> "$T/watch-$s"
	done
done
t1=$(date +%s)
# the control: granted the microphone, the same recorder hears it
MIC=allow sandbox control "timeout 1 pw-record /io/control.wav"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# quantiles FILE: count, median, p95, p99, max of the numbers in FILE
quantiles() {
	sort -g "$1" | awk '{ v[NR] = $1 }
	function q(p,  k) { k = int(NR * p + 0.999999); if (k < 1) k = 1
		return v[k] }
	END {
		if (NR == 0) { print "0 - - - -"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.3f %.3f %.3f %.3f\n", NR, m, q(0.95), q(0.99), v[NR] }'
}

# recordings SETUP: files, seconds recorded, loudest sample, files with a
# sample at or over 1 % of full scale
recordings() {
	local f
	for f in "$T/io/$1"-*.wav; do
		[ -e "$f" ] || continue
		sox "$f" -n stat 2>&1 | awk '
			/^Length/ { len = $3 }
			/^Maximum amplitude/ { hi = $3 }
			/^Minimum amplitude/ { lo = -$3 }
			END { p = (hi > lo) ? hi : lo; print len + 0, p + 0 }'
	done | awk '{ n++; s += $1; if ($2 > pk) pk = $2; if ($2 >= 0.01) loud++ }
		END { printf "%d %.2f %.4f %d\n", n, s, pk, loud }'
}

echo "## Links to a sandboxed recorder, destroyed by crate-wl ($ROUNDS rounds," \
	"CPU $BENCH_CPU, $((t1 - t0)) s)"
echo
echo "load average (1, 5, 15 min): $load_start at the start, $load_end at the end"
echo
echo "| setup | recorders per round | links | median (ms) | p95 | p99 | max |" \
	"seen outside: links | median | p95 | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in "${setups[@]}"; do
	case $s in
	quiet) per="$QUIET_N in turn" ;;
	load) per="$LOAD at once" ;;
	churn) per="$CHURN_N in turn, $CHURN_LOOPS churn loops" ;;
	host) per="1, $HOST_N × 2 pw-link" ;;
	esac
	read -r c m p95 p99 mx < <(quantiles "$T/life-$s")
	read -r wc wm w95 w99 wmx < <(quantiles "$T/watch-$s")
	echo "| $s | $per | $c | $m | $p95 | $p99 | $mx | $wc | $wm | $w95 | $w99 | $wmx |"
done
echo
echo "| setup | recordings | seconds recorded | loudest sample | recordings with a sample ≥ 0.01 |"
echo "|---|---:|---:|---:|---:|"
for s in "${setups[@]}"; do
	read -r n sec pk loud < <(recordings "$s")
	echo "| $s | $n | $sec | $pk | $loud |"
done
echo
echo "control: a recorder granted the microphone heard RMS" \
	"$(rms "$T/io/control.wav") in $(soxi -D "$T/io/control.wav") s" \
	"(the microphone's sine: 0.35)"
for s in "${setups[@]}"; do
	echo "$s: $([ -e "$T/io/retry-$s" ] && wc -l < "$T/io/retry-$s" || echo 0)" \
		"recorders refused by the relay and tried again"
done
echo "churn: the loops connected $(awk '{ n += $1 } END { print n + 0 }' \
	"$T/io/churned" 2>/dev/null) times in all, $CHURN_PAUSE s apart each"
refused=$(grep -c 'PipeWire connections already' "$T/cw-churn.log" || true)
echo "churn: crate-wl refused $refused connections over the limit" \
	"(its log lines); host: the links in the table are the pw-link" \
	"attempts' only (WirePlumber's to the same recorder are left out)"
for s in "${setups[@]}"; do
	echo "$s, every lifetime (ms): $(sort -g "$T/life-$s" | tr '\n' ' ')"
done

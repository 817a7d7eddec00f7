#!/bin/bash
# How long access lasts after `crate-wl permissions revoke`, per capability
# and per way the sandbox was started (issue 19). Each run is one case of
# tests/media/revoke.sh (its own headless PipeWire and WirePlumber, or its
# own headless sway, or both), with the bound lifted so that a slow run is
# measured, not failed. What each figure is:
#   microphone-*, camera-*  from just before the revoke command to the last
#                           link out of the fake device going, as an
#                           unsandboxed PipeWire client sees it
#   screencopy-*            the last frame delivered after the revoke
#                           started (0: none)
#   clipboard-*             the last paste asked for after the revoke that
#                           read the host's text (0: none)
#   screencast-*            the ScreenCast portal's stream: from just
#                           before the revoke command to the last link out
#                           of the sandbox's screen node going
#                           (tests/portals/screencast.sh)
# The last column says how soon the next request was refused (the loop's
# pace plus the revoke), or how often the session manager linked the
# device again and how long the longest such link lived.
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/revoke.sh [BUILD_DIR]
# Knobs: RUNS=5 (per case), AS="root" (or "root nobody"),
#        CASES="microphone-option ..." (default: all of them)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
RUNS=${RUNS:-5}
AS=${AS:-root}
CASES=${CASES:-"microphone-option microphone-manifest microphone-store
	microphone-prompt microphone-display camera-option camera-manifest
	camera-store camera-display screencopy-option screencopy-manifest
	screencopy-store clipboard-option clipboard-manifest clipboard-store
	clipboard-manager-option clipboard-manager-manifest
	clipboard-manager-store screencast-option screencast-manifest
	screencast-store screencast-prompt"}
for f in cli/crate-wl tests/media/revoke-watch tests/clients/capture-loop \
		tests/clients/paste-window; do
	[ -x "$build/$f" ] || { echo "bench: $build/$f missing: ninja -C $build" >&2; exit 1; }
done
out=$(mktemp -d /tmp/crate-wl-bench-revoke.XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for c in $CASES; do
	for u in $AS; do
		for i in $(seq 1 "$RUNS"); do
			echo "bench: $c $u run $i" >&2
			if [ "${c%%-*}" = screencast ]; then
				# the portal's case (its bound is fixed: a
				# slower run fails, and is said below)
				cmd=("$repo/tests/portals/screencast.sh"
					"$build/cli/crate-wl"
					"$build/tests/portals/pw-fd-objects"
					"$repo/tests/portals/portal-client.py"
					"timed-${c#*-}" "$u")
			else
				cmd=("$repo/tests/media/revoke.sh"
					"$build/cli/crate-wl"
					"$build/tests/media/revoke-watch"
					"$build/tests/clients" "$c" "$u")
			fi
			REVOKE_WATCH=$build/tests/media/revoke-watch \
				BOUND_MS=1000000 "${cmd[@]}" \
				> "$out/run" 2>&1 || {
				echo "bench: $c $u run $i failed:" >&2
				tail -n 5 "$out/run" >&2
				continue
			}
			sed -n 's/^revoke-figure //p' "$out/run" >> "$out/figures"
		done
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "| case | user | runs | min (ms) | median (ms) | max (ms) | then |"
echo "|---|---|---:|---:|---:|---:|---|"
# "CASE USER MS ms (NOTE)"
python3 - "$out/figures" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\S+) (\S+) ([0-9.]+) ms(?: \((.*)\))?', line)
    if m:
        rows.setdefault((m[1], m[2]), []).append((float(m[3]), m[4] or ''))
for (case, user), runs in rows.items():
    ms = [r[0] for r in runs]
    notes = '; '.join(r[1] for r in runs)
    print(f'| {case} | {user} | {len(ms)} | {min(ms):.1f} | '
          f'{statistics.median(ms):.1f} | {max(ms):.1f} | {notes} |')
PY

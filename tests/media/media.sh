#!/bin/bash
# Media tests (issue 5) against a real PipeWire daemon and WirePlumber.
# Usage: media.sh CRATE_WL PW_OBJECTS CASE root|nobody
CRATE_WL=$1
PW_OBJECTS=$2
CASE=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$4"

case_restrict() {
	start_pipewire "$U"
	"$PW_OBJECTS" > "$T/all" || fail "cannot list the graph"
	grep -q ' Node test-mic$' "$T/all" || fail "no test-mic in the graph"
	"$PW_OBJECTS" --restrict test-sink > "$T/seen" ||
		fail "cannot open a restricted connection"
	cat "$T/seen"
	# exactly the core, the client-node factory, the granted node
	awk '{print $2, $3}' "$T/seen" | sort > "$T/got"
	printf 'Core -\nFactory client-node\nNode test-sink\n' > "$T/want"
	diff -u "$T/want" "$T/got" || fail "the restricted connection sees more or less"
	pass "a restricted connection sees the core, the factory and test-sink"
}

"case_$CASE"

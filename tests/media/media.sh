#!/bin/bash
# Media tests (issue 5) against a real PipeWire daemon and WirePlumber,
# started headless by the test (tests/lib.sh start_pipewire) as the user
# the sandbox runs as.
# Usage: media.sh CRATE_WL PW_OBJECTS CASE root|nobody
CRATE_WL=$1
PW_OBJECTS=$2
CASE=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$4"
need pw-play pw-record pw-cli pw-dump pw-link pw-loopback pw-metadata sox \
	python3 pgrep

# a 0.5-amplitude sine for the sandbox to play, readable inside
tone() {
	sox -n -r 48000 -c 2 -b 16 "$T/home/tone.wav" synth "${1:-2}" sine 440 \
		vol 0.5
	chown "$U:$U" "$T/home/tone.wav"
}

# media CRATE-WL-RUN-OPTIONS... -- COMMAND: a sandbox with media, no
# display, the app named "media"; crate-wl's messages in $T/cw.log
media() {
	cw run --no-wayland --app media --bind "$T/home:/h" "$@" 2>>"$T/cw.log"
}

# PipeWire 0.3 (Debian 12): no security context, crate-wl's relay serves
# the sandbox's socket
pw_03() {
	pipewire --version | grep -q 'libpipewire 0\.3\.'
}

# the names and types a PipeWire connection inside can see
inside_objects() {
	sed -n -e 's/^[[:space:]]*id [0-9]*, type PipeWire:Interface:\([A-Za-z]*\).*/type \1/p' \
		-e 's/^[[:space:]]*node.name = "\(.*\)"/node \1/p' \
		-e 's/^[[:space:]]*factory.name = "\(.*\)"/factory \1/p'
}

# at least / at most an RMS amplitude
loud() { awk -v r="$1" 'BEGIN { exit !(r > 0.1) }'; }
quiet() { awk -v r="$1" 'BEGIN { exit !(r < 0.01) }'; }

# unlinked-link messages from crate-wl, with how long each link existed
link_windows() {
	sed -n 's/.*it existed \([0-9.]*\) ms.*/\1/p' "$T/cw.log"
}

case_restrict() {
	start_pipewire "$U"
	"$PW_OBJECTS" > "$T/all" || fail "cannot list the graph"
	grep -q ' Node test-mic$' "$T/all" || fail "no test-mic in the graph"
	"$PW_OBJECTS" --restrict test-sink > "$T/seen" ||
		fail "cannot open a restricted connection"
	cat "$T/seen"
	# exactly the core, the client-node factory, the granted node and
	# the connection's own client
	awk '{print $2, $3}' "$T/seen" | sort > "$T/got"
	printf 'Client -\nCore -\nFactory client-node\nNode test-sink\n' > "$T/want"
	diff -u "$T/want" "$T/got" || fail "the restricted connection sees more or less"
	pass "a restricted connection sees the core, the factory, test-sink and itself"
}

case_playback() {
	start_pipewire "$U"
	tone 2
	record_sink "$T/sink.wav"
	sleep 0.3
	media --audio playback -- pw-play /h/tone.wav ||
		fail "pw-play in the sandbox failed: $(cat "$T/cw.log")"
	sleep 0.2
	stop_record
	r=$(rms "$T/sink.wav")
	echo "RMS at the host sink: $r (played 0.5 sine, about 0.35 expected)"
	loud "$r" || fail "the tone did not reach the host sink (RMS $r)"
	# the sandbox is gone: none of its routing stays behind
	pw-metadata -n default 2>/dev/null | grep -E 'target\.(object|node)' &&
		fail "target metadata outlived the sandbox's nodes"
	pass "pw-play in the sandbox reaches the host's default sink"
}

case_none() {
	start_pipewire "$U"
	tone 2
	# no [media] at all: no socket, no PipeWire
	out=$(media -- sh -c 'ls $XDG_RUNTIME_DIR; timeout 3 pw-cli ls 2>&1; echo rc=$?')
	echo "$out" | grep -q pipewire-0 && fail "a PipeWire socket without [media]"
	echo "$out" | grep -q 'rc=0' && fail "pw-cli connected without [media]: $out"
	# audio none but a socket (microphone ask): playback goes nowhere
	record_sink "$T/sink.wav"
	sleep 0.3
	media --audio none --microphone ask -- timeout 3 pw-play /h/tone.wav
	sleep 0.2
	stop_record
	r=$(rms "$T/sink.wav")
	echo "RMS at the host sink with --audio none: $r"
	quiet "$r" || fail "--audio none still plays to the host sink (RMS $r)"
	pass "no media without [media]; --audio none plays nowhere"
}

case_visible() {
	start_pipewire "$U"
	media --audio playback -- sh -c 'pw-cli ls; echo ===; pw-dump' \
		> "$T/inside" || fail "pw-cli in the sandbox: $(cat "$T/cw.log")"
	sed -n '1,/^===$/p' "$T/inside" | inside_objects | sort > "$T/got"
	name=$(sed -n 's/^node \(crate-wl\.media\.[0-9a-f]*\.out\)$/\1/p' "$T/got")
	[ -n "$name" ] || fail "the sandbox does not see its own out node: $(cat "$T/got")"
	printf 'factory client-node\nnode %s\ntype Client\ntype Core\ntype Factory\ntype Node\n' \
		"$name" | sort > "$T/want"
	diff -u "$T/want" "$T/got" || fail "pw-cli ls inside sees other objects"
	sed -n '/^===$/,$p' "$T/inside" | tail -n +2 > "$T/dump"
	python3 -c 'import json, sys
for o in json.load(open(sys.argv[1])):
    props = (o.get("info") or {}).get("props") or {}
    print(o["type"].split(":")[-1], props.get("node.name",
        props.get("factory.name", "-")))' "$T/dump" | sort > "$T/dumped"
	printf 'Client -\nCore -\nFactory client-node\nNode %s\n' "$name" > "$T/want"
	diff -u "$T/want" "$T/dumped" || fail "pw-dump inside sees other objects"
	# the one client it sees is itself
	python3 -c 'import json, sys
for o in json.load(open(sys.argv[1])):
    if o["type"].endswith("Client"):
        print(o["info"]["props"].get("application.name"))' "$T/dump" |
		grep -qx pw-dump || fail "the client pw-dump sees is not itself"
	pass "inside, PipeWire shows the core, client-node, $name and the client itself"
}

case_isolation() {
	start_pipewire "$U"
	# sandbox A stays up; B must not see A's node
	mkdir -p "$T/home/a"
	chown "$U:$U" "$T/home/a"
	cw run --no-wayland --app other --bind "$T/home:/h" --audio playback \
		-- sh -c 'touch /h/a/up; sleep 8' 2>>"$T/cw.log" &
	A=$!
	track $A
	for _ in $(seq 1 100); do [ -e "$T/home/a/up" ] && break; sleep 0.05; done
	a_name=$(pw-cli ls Node | sed -n 's/.*node.name = "\(crate-wl\.other\.[^"]*\.out\)"/\1/p')
	[ -n "$a_name" ] || fail "sandbox A has no out node"
	before_nodes=$(pw-cli ls Node | grep -c 'node.name')
	before_links=$(pw-cli ls Link | grep -c 'type PipeWire:Interface:Link')
	media --audio playback -- sh -c '
		pw-cli ls > /h/ls.txt
		pw-link test-mic:capture_FL '"$a_name"':playback_FL; echo "link=$?"
		pw-cli create-link test-mic 0 '"$a_name"' 0; echo "create-link=$?"
		pw-cli create-node adapter "{ factory.name=support.null-audio-sink node.name=evil-adapter media.class=Audio/Sink object.linger=true }"; echo "create-node=$?"
		pw-metadata 0 evil.key evil-value; echo "metadata=$?"
		timeout 2 pw-loopback --capture-props="media.class=Audio/Sink node.name=evil-sink priority.session=9999" >/dev/null 2>&1; echo "loopback=$?"
	' > "$T/inside" 2>&1
	cat "$T/inside"
	grep -q "$a_name" "$T/home/ls.txt" && fail "sandbox B sees sandbox A's node"
	grep -q 'test-mic' "$T/home/ls.txt" && fail "sandbox B sees the host microphone"
	sleep 0.3
	pw-cli ls Node | grep -q 'evil' && fail "a node the sandbox made stays: $(pw-cli ls Node | grep evil)"
	pw-metadata -n default 0 2>/dev/null | grep -q evil &&
		fail "the sandbox wrote metadata"
	pw-metadata 0 2>/dev/null | grep -q evil && fail "the sandbox wrote metadata"
	after_nodes=$(pw-cli ls Node | grep -c 'node.name')
	after_links=$(pw-cli ls Link | grep -c 'type PipeWire:Interface:Link')
	[ "$after_nodes" = "$before_nodes" ] ||
		fail "the host graph changed: $before_nodes nodes, now $after_nodes"
	[ "$after_links" = "$before_links" ] ||
		fail "the host graph changed: $before_links links, now $after_links"
	grep -q 'the sandbox made a Audio/Sink node' "$T/cw.log" ||
		fail "crate-wl did not report the sandbox's sink: $(cat "$T/cw.log")"
	pass "a sandbox cannot link, make nodes or metadata, nor see another sandbox"
}

# WirePlumber's access rules as it ships them must not widen what the
# sandbox sees, for a client carrying what those rules read. On PipeWire
# 1.2 and later (Debian 13: WirePlumber 0.5.8) the daemon accepts the
# sandbox's clients through crate-wl's security context, stamped
# pipewire.access=crate-wl, which names no rule of WirePlumber's; two
# clients of a security context of the test's own (pw-container), stamped
# with the access values WirePlumber's rules do grant, show that those
# rules are live here and would open the graph. On PipeWire 0.3 (Debian
# 12: WirePlumber 0.4.13, its Flatpak portal access on as shipped) the
# relay's connections are the daemon's clients, and the sandbox's keys
# reach them through the relay, pipewire.sec.engine and
# pipewire.sec.flatpak too (0.3.65 refuses only changes to keys already
# set): WirePlumber has judged the connection by then, from crate-wl's
# own properties. On both:
# what the sandbox sees, that a link to the microphone it was not granted
# stays refused and it hears silence; a revoke with these keys is
# revoke.sh's microphone-wp-access.
case_wp_access() {
	need pw-dump
	start_pipewire --default-access "$U"
	mic_tone
	hostile_conf
	# inside: a recorder aimed at the microphone, and what the sandbox
	# sees from a connection watching for 3 s (pw-dump -m: every object
	# that ever shows up, however late a rule changes its permissions)
	media --audio playback --microphone deny -- sh -c '
		export XDG_CONFIG_HOME=/h/cfg
		pw-record --target test-mic /h/rec.wav & p=$!
		timeout -s INT 3 pw-dump -m > /h/inside.json & d=$!
		sleep 0.5
		touch /h/up
		pw-link test-mic:capture_FL pw-record:input_FL; echo "link=$?"
		pw-link test-mic-feed:monitor_FL pw-record:input_FL; echo "link-monitor=$?"
		wait $d
		kill -INT $p; wait $p; true
	' > "$T/inside" 2>&1 &
	M=$!
	track $M
	# the host's view while the sandbox's clients are up
	wait_file "$T/home/up"
	sleep 0.5
	pw-dump > "$T/host.json" || fail "pw-dump on the host failed"
	pw-link -l > "$T/links"
	wait $M || fail "the sandbox failed: $(cat "$T/inside" "$T/cw.log")"
	cat "$T/inside"
	# the sandbox's clients as the daemon has them: the hostile keys
	# arrived, and the daemon's own stayed
	python3 - "$T/host.json" > "$T/clients" <<'PY' || fail "cannot read the host's pw-dump"
import json, sys
for o in json.load(open(sys.argv[1])):
    if not o["type"].endswith(":Client"):
        continue
    p = (o.get("info") or {}).get("props") or {}
    if p.get("pipewire.sec.engine") == "crate-wl" or "crate-wl.instance" in p:
        print(o["id"], *["%s=%s" % (k, p.get(k, "-")) for k in (
            "pipewire.access", "pipewire.sec.engine", "pipewire.sec.flatpak",
            "pipewire.client.access", "pipewire.access.portal.app_id",
            "media.category", "pipewire.access.effective")])
PY
	cat "$T/clients"
	[ -s "$T/clients" ] || fail "no client of the sandbox's in the graph"
	grep -q 'pipewire.client.access=unrestricted' "$T/clients" ||
		fail "the sandbox's keys never reached the daemon: the test tries nothing"
	grep -v 'pipewire.access.effective=-$' "$T/clients" &&
		fail "WirePlumber granted a sandbox client an access (pipewire.access.effective)"
	if ! pw_03; then
		grep -v ' pipewire.access=crate-wl pipewire.sec.engine=crate-wl pipewire.sec.flatpak=- ' \
			"$T/clients" && fail "a sandbox client's pipewire.access or pipewire.sec.* is not crate-wl's"
		# WirePlumber 0.5's access-default looked at each and found
		# no rule for access crate-wl
		for id in $(cut -d' ' -f1 "$T/clients"); do
			grep -q "No rule for client $id (access crate-wl)" \
				"$T/wireplumber.log" || fail "WirePlumber's access script did not judge client $id: $(grep -i client "$T/wireplumber.log" | tail -5)"
		done
	fi
	# what the sandbox saw, with WirePlumber done with its clients: its
	# own out node, its own stream, the client-node factory, the core and
	# itself
	python3 - "$T/home/inside.json" > "$T/seen" <<'PY' || fail "no pw-dump from inside: $(cat "$T/inside")"
import json, sys
text, dec, i = open(sys.argv[1]).read(), json.JSONDecoder(), 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    batch, i = dec.raw_decode(text, i)
    for o in batch:
        if not o.get("type"):
            continue
        p = (o.get("info") or {}).get("props") or {}
        print(o["type"].split(":")[-1], p.get("node.name", p.get(
            "factory.name", p.get("application.name", "-"))))
PY
	sort -u "$T/seen"
	grep -Eq '^Node crate-wl\.media\.[0-9a-f]+\.out$' "$T/seen" ||
		fail "the sandbox does not see its own out node"
	grep -v -E -e '^Node crate-wl\.media\.[0-9a-f]+\.out$' \
		-e '^(Node|Client) pw-record$' -e '^Client pw-dump$' \
		-e '^Core ' -e '^Factory client-node$' -e '^Link -$' \
		-e '^Port -$' "$T/seen" &&
		fail "the sandbox sees more than its own (above)"
	[ "$(sort -u "$T/seen" | grep -c '^Client ')" -le 1 ] ||
		fail "the sandbox sees another client"
	grep -qx 'link=0' "$T/inside" && fail "pw-link linked the microphone inside"
	grep -qx 'link-monitor=0' "$T/inside" && fail "pw-link linked a monitor inside"
	grep -A1 '^test-mic' "$T/links" | grep -q 'pw-record' &&
		fail "the microphone was linked to the sandbox's recorder: $(cat "$T/links")"
	r=$(rms "$T/home/rec.wav")
	echo "RMS inside, the recorder aimed at test-mic: $r"
	quiet "$r" || fail "the sandbox heard the microphone (RMS $r)"
	w=$(link_windows | tr '\n' ' ')
	[ -z "$w" ] || echo "links crate-wl undid, lifetimes (ms): $w"
	if ! pw_03; then
		# the rules are live here, and the keys the sandbox set are
		# what they act on: a security context stamped as Flatpak
		# stamps its apps (restricted: WirePlumber grants rx on all),
		# and one stamped portal, whose client's own empty portal app
		# id makes WirePlumber grant it all on itself and the cameras
		need pw-container
		XDG_CONFIG_HOME=$T/home/cfg timeout 10 pw-container -P \
			'{ pipewire.sec.engine = test-control pipewire.access = restricted }' \
			'pw-cli ls Node' > "$T/control" 2>&1
		grep -q '"test-mic"' "$T/control" ||
			fail "a client of a security context stamped restricted does not see test-mic: the test would not see WirePlumber widen crate-wl's: $(cat "$T/control"; grep -i client "$T/wireplumber.log" | tail -n 8)"
		echo "control: access restricted sees test-mic"
		XDG_CONFIG_HOME=$T/home/cfg timeout 10 pw-container -P \
			'{ pipewire.sec.engine = test-control pipewire.access = portal }' \
			'timeout 2 pw-cli ls Node' > "$T/control" 2>&1
		grep -q 'Ignoring portal check for non-sandboxed client' "$T/wireplumber.log" ||
			fail "WirePlumber did not act on a portal client's own app id: $(grep -i client "$T/wireplumber.log" | tail -n 8)"
		echo "control: access portal with the client's own empty app id: $(grep -o 'Granting ALL access to client [0-9]*' "$T/wireplumber.log")"
		for id in $(cut -d' ' -f1 "$T/clients"); do
			grep -E "Grant.* client $id( |\$)" "$T/wireplumber.log" &&
				fail "WirePlumber granted the sandbox's client $id"
		done
	fi
	pass "with WirePlumber's default access and a client carrying what it reads, the sandbox sees its own only, links stay refused"
}

# the hole: WirePlumber links a sandboxed recorder to the default
# microphone whatever the sandbox can see; crate-wl undoes it
case_mic_deny() {
	start_pipewire "$U"
	mic_tone
	media --audio playback --microphone ask -- \
		sh -c 'timeout 3 pw-record /h/rec.wav; true' ||
		fail "the sandbox failed: $(cat "$T/cw.log")"
	r=$(rms "$T/home/rec.wav")
	echo "RMS inside before any grant: $r"
	quiet "$r" || fail "the sandbox heard the microphone without a grant (RMS $r)"
	w=$(link_windows | tr '\n' ' ')
	echo "links from the session manager that crate-wl undid, lifetimes (ms): $w"
	# PipeWire 1.2 and later refuse the link themselves: the recorder's
	# client (the security context's) cannot see the microphone
	pw_03 && [ -z "$w" ] &&
		fail "no link was undone: did WirePlumber not link it?"
	pass "without a grant the sandbox hears silence"
}

case_mic_allow() {
	start_pipewire "$U"
	mic_tone
	media --audio playback --microphone allow -- \
		sh -c 'pw-cli ls Node | grep node.name; timeout 3 pw-record /h/rec.wav; true' \
		> "$T/inside" || fail "the sandbox failed: $(cat "$T/cw.log")"
	grep -q 'crate-wl\.media\.[0-9a-f]*\.in"' "$T/inside" ||
		fail "no in node visible: $(cat "$T/inside")"
	r=$(rms "$T/home/rec.wav")
	echo "RMS inside with --microphone allow: $r"
	loud "$r" || fail "the sandbox does not hear the microphone (RMS $r)"
	pass "--microphone allow: the sandbox hears the fake microphone"
}

# a link made on the host from the microphone to a sandbox stream
case_host_link() {
	start_pipewire "$U"
	mic_tone
	media --audio playback --microphone deny -- \
		sh -c 'timeout 4 pw-record /h/rec.wav; true' &
	M=$!
	node=
	for _ in $(seq 1 100); do
		node=$(pw-cli ls Node | awk '/id [0-9]+,/ {id=$2} /node.name = "pw-record"/ {print id; exit}' | tr -d ,)
		[ -n "$node" ] && break
		sleep 0.02
	done
	[ -n "$node" ] || fail "the sandbox's recorder never appeared"
	sleep 0.5
	: > "$T/cw.log.mark"
	n0=$(link_windows | wc -l)
	pw-link test-mic:capture_FL pw-record:input_FL 2>>"$T/pw-link.err" ||
		echo "(pw-link: the link was refused or gone before it answered)"
	pw-link test-mic:capture_FR pw-record:input_FR 2>>"$T/pw-link.err" ||
		true
	cat "$T/pw-link.err"
	sleep 0.5
	pw-link -l | grep -A1 '^test-mic:' | grep -q 'pw-record' &&
		fail "a host link to the sandbox's stream stays"
	wait $M
	w=$(link_windows | tail -n +$((n0 + 1)) | tr '\n' ' ')
	echo "host-made links crate-wl destroyed, lifetimes (ms): $w"
	# PipeWire 1.2 and later: the daemon refuses the link to a client
	# of the security context that cannot see the microphone
	if pw_03; then
		[ -n "$w" ] || fail "crate-wl reported no destroyed link"
	else
		[ -n "$w" ] || grep -q 'Operation not permitted' "$T/pw-link.err" ||
			fail "neither refused by PipeWire nor destroyed by crate-wl"
	fi
	r=$(rms "$T/home/rec.wav")
	echo "RMS inside: $r"
	quiet "$r" || fail "the sandbox heard the microphone (RMS $r)"
	pass "links from the host microphone to a sandbox stream are destroyed"
}

# ask: a cmd: prompt answers; crate-wl permissions revoke stops it
case_mic_ask() {
	need sway swaymsg
	if [ "$AS" = nobody ]; then start_sway 65534; else start_sway; fi
	export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
	start_pipewire "$U"
	mic_tone
	scripted_prompt
	ask() {
		cw run --app media --bind "$T/home:/h" --audio playback \
			--microphone ask --prompt "cmd:$T/prompt.sh" -- "$@" \
			2>>"$T/cw.log"
	}
	echo 1 > "$T/answer"   # deny once
	ask sh -c 'timeout 3 pw-record /h/denied.wav; true'
	grep -qx "media microphone" "$T/prompts.log" ||
		fail "no microphone prompt: $(cat "$T/prompts.log") $(cat "$T/cw.log")"
	r=$(rms "$T/home/denied.wav")
	echo "RMS after deny: $r"
	quiet "$r" || fail "heard the microphone after a deny (RMS $r)"
	echo 2 > "$T/answer"   # allow for this run
	ask sh -c 'timeout 12 pw-record /h/allowed.wav; true' &
	A=$!
	# linked to the sandbox's in node, whatever the machine's load
	for _ in $(seq 1 200); do
		pw-link -l | grep -A1 '^crate-wl\.media\.[0-9a-f]*\.in:' |
			grep -q 'pw-record' && break
		sleep 0.05
	done
	pw-link -l | grep -A1 '^crate-wl\.media\.[0-9a-f]*\.in:' |
		grep -q 'pw-record' || fail "the recorder was never linked to the in node: $(pw-link -l)"
	grep -c microphone "$T/prompts.log" | grep -qx 2 ||
		fail "not asked a second time: $(cat "$T/prompts.log")"
	# the recording starts once linked: 1.5 s of microphone, then none
	sleep 1.5
	as_user "$CRATE_WL" permissions revoke media microphone ||
		fail "crate-wl permissions revoke failed"
	sleep 2
	# the recorder (ours, in the sandbox's pid namespace) ends cleanly
	for pid in $(pgrep -f -x 'pw-record /h/allowed.wav'); do
		kill -INT "$pid"
	done
	wait $A
	echo "recorded $(soxi -D "$T/home/allowed.wav") s in all"
	sox "$T/home/allowed.wav" "$T/first.wav" trim 0.2 1 2>/dev/null
	sox "$T/home/allowed.wav" "$T/last.wav" trim 2.2 2>/dev/null
	r1=$(rms "$T/first.wav")
	r2=$(rms "$T/last.wav")
	echo "RMS in the first second: $r1; from 0.7 s after the revoke: $r2"
	loud "$r1" || fail "did not hear the microphone after allow (RMS $r1)"
	quiet "$r2" || fail "still heard the microphone after the revoke (RMS $r2)"
	pw-link -l | grep -q 'crate-wl\.media\.[0-9a-f]*\.in' &&
		fail "the in node outlived the revoke"
	pass "ask: deny hears nothing, allow hears the microphone, revoke stops it"
}

# waits for a file the sandbox touches
wait_file() {
	for _ in $(seq 1 250); do
		[ -e "$1" ] && return 0
		sleep 0.02
	done
	fail "the sandbox never wrote $1"
}

# a sandbox that plays the tone each time the host says go (/h/goN),
# then says doneN; crate-wl's pid in $CW_PID
start_player() {
	media --audio playback -- sh -c '
		for i in 1 2 3; do
			while [ ! -e /h/go$i ]; do sleep 0.05; done
			[ -e /h/stop ] && exit 0
			timeout 5 pw-play /h/tone.wav; echo "play$i=$?"
			touch /h/done$i
		done' > "$T/player.out" &
	PLAYER=$!
	track $PLAYER
	CW_PID=
	for _ in $(seq 1 250); do
		CW_PID=$(pgrep -f -o "^$CRATE_WL run --no-wayland --app media" || true)
		[ -n "$CW_PID" ] && [ -S "$(ls "$T"/rt/crate-wl/*/pipewire-0 2>/dev/null | head -1)" ] && break
		sleep 0.02
	done
	[ -n "$CW_PID" ] || fail "crate-wl did not start"
}

play_round() {
	record_sink "$T/sink$1.wav"
	sleep 0.3
	touch "$T/home/go$1"
	wait_file "$T/home/done$1"
	stop_record
	r=$(rms "$T/sink$1.wav")
	echo "round $1: RMS at the host sink $r"
}

case_restart() {
	start_pipewire "$U"
	tone 1
	start_player
	play_round 1
	loud "$r" || fail "no sound before the restart (RMS $r)"
	fds=$(fd_count "$CW_PID")
	restart_pipewire
	for _ in $(seq 1 200); do
		grep -q 'PipeWire is back' "$T/cw.log" && break
		sleep 0.05
	done
	grep -q 'lost PipeWire' "$T/cw.log" || fail "crate-wl did not notice: $(cat "$T/cw.log")"
	grep -q 'PipeWire is back' "$T/cw.log" ||
		fail "crate-wl did not reconnect: $(cat "$T/cw.log")"
	pw-cli ls Node | grep -q 'crate-wl\.media\..*\.out"' ||
		fail "the sandbox's out node did not come back"
	play_round 2
	loud "$r" || fail "no sound after the restart (RMS $r)"
	for _ in $(seq 1 100); do
		[ "$(fd_count "$CW_PID")" -le "$fds" ] && break
		sleep 0.02
	done
	fds2=$(fd_count "$CW_PID")
	echo "crate-wl's fds: $fds before the restart, $fds2 after"
	[ "$fds2" -le "$fds" ] || fail "crate-wl leaked fds over a restart: $fds -> $fds2"
	touch "$T/home/stop" "$T/home/go3"
	wait $PLAYER
	pass "after PipeWire restarts, the sandbox plays again; nothing leaked"
}

case_no_daemon() {
	# no PipeWire at all: a clear message, no sandbox
	export PIPEWIRE_RUNTIME_DIR=$T/nowhere
	mkdir -p "$T/nowhere"
	media --audio playback -- true && fail "ran without PipeWire"
	grep -q "cannot connect to PipeWire at $T/nowhere/pipewire-0.*pipewire daemon running" "$T/cw.log" ||
		fail "unclear message without PipeWire: $(cat "$T/cw.log")"
	: > "$T/cw.log"
	# PipeWire without a session manager
	start_pipewire --no-session-manager "$U"
	media --audio playback -- true && fail "ran without a session manager"
	grep -q "no session manager.*WirePlumber" "$T/cw.log" ||
		fail "unclear message without WirePlumber: $(cat "$T/cw.log")"
	cat "$T/cw.log"
	# and no media asked for: runs as before
	media -- true || fail "a sandbox without [media] needs PipeWire"
	pass "a clear message when PipeWire or WirePlumber is missing"
}

case_flood() {
	start_pipewire "$U"
	tone 1
	start_player
	play_round 1
	loud "$r" || fail "no sound before the flood (RMS $r)"
	fds=$(fd_count "$CW_PID")
	rss=$(rss_kib "$CW_PID")
	nodes=$(pw-cli ls Node | grep -c node.name)
	links=$(pw-cli ls Link | grep -c 'Interface:Link')
	# inside: 80 connections writing junk without reading, one sending
	# fds with every message
	media --audio none --microphone ask -- python3 -c '
import os, socket, time
path = os.environ["XDG_RUNTIME_DIR"] + "/pipewire-0"
conns = []
for i in range(80):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        s.setblocking(False)
        conns.append(s)
    except OSError:
        pass
junk = os.urandom(65536)
fd = os.open("/dev/null", os.O_RDONLY)
end = time.time() + 3
sent = 0
while time.time() < end and conns:
    for s in list(conns):
        try:
            sent += s.send(junk)
            socket.send_fds(s, [junk[:64]], [fd] * 20)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            conns.remove(s)
print("flooded", sent, "bytes,", len(conns), "connections left")
' > "$T/flood.out" 2>&1
	cat "$T/flood.out"
	grep -q flooded "$T/flood.out" || fail "the flood did not run"
	sleep 0.5
	play_round 2
	loud "$r" || fail "the flooded sandbox broke another one (RMS $r)"
	# the last player's connection closes right after it exits
	for _ in $(seq 1 100); do
		[ "$(fd_count "$CW_PID")" -le "$fds" ] && break
		sleep 0.02
	done
	fds2=$(fd_count "$CW_PID")
	rss2=$(rss_kib "$CW_PID")
	nodes2=$(pw-cli ls Node | grep -c node.name)
	links2=$(pw-cli ls Link | grep -c 'Interface:Link')
	echo "other sandbox's crate-wl: fds $fds -> $fds2, RSS $rss -> $rss2 KiB; host nodes $nodes -> $nodes2, links $links -> $links2"
	[ "$fds2" -le "$fds" ] || fail "fds leaked: $fds -> $fds2"
	[ "$nodes2" = "$nodes" ] || fail "the host graph changed: nodes $nodes -> $nodes2"
	[ "$links2" = "$links" ] || fail "the host graph changed: links $links -> $links2"
	# the flooding sandbox's own crate-wl is gone; none of its sockets stay
	ls "$T"/rt/crate-wl/*/pipewire-0 | wc -l | grep -qx 1 ||
		fail "a relay socket stayed: $(ls "$T"/rt/crate-wl/*/)"
	touch "$T/home/stop" "$T/home/go3"
	wait $PLAYER
	pass "a client flooding its relay harms nothing else; nothing leaks"
}

case_camera() {
	start_pipewire --camera "$U"
	need gst-launch-1.0
	gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 ||
		skip "GStreamer's pipewiresrc is not installed"
	# a camera app's stream: Stream/Input/Video, role Camera
	grab='pw-cli ls Node | grep node.name; timeout $WAIT gst-launch-1.0 -q pipewiresrc stream-properties="props,media.type=Video,media.category=Capture,media.role=Camera" num-buffers=3 ! fakesink; echo "grab=$?"'
	# allowed first: after a link refused in the middle of a video
	# negotiation, videotestsrc sometimes gave the next client no frames
	# (under load, both tries). Slow machines: the first frames may take
	# a while, and one more try is said out loud.
	media --audio playback --camera allow --env WAIT=15 -- sh -c "$grab" \
		> "$T/allow" 2>&1
	if ! grep -q 'grab=0' "$T/allow"; then
		echo "no frames at the first try: once more"
		media --audio playback --camera allow --env WAIT=15 -- \
			sh -c "$grab" > "$T/allow" 2>&1
	fi
	cat "$T/allow"
	grep -q 'grab=0' "$T/allow" || pw-dump | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    p = ((o.get("info") or {}).get("props") or {})
    if o["type"].endswith("Node") and p.get("node.name") == "test-camera":
        print("test-camera:", o["info"].get("state"), o["info"].get("error"))'
	grep -q test-camera "$T/allow" || fail "the granted camera is invisible"
	grep -q "grab=0" "$T/allow" || fail "no frames from the granted camera: $(cat "$T/cw.log")"
	media --audio playback --camera deny --env WAIT=5 -- sh -c "$grab" \
		> "$T/deny" 2>&1
	cat "$T/deny"
	grep -q test-camera "$T/deny" && fail "the camera is visible without a grant"
	grep -q 'grab=0' "$T/deny" && fail "frames from the camera without a grant"
	pass "the camera: invisible and unlinkable when denied, frames when allowed"
}

# bad options and manifest keys: a clear message, nothing runs
case_badinput() {
	check() {
		local want=$1
		shift
		"$@" > "$T/out" 2> "$T/err" && fail "$* ran"
		grep -qF -- "$want" "$T/err" ||
			fail "$*: unclear message: $(cat "$T/err")"
	}
	check "--audio: 'loud': expected playback or none" \
		cw run --no-wayland --audio loud -- true
	check "--microphone: 'sometimes': expected deny, ask or allow" \
		cw run --no-wayland --microphone sometimes -- true
	check "--camera: '': expected deny, ask or allow" \
		cw run --no-wayland --camera '' -- true
	printf '[app]\nname = bad\nexec = true\n[media]\nspeakers = on\n' \
		> "$T/bad.crate"
	check "unknown key 'speakers' in [media] (expected audio, microphone or camera)" \
		cw app "$T/bad.crate"
	printf '[app]\nname = bad\nexec = true\n[media]\nmicrophone = yes\n' \
		> "$T/bad.crate"
	check "microphone: 'yes': expected deny, ask or allow" cw app "$T/bad.crate"
	# what it would do, said by --dry-run
	cw run --no-wayland --audio playback --microphone ask --dry-run -- true \
		> "$T/dry" || fail "--dry-run failed"
	grep -q 'pipewire-0 <- \$XDG_RUNTIME_DIR/crate-wl/ID/pipewire-0' "$T/dry" ||
		fail "--dry-run does not show the PipeWire socket: $(cat "$T/dry")"
	grep -qx '  audio = playback' "$T/dry" && grep -qx '  microphone = ask' "$T/dry" &&
		grep -qx '  camera = deny' "$T/dry" ||
		fail "--dry-run does not show the media policy: $(cat "$T/dry")"
	pass "bad media options and keys are named; --dry-run shows the media plan"
}

# the path from the sandbox's socket to the daemon, as the daemon sees
# the sandbox's client: PipeWire 1.2 and later serve the socket themselves
# through a security context (no relay: the peer is the app, stamped
# crate-wl, the app and the instance); 0.3 has crate-wl's relay in the
# middle (the peer is crate-wl)
case_path() {
	start_pipewire "$U"
	tone 3
	media --audio playback -- timeout 4 pw-play /h/tone.wav &
	M=$!
	track $M
	for _ in $(seq 1 250); do
		pw-dump Client 2>/dev/null | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    p = o["info"]["props"]
    if p.get("application.name") in ("pw-play", "pw-cat"):
        for k in ("pipewire.access", "pipewire.sec.engine",
                  "pipewire.sec.app-id", "pipewire.sec.instance-id",
                  "pipewire.sec.pid", "crate-wl.app"):
            print(k, p.get(k, "-"))' > "$T/client"
		[ -s "$T/client" ] && break
		sleep 0.02
	done
	prop() { sed -n "s/^$1 //p" "$T/client"; }
	# the daemon's peer (its pid as the daemon saw it), while it runs
	peer=$(readlink "/proc/$(prop pipewire.sec.pid)/exe")
	cw=$(readlink -f "$CRATE_WL")
	cat "$T/client"
	echo "the daemon's peer: $peer"
	[ -s "$T/client" ] || fail "the sandbox's pw-play never reached the daemon: $(cat "$T/cw.log")"
	[ -n "$peer" ] || fail "the daemon's peer is gone already"
	node=$(pw-cli ls Node | sed -n 's/.*node.name = "crate-wl\.media\.\([0-9a-f]*\)\.out"/\1/p')
	wait $M || fail "pw-play in the sandbox failed: $(cat "$T/cw.log")"
	if pw_03; then
		[ "$(prop crate-wl.app)" = media ] ||
			fail "0.3: the client did not come through crate-wl's relay"
		[ "$peer" = "$cw" ] ||
			fail "0.3: the daemon's peer is not crate-wl but $peer"
		pass "PipeWire 0.3: the sandbox's client comes through the relay"
		return
	fi
	[ "$(prop pipewire.access)" = crate-wl ] &&
		[ "$(prop pipewire.sec.engine)" = crate-wl ] ||
		fail "the client is not stamped by crate-wl's security context"
	[ "$(prop pipewire.sec.app-id)" = media ] ||
		fail "the security context names another app"
	[ -n "$node" ] && [ "$(prop pipewire.sec.instance-id)" = "$node" ] ||
		fail "the security context names another instance than $node"
	[ "$peer" != "$cw" ] && [ "$(prop crate-wl.app)" = - ] ||
		fail "the client came through crate-wl, not the daemon's socket"
	pass "the daemon serves the sandbox's socket: stamped crate-wl, media, $node; no relay"
}

# issue 19: what a sandbox can make crate-wl say comes at most once a
# second per kind, with a count of the rest; --trace shows every one
case_log_flood() {
	start_pipewire "$U"
	pw_03 || skip "PipeWire past 0.3: no relay (security context)"
	# inside: the relay's 64 connections held, then for $1 s one more
	# at a time that writes junk and closes; each of those is refused
	cat > "$T/home/flood.py" <<'PY'
import os, socket, sys, time
path = os.environ["XDG_RUNTIME_DIR"] + "/pipewire-0"
held = []
for i in range(64):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    held.append(s)
time.sleep(0.5)
end = time.time() + float(sys.argv[1])
n = 0
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        n += 1
        s.send(b"junk" * 64)
    except OSError:
        pass
    s.close()
print("connections", n)
PY
	chown "$U:$U" "$T/home/flood.py"
	refused="PipeWire connections already; refused one"
	media --audio playback -- python3 /h/flood.py 3 > "$T/flood.out" ||
		fail "the flood failed: $(cat "$T/flood.out") $(tail -5 "$T/cw.log")"
	n=$(sed -n 's/^connections //p' "$T/flood.out")
	lines=$(grep -c "$refused" "$T/cw.log")
	more=$(sed -n "s/.*$refused (and \([0-9]*\) more like it)\$/\1/p" \
		"$T/cw.log" | awk '{ s += $1 } END { print s + 0 }')
	echo "$n refused connections in 3 s: $lines lines, $more more counted"
	grep "$refused" "$T/cw.log" | head -5
	[ "${n:-0}" -ge 100 ] || fail "the flood made only '$n' connections"
	# one a second, and one for the last held back: 3 s give at most 5
	[ "$lines" -ge 1 ] && [ "$lines" -le 5 ] ||
		fail "$lines lines for a 3 s flood"
	[ $((lines + more)) = "$n" ] ||
		fail "$lines lines and $more counted for $n refusals"
	pass "a connection flood: $lines lines, every refusal counted"
	: > "$T/cw.log"
	media --trace --audio playback -- python3 /h/flood.py 1 \
		> "$T/flood.out" || fail "the traced flood failed"
	n=$(sed -n 's/^connections //p' "$T/flood.out")
	lines=$(grep -c "REFUSED media: .*$refused\$" "$T/cw.log")
	echo "--trace: $n refused connections, $lines lines"
	[ "$lines" = "$n" ] || fail "--trace showed $lines of $n refusals"
	pass "--trace shows each refusal"
}

# the same for the graph: sinks the sandbox makes, each destroyed
case_log_nodes() {
	start_pipewire "$U"
	# inside: 32 loopbacks, 16 at a time, whose capture side is an
	# Audio/Sink (a device for everyone else: never the sandbox's)
	cat > "$T/home/nodes.sh" <<'SH'
for i in $(seq 1 16); do
	for j in 1 2; do
		timeout 3 pw-loopback \
			--capture-props="media.class=Audio/Sink node.name=evil-$i-$j" \
			>/dev/null 2>&1
	done &
done
wait
SH
	chown "$U:$U" "$T/home/nodes.sh"
	made="the sandbox made a Audio/Sink node"
	start=$SECONDS
	media --audio playback -- sh /h/nodes.sh || fail "the loops failed"
	took=$((SECONDS - start + 1))
	lines=$(grep -c "$made" "$T/cw.log")
	more=$(sed -n 's/.*: destroyed (and \([0-9]*\) more like it)$/\1/p' \
		"$T/cw.log" | awk '{ s += $1 } END { print s + 0 }')
	echo "32 sinks made in at most $took s: $lines lines, $more more counted"
	grep "$made" "$T/cw.log" | head -5
	# more than the limit lets through, or this tells nothing
	[ "$((lines + more))" -gt $((took + 1)) ] ||
		fail "only $((lines + more)) of 32 sinks destroyed in $took s"
	# at most one a second, and the last held back
	[ "$lines" -ge 1 ] && [ "$lines" -le $((took + 1)) ] ||
		fail "$lines lines for sinks made over $took s"
	[ "$more" -gt 0 ] || fail "no count of the lines held back"
	pass "sinks made in a loop: $lines lines, the rest counted"
}

# --- PulseAudio (issue 15): pipewire-pulse inside the sandbox ---

# the processes still in the pid namespace named in FILE (a readlink of
# /proc/self/ns/pid inside), seen from the host after a second: crate-wl
# returns once the init said everything ended, and the init's own exit
# may come a moment later
left_in_ns() {
	local ns p left
	ns=$(cat "$1")
	[ -n "$ns" ] || fail "no pid namespace recorded in $1"
	for _ in $(seq 1 50); do
		left=
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] &&
				left="$left ${p#/proc/}:$(cat "$p/comm" 2>/dev/null)"
		done
		[ -z "$left" ] && break
		sleep 0.02
	done
	echo "$left"
}

# paplay plays; pipewire-pulse starts on the first connection only, runs
# as confined as the app, starts again after it ended, and ends with the
# sandbox
case_pulse_play() {
	need paplay pactl ps
	start_pipewire "$U"
	tone 1
	# a run that never connects never starts it
	media --audio playback -- sh -c 'ls $XDG_RUNTIME_DIR/pulse; sleep 0.3
		pgrep -x pipewire-pulse; echo "pgrep=$?"
		# its configuration: the app can neither change nor replace it
		c=/run/crate-wl/pipewire-pulse.conf
		grep -q module-protocol-pulse $c && echo conf-there
		echo x >> $c 2>/dev/null && echo conf-written
		echo "context.modules = []" > /tmp/evil.conf
		mv /tmp/evil.conf $c 2>/dev/null && echo conf-replaced
		rm -f $c 2>/dev/null && echo conf-removed; true' > "$T/idle" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/idle") $(cat "$T/cw.log")"
	cat "$T/idle"
	grep -qx native "$T/idle" || fail "no pulse/native in the sandbox"
	grep -qx 'pgrep=1' "$T/idle" ||
		fail "pipewire-pulse ran with no client: $(cat "$T/idle")"
	grep -qx conf-there "$T/idle" || fail "no configuration for pipewire-pulse"
	grep -E -q 'conf-(written|replaced|removed)' "$T/idle" &&
		fail "the app changed pipewire-pulse's configuration: $(cat "$T/idle")"
	record_sink "$T/sink.wav"
	sleep 0.3
	# fields of /proc/PID/status that say how confined a process is
	media --audio playback -- sh -c '
		conf() { grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/$1/status; }
		readlink /proc/self/ns/pid > /h/pidns
		echo "server=$PULSE_SERVER"
		paplay /h/tone.wav; echo "paplay=$?"
		pid=$(pgrep -x pipewire-pulse)
		echo "pid=$pid parent=$(ps -o ppid= -p "$pid" | tr -d " ")"
		for ns in pid mnt net user ipc uts cgroup; do
			[ "$(readlink /proc/$pid/ns/$ns)" = "$(readlink /proc/self/ns/$ns)" ] ||
				echo "namespace $ns differs"
		done
		conf "$pid" > /h/server.conf; conf $$ > /h/app.conf
		pactl info | grep "^Server Name"
		# it ended (a crash, say): the next client starts it again
		sleep 1; kill "$pid"; sleep 0.2
		paplay /h/tone.wav; echo "again=$?"
		echo "pid2=$(pgrep -x pipewire-pulse)"
	' > "$T/inside" 2>&1 || fail "the sandbox failed: $(cat "$T/inside")"
	sleep 0.2
	stop_record
	cat "$T/inside"
	grep -qx "server=unix:/run/user/$U/pulse/native" "$T/inside" ||
		fail "PULSE_SERVER is not the sandbox's socket"
	grep -qx 'paplay=0' "$T/inside" || fail "paplay failed: $(cat "$T/cw.log")"
	grep -q '^Server Name: PulseAudio (on PipeWire' "$T/inside" ||
		fail "the server is not pipewire-pulse"
	grep -q '^pid=[0-9][0-9]* parent=1$' "$T/inside" ||
		fail "pipewire-pulse is not the sandbox's init's child"
	grep -q 'namespace .* differs' "$T/inside" &&
		fail "pipewire-pulse is in other namespaces than the app"
	echo "pipewire-pulse:"; cat "$T/home/server.conf"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "$T/home/server.conf" &&
		grep -q '^Seccomp:[[:space:]]*2$' "$T/home/server.conf" ||
		fail "pipewire-pulse is not filtered"
	diff -u "$T/home/app.conf" "$T/home/server.conf" ||
		fail "pipewire-pulse is less confined than the app"
	grep -qx 'again=0' "$T/inside" || fail "not served again after it ended"
	p1=$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$T/inside")
	p2=$(sed -n 's/^pid2=//p' "$T/inside")
	[ -n "$p2" ] && [ "$p2" != "$p1" ] ||
		fail "no second pipewire-pulse ($p1, then '$p2')"
	r=$(rms "$T/sink.wav")
	echo "RMS at the host sink: $r"
	loud "$r" || fail "paplay's tone did not reach the host sink (RMS $r)"
	left=$(left_in_ns "$T/home/pidns")
	[ -z "$left" ] || fail "processes outlived the sandbox:$left"
	pass "paplay plays through pipewire-pulse, started on demand, as confined as the app"
}

case_pulse_mpv() {
	need mpv
	start_pipewire "$U"
	tone 2
	record_sink "$T/sink.wav"
	sleep 0.3
	media --audio playback -- mpv --no-config --ao=pulse --no-video \
		--really-quiet /h/tone.wav ||
		fail "mpv failed: $(cat "$T/cw.log")"
	sleep 0.2
	stop_record
	r=$(rms "$T/sink.wav")
	echo "RMS at the host sink: $r"
	loud "$r" || fail "mpv --ao=pulse did not reach the host sink (RMS $r)"
	pass "mpv --ao=pulse plays in the sandbox"
}

# no --audio playback, no PulseAudio; --dry-run says which
case_pulse_none() {
	need paplay
	start_pipewire "$U"
	tone 1
	record_sink "$T/sink.wav"
	sleep 0.3
	media --audio none --microphone allow -- sh -c '
		echo "server=${PULSE_SERVER-unset}"; ls $XDG_RUNTIME_DIR
		timeout 3 paplay /h/tone.wav; echo "paplay=$?"
		pgrep -x pipewire-pulse; echo "pgrep=$?"' > "$T/inside" 2>&1
	sleep 0.2
	stop_record
	cat "$T/inside"
	grep -qx 'server=unset' "$T/inside" || fail "PULSE_SERVER without playback"
	grep -qx pulse "$T/inside" && fail "a pulse directory without playback"
	grep -qx 'paplay=0' "$T/inside" && fail "paplay played without playback"
	grep -qx 'pgrep=1' "$T/inside" || fail "pipewire-pulse ran without playback"
	r=$(rms "$T/sink.wav")
	echo "RMS at the host sink: $r"
	quiet "$r" || fail "sound reached the host sink without playback (RMS $r)"
	cw run --no-wayland --audio playback --dry-run -- true > "$T/dry" ||
		fail "--dry-run failed"
	grep -qx "  PULSE_SERVER=unix:/run/user/$U/pulse/native" "$T/dry" ||
		fail "--dry-run shows no PULSE_SERVER: $(cat "$T/dry")"
	grep -q "^  /run/user/$U/pulse/native <- pipewire-pulse, started inside" \
		"$T/dry" || fail "--dry-run shows no pulse socket: $(cat "$T/dry")"
	cw run --no-wayland --audio none --microphone allow --dry-run -- true \
		> "$T/dry" || fail "--dry-run failed"
	grep -q 'pulse' "$T/dry" && fail "--dry-run shows PulseAudio without playback"
	pass "without --audio playback no PulseAudio socket, and --dry-run says so"
}

# parecord: silence without the microphone grant, the microphone with it.
# A PulseAudio recorder gets its data a fragment at a time (parecord's
# default is 2 s): the tests ask for 50 ms.
case_pulse_mic() {
	need parecord
	start_pipewire "$U"
	mic_tone
	media --audio playback --microphone deny -- \
		sh -c 'timeout 3 parecord --latency-msec=50 /h/denied.wav; echo "parecord=$?"' \
		> "$T/inside" 2>&1 || fail "the sandbox failed: $(cat "$T/cw.log")"
	cat "$T/inside"
	r=$(rms "$T/home/denied.wav")
	echo "RMS recorded without a grant: $r"
	quiet "$r" || fail "parecord heard the microphone without a grant (RMS $r)"
	# the stream was there: the session manager linked it to the
	# microphone, and crate-wl undid that (PipeWire 1.2 and later refuse
	# the link themselves: the security context's client cannot see the
	# microphone; the silence above is what counts)
	if pw_03; then
		grep -q 'unlinked test-mic -> parecord' "$T/cw.log" ||
			fail "no undone link from the microphone to parecord: $(cat "$T/cw.log")"
	fi
	# nor its own output's monitor, which pipewire-pulse offers as the
	# default source
	tone 3
	media --audio playback --microphone deny -- sh -c '
		paplay /h/tone.wav & sleep 0.3
		mon=$(pactl list short sources | cut -f2 | grep "\.out\.monitor$")
		echo "monitor=$mon"
		timeout 2 parecord --latency-msec=50 -d "$mon" /h/monitor.wav
		wait' > "$T/inside" 2>&1 || fail "the sandbox failed: $(cat "$T/cw.log")"
	cat "$T/inside"
	grep -q '^monitor=crate-wl\.media\.[0-9a-f]*\.out\.monitor$' "$T/inside" ||
		fail "pipewire-pulse offers no monitor of the out node"
	r=$(rms "$T/home/monitor.wav")
	echo "RMS recorded from its own output's monitor: $r"
	quiet "$r" || fail "parecord heard the sandbox's own output (RMS $r)"
	if pw_03; then
		grep -q 'unlinked crate-wl\.media\.[0-9a-f]*\.out -> parecord' \
			"$T/cw.log" || fail "no undone link from the out node to parecord"
	fi
	media --audio playback --microphone allow -- \
		sh -c 'timeout 3 parecord --latency-msec=50 /h/allowed.wav; true' ||
		fail "the sandbox failed: $(cat "$T/cw.log")"
	r=$(rms "$T/home/allowed.wav")
	echo "RMS recorded with --microphone allow: $r"
	loud "$r" || fail "parecord does not hear the granted microphone (RMS $r)"
	pass "parecord: silence without the grant, the microphone with it"
}

# ask, allowed for the run, then crate-wl permissions revoke: parecord
# hears the microphone until the revoke, nothing after
case_pulse_revoke() {
	need sway parecord
	if [ "$AS" = nobody ]; then start_sway 65534; else start_sway; fi
	export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
	start_pipewire "$U"
	mic_tone
	scripted_prompt
	echo 2 > "$T/answer"   # allow for this run
	cw run --app media --bind "$T/home:/h" --audio playback \
		--microphone ask --prompt "cmd:$T/prompt.sh" -- \
		sh -c 'timeout 12 parecord --latency-msec=50 /h/rec.wav; echo "parecord=$?"' \
		> "$T/inside" 2>>"$T/cw.log" &
	A=$!
	for _ in $(seq 1 200); do
		pw-link -l | grep -A1 '^crate-wl\.media\.[0-9a-f]*\.in:' |
			grep -q 'parecord' && break
		sleep 0.05
	done
	pw-link -l | grep -A1 '^crate-wl\.media\.[0-9a-f]*\.in:' |
		grep -q 'parecord' ||
		fail "parecord was never linked to the in node: $(pw-link -l) $(cat "$T/cw.log")"
	grep -qx "media microphone" "$T/prompts.log" ||
		fail "no microphone prompt: $(cat "$T/prompts.log")"
	sleep 1.5
	as_user "$CRATE_WL" permissions revoke media microphone ||
		fail "crate-wl permissions revoke failed"
	sleep 2
	# nor did the session manager get it back onto the microphone
	pw-link -l | grep -A1 '^test-mic:' | grep -q parecord &&
		fail "parecord is linked to the microphone after the revoke"
	for pid in $(pgrep -f -x "parecord --latency-msec=50 /h/rec.wav"); do
		kill -INT "$pid"
	done
	wait $A
	cat "$T/inside"
	ls -l "$T/home/rec.wav"
	echo "recorded $(soxi -D "$T/home/rec.wav") s in all"
	sox "$T/home/rec.wav" "$T/first.wav" trim 0.2 1 2>/dev/null
	sox "$T/home/rec.wav" "$T/last.wav" trim 2.2 2>/dev/null
	r1=$(rms "$T/first.wav")
	r2=$(rms "$T/last.wav")
	# after the revoke the stream has no source: the file ends there,
	# or goes on silent
	echo "RMS in the first second: $r1; from 0.7 s after the revoke: $r2"
	loud "$r1" || fail "parecord did not hear the microphone after allow (RMS $r1)"
	quiet "$r2" || fail "parecord still heard the microphone after the revoke (RMS $r2)"
	pw-link -l | grep -q 'crate-wl\.media\.[0-9a-f]*\.in' &&
		fail "the in node outlived the revoke"
	pass "a revoke cuts parecord off the microphone at once"
}

# what the app can ask pipewire-pulse for stays the app's: a sink it
# loads is refused or destroyed, a TCP server it loads listens only in
# the sandbox's network namespace
case_pulse_modules() {
	need pactl python3
	start_pipewire "$U"
	port=$((20000 + RANDOM % 20000))
	media --audio playback --env PORT=$port -- sh -c '
		pactl load-module module-null-sink sink_name=evil-null; echo "null-sink=$?"
		pactl load-module module-remap-sink sink_name=evil-remap; echo "remap-sink=$?"
		pactl load-module module-native-protocol-tcp port=$PORT listen=127.0.0.1; echo "tcp=$?"
		python3 -c "import socket, os; socket.create_connection((\"127.0.0.1\", int(os.environ[\"PORT\"])), 2); print(\"inside=connected\")"
		sleep 0.5; pactl list short sinks > /h/sinks
		touch /h/up
		while [ ! -e /h/done ]; do sleep 0.05; done' > "$T/inside" 2>&1 &
	M=$!
	track $M
	wait_file "$T/home/up"
	if python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)' "$port" \
			2>/dev/null; then
		touch "$T/home/done"
		fail "the sandbox's TCP module listens on the host's loopback"
	fi
	pw-cli ls Node > "$T/nodes"
	touch "$T/home/done"
	wait $M
	cat "$T/inside" "$T/cw.log"
	grep -q 'evil' "$T/nodes" && fail "a sink the sandbox loaded is in the host graph"
	grep -qx 'tcp=0' "$T/inside" && grep -qx 'inside=connected' "$T/inside" ||
		fail "the TCP module did not listen inside: $(cat "$T/inside")"
	grep -qx 'null-sink=0' "$T/inside" &&
		fail "module-null-sink loaded: it makes its node with the adapter factory, which the sandbox cannot see"
	grep -q 'the sandbox made a Audio/Sink node (evil-remap): destroyed' \
		"$T/cw.log" || fail "crate-wl did not destroy the remap sink"
	grep -q evil "$T/home/sinks" && fail "the sandbox still sees a sink it loaded"
	pass "pipewire-pulse's modules reach no further than the app"
}

# pipewire-pulse ends at once (here: it has no runtime directory): said
# once, the socket refuses from then on, the app runs on
case_pulse_fail() {
	need paplay
	start_pipewire "$U"
	tone 1
	media --audio playback --env XDG_RUNTIME_DIR=/nowhere -- sh -c '
		timeout 5 paplay /h/tone.wav; echo "first=$?"
		timeout 5 paplay /h/tone.wav; echo "second=$?"' \
		> "$T/inside" 2>&1 || fail "the sandbox failed: $(cat "$T/inside")"
	cat "$T/inside" "$T/cw.log"
	grep -qx 'first=0' "$T/inside" && fail "paplay played without a server"
	grep -qx 'second=0' "$T/inside" && fail "paplay played without a server"
	grep -q '^second=' "$T/inside" || fail "the second paplay did not end"
	ended="pipewire-pulse ended at once (exit status [0-9]*): its socket refuses clients from now on"
	grep -q "$ended" "$T/cw.log" || fail "no message that the socket refuses clients"
	[ "$(grep -c "$ended" "$T/cw.log")" = 1 ] ||
		fail "pipewire-pulse was started more than once"
	pass "pipewire-pulse ends at once: one clear message, clients refused"
}

"case_${CASE//-/_}"

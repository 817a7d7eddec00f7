#!/bin/bash
# Links, notifications and settings from inside the sandbox (issue 15,
# items 2 to 4), through the real parts: xdg-open, gio and gdbus inside,
# crate-wl's OpenURI, Notification and Settings portals on the sandbox's
# bus, and outside a handler of the test's own (a .desktop under a
# temporary XDG_DATA_HOME that records its argument; no network), mako on
# headless sway for notifications, gsettings (keyfile) for settings.
# usage: desktop.sh CRATE_WL OPENURI_CLIENT CASE root|nobody
CRATE_WL=$1
CLIENT=$2
CASE=$3
. "$(dirname "$0")/../sandbox/common.sh" "$4"
need sway gdbus gio dbus-daemon python3
# the sandbox sees neither the build nor the source tree: the client goes
# in by a bind of its own
mkdir -m 755 "$T/bin"
cp "$CLIENT" "$T/bin/openuri-client.py"
gi_python

if [ "$AS" = nobody ]; then
	start_sway 65534
else
	start_sway
fi
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
mkdir -m 777 "$T/out"
scripted_prompt
answer() { echo "$1" > "$ANSWER_FILE"; }

# the host's session bus, the user's own (crate-wl and mako reach it)
host_bus() {
	mkdir -m 700 "$T/hostbus"
	chown "$U:$U" "$T/hostbus"
	BUS_AS=$RUNAS start_session_bus "$T/hostbus/bus"
}

# inside SCRIPT [ARG...]: runs SCRIPT with sh in a sandbox (crate-wl run
# with the options in OPTS), its arguments $1...
OPTS=()
inside() {
	local script=$1
	shift
	timeout -k 2 40 $RUNAS "$CRATE_WL" run --app linker \
		--prompt "cmd:$T/prompt.sh" --bind "$T/out:/out" \
		--ro-bind "$T/bin:/.test" "${OPTS[@]}" \
		-- sh -c "$script" sh "$@"
}

# waits for the portal's name on the sandbox's bus, inside, as libraries
# do (a call made sooner waits in the daemon too: settings-first-call)
WAIT='timeout 10 gdbus wait --session org.freedesktop.portal.Desktop || exit 3
'

# ---- OpenURI ----
# the app lives on (5 s at most) until the link opened, as an app does: a
# sandbox that ends takes its questions with it
LIVE='
for i in $(seq 1 100); do
	[ -e /out/opened ] && break
	sleep 0.05
done'
handler() {
	mkdir -p "$T/data/applications" "$T/hbin"
	cat > "$T/hbin/record" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >> "$T/out/opened"
EOF
	chmod 755 "$T/hbin/record"
	cat > "$T/data/applications/recorder.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Recorder
Exec=$T/hbin/record %u
MimeType=x-scheme-handler/http;x-scheme-handler/https;x-scheme-handler/mailto;
EOF
	printf '[Default Applications]\n%s\n%s\n%s\n' \
		"x-scheme-handler/http=recorder.desktop" \
		"x-scheme-handler/https=recorder.desktop" \
		"x-scheme-handler/mailto=recorder.desktop" \
		> "$T/config/mimeapps.list"
	chown -R "$U:$U" "$T/data" "$T/config"
}

# waits (5 s at most) for $T/out/opened to have the line LINE
opened() {
	for _ in $(seq 1 100); do
		grep -qxF -- "$1" "$T/out/opened" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# OpenURI as portal libraries call it (Response subscribed first): a
# line "response N" or "error NAME" per link
OPEN="$PY"' /.test/openuri-client.py uri "$@"
'

case $CASE in
openuri-xdg-open)
	need xdg-open
	# xdg-open, as an app runs it: the link opens outside with the
	# user's handler, once allowed
	handler
	answer 0
	url='https://example.invalid/page?q=1&x=$(id)'
	inside "$WAIT"'xdg-open "$1"; echo "xdg-open: $?"'"$LIVE" "$url" \
		> "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	opened "$url" || fail "the handler outside did not get the link (asked: $(cat "$T/prompts.log"))"
	grep -qx "linker open-uri" "$T/prompts.log" ||
		fail "OpenURI did not ask for open-uri: $(cat "$T/prompts.log")"
	# the handler ran outside: as the user, not in the sandbox's pid ns
	pass "xdg-open inside opens the link with the handler outside, after asking"
	;;
openuri-gio)
	# GLib's own portal support (GTK_USE_PORTAL=1): gio open, mailto
	handler
	answer 0
	uri='mailto:someone@example.invalid?subject=hello'
	inside "$WAIT"'gio open "$1"; echo "gio: $?"'"$LIVE" "$uri" \
		> "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	opened "$uri" || fail "gio open inside did not reach the handler"
	pass "gio open inside (GTK_USE_PORTAL) opens a mailto link outside"
	;;
openuri-ask-deny)
	handler
	answer 1
	inside "$WAIT$OPEN" https://example.invalid/denied \
		> "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -qx "response 1" "$T/log" || fail "a denied link did not answer 1"
	grep -qx "linker open-uri" "$T/prompts.log" || fail "it did not ask"
	sleep 0.5
	[ ! -e "$T/out/opened" ] || fail "a denied link opened: $(cat "$T/out/opened")"
	# always: asked no more, opened at once
	answer 3
	inside "$WAIT$OPEN" https://example.invalid/one > "$T/log" 2>&1
	grep -qx "response 0" "$T/log" || fail "allow always: $(cat "$T/log")"
	answer 1
	inside "$WAIT$OPEN" https://example.invalid/two > "$T/log" 2>&1
	grep -qx "response 0" "$T/log" || fail "the stored allow: $(cat "$T/log")"
	[ "$(wc -l < "$T/prompts.log")" = 2 ] ||
		fail "asked again after 'always': $(cat "$T/prompts.log")"
	opened https://example.invalid/two || fail "the allowed link did not open"
	# revoked: it asks again
	$RUNAS "$CRATE_WL" permissions revoke linker open-uri ||
		fail "cannot revoke"
	inside "$WAIT$OPEN" https://example.invalid/three > "$T/log" 2>&1
	grep -qx "response 1" "$T/log" || fail "after a revoke: $(cat "$T/log")"
	[ "$(wc -l < "$T/prompts.log")" = 3 ] || fail "no question after revoke"
	pass "open-uri asks; deny answers 1 and opens nothing; the store and revoke hold"
	;;
openuri-ask-one)
	# a second link while the user is asked about the first is refused:
	# it would open on an answer to a question that named the other
	handler
	answer 0
	# the prompt takes a second to answer, as a user does
	sed -i 's/^exit /sleep 1; exit /' "$T/prompt.sh"
	inside "$WAIT"'
"$1" /.test/openuri-client.py uri https://example.invalid/shown > /out/a &
sleep 0.3
"$1" /.test/openuri-client.py uri https://example.invalid/sneaked > /out/b
wait' "$PY" > "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	echo "asked about: $(cat "$T/out/a")"
	echo "while asking: $(cat "$T/out/b")"
	grep -qx "response 0" "$T/out/a" || fail "the link asked about did not open"
	grep -qx "response 1" "$T/out/b" ||
		fail "the link sent while asking was not refused"
	[ "$(wc -l < "$T/prompts.log")" = 1 ] || fail "not one question"
	sleep 0.3
	[ "$(cat "$T/out/opened")" = https://example.invalid/shown ] ||
		fail "the handler got: $(cat "$T/out/opened")"
	pass "one link a question: a second one while asking is refused"
	;;
openuri-policy-deny)
	handler
	answer 0
	OPTS=(--open-uri deny)
	inside "$WAIT$OPEN" https://example.invalid/x > "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -qx "response 1" "$T/log" || fail "open-uri deny did not answer 1"
	[ ! -s "$T/prompts.log" ] || fail "open-uri deny asked"
	[ ! -e "$T/out/opened" ] || fail "open-uri deny opened it"
	OPTS=(--open-uri allow)
	inside "$WAIT$OPEN" https://example.invalid/y > "$T/log" 2>&1
	grep -qx "response 0" "$T/log" || fail "open-uri allow: $(cat "$T/log")"
	[ ! -s "$T/prompts.log" ] || fail "open-uri allow asked"
	opened https://example.invalid/y || fail "open-uri allow did not open"
	pass "open-uri deny opens nothing, allow opens without asking"
	;;
openuri-hostile)
	# what the app picks: nothing but an http(s)/mailto link reaches the
	# handler, as one argument, and nothing else runs outside
	handler
	answer 0
	cat > "$T/out/bad" <<'EOF'
file:///etc/passwd
-e
--help
javascript:alert(1)
x-scheme-handler:foo
ftp://example.invalid/
https:
https:///etc/passwd
sh -c id
https://example.invalid/a b
http://example.invalid/
EOF
	# a control character, a raw UTF-8 byte, and a link of 4 KiB
	printf 'https://example.invalid/\001x\n' >> "$T/out/bad"
	printf 'https://example.invalid/\303\251\n' >> "$T/out/bad"
	printf 'https://example.invalid/%04096d\n' 0 >> "$T/out/bad"
	# a mail client that takes "attach" would mail out a file of the
	# user's (KMail, Evolution and others have)
	echo 'mailto:someone@example.invalid?body=hi&%61ttach=/etc/passwd' \
		>> "$T/out/bad"
	OPTS=(--open-uri allow)
	inside "$WAIT$OPEN" @/out/bad > "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	[ "$(grep -cx 'error org.freedesktop.portal.Error.InvalidArgument' "$T/log")" = 14 ] ||
		fail "not every bad link was refused as invalid"
	# the client's answers, a line per link (crate-wl's notes aside)
	grep -E '^(response|error|noresponse|unsendable)' "$T/log" > "$T/answers"
	[ "$(sed -n 11p "$T/answers")" = "response 0" ] ||
		fail "the good link (the 11th) was not opened"
	[ "$(wc -l < "$T/answers")" = 15 ] || fail "not one answer per link"
	opened http://example.invalid/ || fail "the good link did not open"
	sleep 0.5
	[ "$(wc -l < "$T/out/opened")" = 1 ] ||
		fail "more than the good link reached the handler: $(cat "$T/out/opened")"
	pass "only an http(s)/mailto link reaches the handler; 14 bad ones are refused (a mailto attach among them)"
	;;
openuri-flood)
	# 12 links at once, allowed: a burst of 5 opens, then one a second;
	# the rest is refused, and never reaches the handler
	handler
	OPTS=(--open-uri allow)
	for i in $(seq 1 12); do
		echo "https://example.invalid/flood$i"
	done > "$T/out/flood"
	inside "$WAIT$OPEN" @/out/flood > "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	opened=$(grep -cx "response 0" "$T/log")
	refused=$(grep -cx "error org.freedesktop.portal.Error.Failed" "$T/log")
	[ "$opened" -ge 5 ] && [ "$opened" -le 8 ] ||
		fail "$opened of 12 opened (a burst of 5, then one a second)"
	[ $((opened + refused)) = 12 ] || fail "not one answer per link"
	sleep 0.3
	[ "$(wc -l < "$T/out/opened")" = "$opened" ] ||
		fail "the handler got $(wc -l < "$T/out/opened"), not $opened"
	pass "a flood of 12 links: $opened opened, $refused refused"
	;;
openfile-refused)
	# no grants: OpenFile and OpenDirectory open nothing (not even a
	# file the app made, nor one of the host's it can read)
	handler
	answer 0
	echo hello > "$T/out/mine.txt"
	OPTS=(--open-uri allow)
	inside "$WAIT"'
"$1" /.test/openuri-client.py file /out/mine.txt /etc/hostname
"$1" /.test/openuri-client.py dir /out /etc' "$PY" > "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	[ "$(grep -cx 'error org.freedesktop.portal.Error.NotAllowed' "$T/log")" = 4 ] ||
		fail "OpenFile and OpenDirectory did not refuse all four"
	sleep 0.3
	[ ! -e "$T/out/opened" ] || fail "a file opened: $(cat "$T/out/opened")"
	pass "OpenFile refuses every file while nothing was granted"
	;;

# ---- notifications ----
notify-*)
	# what mako shows, from its own D-Bus interface as busctl's JSON
	# (makoctl list printed that up to mako 1.8; 1.9, Debian 13's, prints
	# text)
	mako_list() {
		as_user /usr/bin/python3 -c '
import json
from gi.repository import Gio
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
r = bus.call_sync("org.freedesktop.Notifications", "/fr/emersion/Mako",
    "fr.emersion.Mako", "ListNotifications", None, None, 0, 5000,
    None).unpack()[0]
print(json.dumps({"type": "aa{sv}", "data": [[{k: {"data": v}
    for k, v in n.items()} for n in r]]}))'
	}
	need mako makoctl notify-send
	host_bus
	# a flood: mako keeps them all but draws none, or headless sway 1.7
	# drops mako's connection while its layer surface grows ten times in
	# 200 ms ("Expected layer surface to have positive size"), and mako
	# exits
	: > "$T/mako.cfg"
	[ "$CASE" = notify-rate ] && echo "invisible=1" > "$T/mako.cfg"
	# a daemon that shows a body as plain text (mako's markup off: its
	# GetCapabilities then has no body-markup)
	[ "$CASE" = notify-plain ] && echo "markup=0" > "$T/mako.cfg"
	chmod 644 "$T/mako.cfg"
	as_user env XDG_RUNTIME_DIR="$SWAY_RT" WAYLAND_DISPLAY="$SWAY_SOCKET" \
		HOME="$T/home" XDG_CONFIG_HOME="$T/config" \
		mako -c "$T/mako.cfg" > "$T/mako.log" 2>&1 &
	track $!
	as_user timeout 5 gdbus wait --session org.freedesktop.Notifications
	mako_list >/dev/null 2>&1 ||
		fail "mako did not start: $(cat "$T/mako.log")"
	;;&
notify-send)
	# notify-send (libnotify, org.freedesktop.Notifications) and the
	# portal's AddNotification, both shown by mako as the app
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
notify-send -i /etc/passwd "Hello from inside" "the body"; echo "notify-send: $?"
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Notification.AddNotification portal1 \
	"{\"title\": <\"Portal title\">, \"body\": <\"portal body\">, \"icon\": <(\"themed\", <[\"mail-unread\"]>)>, \"priority\": <\"urgent\">}"
echo "add: $?"' > "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -qx "notify-send: 0" "$T/log" || fail "notify-send failed"
	grep -qx "add: 0" "$T/log" || fail "AddNotification failed"
	mako_list > "$T/list" || fail "makoctl list failed"
	cat "$T/list"
	python3 - "$T/list" <<'PY' || fail "mako does not show them as it should"
import json, sys
data = json.load(open(sys.argv[1]))["data"][0]
def val(n, k):
    return n.get(k, {}).get("data")
by = {val(n, "summary"): n for n in data}
a, b = by.get("Hello from inside"), by.get("Portal title")
assert a and b, "not both shown: %r" % list(by)
for n in (a, b):
    assert val(n, "app-name") == "linker", val(n, "app-name")
# the app's path is not the daemon's to read
assert val(a, "app-icon") == "", val(a, "app-icon")
assert val(a, "body") == "the body"
assert val(b, "app-icon") == "mail-unread", val(b, "app-icon")
print("mako shows both, as linker; no path for an icon")
PY
	# RemoveNotification withdraws the portal's
	inside 'timeout 10 gdbus wait --session org.freedesktop.portal.Desktop || exit 3
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Notification.AddNotification gone \
	"{\"title\": <\"To be removed\">}"
sleep 0.5
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Notification.RemoveNotification gone' \
		> "$T/log2" 2>&1 || fail "the sandbox failed: $(cat "$T/log2")"
	sleep 0.3
	mako_list | grep -q "To be removed" &&
		fail "RemoveNotification left it shown"
	pass "notify-send and AddNotification show in mako as the app, without paths"
	;;
notify-markup|notify-plain)
	# the app is told there is no body markup, so what it sends is text:
	# where the daemon reads markup, a link it could open or an image
	# file it would read outside arrives escaped; where it does not, as
	# sent. Two notifications: the first may go before the daemon's
	# capabilities are known (escaped then), the second after
	body='<a href="file:///etc/passwd">x</a> & <img src="/etc/shadow"/>'
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
gdbus call --session --dest org.freedesktop.Notifications \
	--object-path /org/freedesktop/Notifications \
	--method org.freedesktop.Notifications.GetCapabilities
notify-send "First" "$1"; echo "first: $?"
sleep 0.5
notify-send "Markup" "$1"; echo "notify-send: $?"' "$body" > "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -q "body-markup" "$T/log" &&
		fail "the app was told the body may be markup"
	grep -qx "notify-send: 0" "$T/log" || fail "notify-send failed"
	mako_list > "$T/list" || fail "makoctl list failed"
	cat "$T/list"
	if [ "$CASE" = notify-markup ]; then
		want='&lt;a href="file:///etc/passwd"&gt;x&lt;/a&gt; &amp; &lt;img src="/etc/shadow"/&gt;'
	else
		want=$body
	fi
	python3 - "$T/list" "$want" <<'PY' || fail "mako got the body wrong"
import json, sys
data = json.load(open(sys.argv[1]))["data"][0]
body = {n["summary"]["data"]: n["body"]["data"] for n in data}
assert body.get("Markup") == sys.argv[2], (body.get("Markup"), sys.argv[2])
print("mako got:", body["Markup"])
PY
	if [ "$CASE" = notify-markup ]; then
		pass "a body reaches a daemon that reads markup as text: no link, no image file"
	else
		pass "a body reaches a daemon without markup as the app sent it"
	fi
	;;
notify-signals)
	# a dismissal reaches the app as NotificationClosed, with its own id
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
timeout 10 gdbus monitor --session --dest org.freedesktop.Notifications > /out/mon 2>&1 &
sleep 0.3
gdbus call --session --dest org.freedesktop.Notifications \
	--object-path /org/freedesktop/Notifications \
	--method org.freedesktop.Notifications.Notify app 0 "" "Dismiss me" "" \
	"[\"act\", \"Act\"]" "{}" 0
for i in $(seq 1 100); do
	grep -q NotificationClosed /out/mon && break
	sleep 0.1
done
cat /out/mon' > "$T/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		mako_list 2>/dev/null | grep -q "Dismiss me" && break
		sleep 0.05
	done
	# the user clicks the action, then dismisses the notification
	as_user makoctl invoke act || fail "makoctl invoke failed"
	sleep 0.2
	as_user makoctl dismiss || fail "makoctl dismiss failed"
	wait $pid
	cat "$T/log"
	id=$(sed -n 's/^(uint32 \([0-9]*\),)$/\1/p' "$T/log")
	[ -n "$id" ] || fail "Notify gave no id"
	grep -q "ActionInvoked (uint32 $id, 'act')" "$T/log" ||
		fail "no ActionInvoked($id, act) inside"
	grep -q "NotificationClosed (uint32 $id, uint32 2)" "$T/log" ||
		fail "no NotificationClosed($id, dismissed) inside"
	# the portal's: a button, as the app named its action
	inside 'timeout 10 gdbus wait --session org.freedesktop.portal.Desktop || exit 3
timeout 10 gdbus monitor --session --dest org.freedesktop.portal.Desktop > /out/pmon 2>&1 &
sleep 0.3
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Notification.AddNotification mail7 \
	"{\"title\": <\"New mail\">, \"buttons\": <[{\"label\": <\"Read\">, \"action\": <\"app.read\">}]>}"
for i in $(seq 1 100); do
	grep -q "Notification.ActionInvoked" /out/pmon && break
	sleep 0.1
done
cat /out/pmon' > "$T/plog" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		mako_list 2>/dev/null | grep -q "New mail" && break
		sleep 0.05
	done
	mako_list | grep -q '"Read"' ||
		fail "mako shows no Read button: $(mako_list)"
	as_user makoctl invoke button0 || fail "makoctl invoke failed"
	wait $pid
	cat "$T/plog"
	grep -q "Notification.ActionInvoked ('mail7', 'app.read', @av \[\])" \
		"$T/plog" || fail "no ActionInvoked(mail7, app.read) inside"
	pass "the user's action and dismissal outside reach the app, with its ids"
	;;
notify-revoke)
	# a revoke withdraws what the app shows, and refuses the rest
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
notify-send "Before the revoke"; echo "first: $?"
touch /out/shown
for i in $(seq 1 100); do
	[ -e /out/revoked ] && break
	sleep 0.1
done
notify-send "After the revoke" 2>&1; echo "second: $?"' > "$T/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		[ -e "$T/out/shown" ] &&
			mako_list | grep -q "Before the revoke" && break
		sleep 0.05
	done
	mako_list | grep -q "Before the revoke" ||
		fail "the first notification was not shown"
	$RUNAS "$CRATE_WL" permissions revoke linker notifications ||
		fail "cannot revoke"
	for _ in $(seq 1 100); do
		mako_list | grep -q "Before the revoke" || break
		sleep 0.05
	done
	touch "$T/out/revoked"
	wait $pid
	cat "$T/log"
	mako_list | grep -q "Before the revoke" &&
		fail "the revoke left the notification shown"
	grep -qx "first: 0" "$T/log" || fail "the first notify-send failed"
	grep -q "AccessDenied" "$T/log" || fail "after the revoke: not AccessDenied"
	mako_list | grep -q "After the revoke" &&
		fail "a notification after the revoke was shown"
	pass "a revoke withdraws the app's notification and refuses the next"
	;;
notify-deny)
	OPTS=(--notifications deny)
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
notify-send "Denied one" 2>&1; echo "notify-send: $?"
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Notification.AddNotification p \
	"{\"title\": <\"Denied two\">}" 2>&1; echo "add: $?"' \
		> "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -q "AccessDenied" "$T/log" || fail "no AccessDenied"
	grep -qx "add: 0" "$T/log" && fail "AddNotification succeeded"
	sleep 0.3
	mako_list | grep -q "Denied" && fail "mako shows a denied one"
	[ ! -s "$T/prompts.log" ] || fail "notifications asked"
	pass "notifications = deny: AccessDenied, nothing shown"
	;;
notify-rate)
	# 30 at once: the burst shows, the rest is refused (LimitsExceeded)
	inside 'timeout 10 gdbus wait --session org.freedesktop.Notifications || exit 3
for i in $(seq 1 30); do
	notify-send "Flood $i" 2>/dev/null && echo shown || echo refused
done' > "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	shown=$(grep -cx shown "$T/log")
	echo "$shown of 30 shown"
	[ "$shown" -ge 10 ] && [ "$shown" -le 13 ] ||
		fail "$shown of 30 went through (a burst of 10, then 1 a second)"
	sleep 0.3
	mako_list > "$T/list" ||
		fail "makoctl list failed (mako: $(cat "$T/mako.log"))"
	n=$(python3 -c '
import json, sys
print(sum(1 for n in json.load(sys.stdin)["data"][0]
          if n["summary"]["data"].startswith("Flood ")))' < "$T/list")
	[ "$n" = "$shown" ] || fail "mako shows $n, the app was told $shown"
	pass "a flood of 30: $shown shown, the rest refused"
	;;

# ---- settings ----
settings-*)
	need gsettings
	# the host's settings: GSettings in a keyfile of the test's own
	export GSETTINGS_BACKEND=keyfile
	as_user env XDG_CONFIG_HOME="$T/config" GSETTINGS_BACKEND=keyfile \
		gsettings set org.gnome.desktop.interface color-scheme \
		prefer-dark || fail "gsettings set failed"
	as_user env XDG_CONFIG_HOME="$T/config" GSETTINGS_BACKEND=keyfile \
		gsettings set org.gnome.desktop.interface font-name \
		"Crate Sans 13" || fail "gsettings set failed"
	;;&
settings-first-call)
	# the app's very first act on its bus is a portal call, with no wait
	# for the name (GTK 4 and Firefox read the Settings portal so as
	# they start): the call waits in the daemon until crate-wl owns the
	# name, and nothing is started to "activate" it. A call to a name
	# nobody will own still fails at once, the app cannot take the name
	# the daemon "activates" through, and the daemon ran nothing
	# (dbus-send: libdbus calls at once; gdbus call introspects first,
	# which gives crate-wl the time to own the name)
	need dbus-send
	inside '
dbus-send --session --print-reply=literal \
	--dest=org.freedesktop.portal.Desktop /org/freedesktop/portal/desktop \
	org.freedesktop.portal.Settings.ReadOne \
	string:org.freedesktop.appearance string:color-scheme 2>&1 |
	tr -s " \n" " " | sed "s/^ *\(.*\) *$/first: \1\n/"
start=$(date +%s%N)
gdbus call --session --dest org.example.NobodyOwnsThis \
	--object-path /x --method org.example.X.Y 2>&1 | sed "s/^/unowned: /"
echo "unowned took: $((($(date +%s%N) - start) / 1000000)) ms"
gdbus call --session --dest org.freedesktop.DBus \
	--object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.RequestName org.freedesktop.systemd1 4 \
	2>&1 | sed "s/^/own: /"
gdbus call --session --dest org.freedesktop.DBus \
	--object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.StartServiceByName \
	org.freedesktop.portal.Desktop 0 2>&1 | sed "s/^/start: /"' \
		> "$T/log" 2>&1 || fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -qx "first: variant uint32 1 *" "$T/log" ||
		fail "the first call did not wait for the portal's name"
	grep -q "^unowned: .*ServiceUnknown" "$T/log" ||
		fail "a call to a name nobody owns did not fail as unknown"
	ms=$(sed -n 's/^unowned took: \([0-9]*\) ms$/\1/p' "$T/log")
	[ -n "$ms" ] && [ "$ms" -lt 3000 ] ||
		fail "a call to a name nobody owns waited (${ms:-?} ms)"
	grep -q "^own: .*AccessDenied" "$T/log" ||
		fail "the app could take org.freedesktop.systemd1"
	grep -qx "start: (uint32 [12],)" "$T/log" ||
		fail "StartServiceByName of the portal did not succeed"
	pass "a first portal call waits for crate-wl's name; nothing else waits, nothing is run"
	;;
settings-read|settings-read-hostbus)
	[ "$CASE" = settings-read-hostbus ] && host_bus
	inside "$WAIT"'
call() {
	gdbus call --session --dest org.freedesktop.portal.Desktop \
		--object-path /org/freedesktop/portal/desktop \
		--method org.freedesktop.portal.Settings.$1 "$2" "$3" 2>&1
}
echo "one: $(call ReadOne org.freedesktop.appearance color-scheme)"
echo "read: $(call Read org.freedesktop.appearance color-scheme)"
echo "font: $(call ReadOne org.gnome.desktop.interface font-name)"
echo "other: $(call ReadOne org.gnome.desktop.background picture-uri)"
echo "all: $(gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Settings.ReadAll "[\"org.freedesktop.*\"]")"
echo "version: $(gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.DBus.Properties.Get \
	org.freedesktop.portal.Settings version)"' > "$T/log" 2>&1 ||
		fail "the sandbox failed: $(cat "$T/log")"
	cat "$T/log"
	grep -qx "one: (<uint32 1>,)" "$T/log" ||
		fail "ReadOne: not the host's prefer-dark (1)"
	grep -qx "read: (<<uint32 1>>,)" "$T/log" ||
		fail "Read: not the value in a variant in a variant"
	grep -qx "font: (<'Crate Sans 13'>,)" "$T/log" ||
		fail "ReadOne: not the host's font"
	grep -q "^other: .*NotFound" "$T/log" ||
		fail "a key off the allowlist was not NotFound"
	grep -q "^all: ({'org.freedesktop.appearance': {'color-scheme': <uint32 1>}},)" \
		"$T/log" || fail "ReadAll: not only the appearance namespace"
	grep -qx "version: (<uint32 2>,)" "$T/log" || fail "not version 2"
	pass "the host's color-scheme and font, from gsettings; nothing else"
	;;
settings-host-portal)
	# the host's own Settings portal (xdg-desktop-portal and its GTK
	# backend, on the user's bus) wins over gsettings: its GSettings live
	# in a keyfile of their own, with other values than crate-wl's
	for p in /usr/libexec/xdg-desktop-portal \
			/usr/libexec/xdg-desktop-portal-gtk; do
		[ -x "$p" ] || skip "$p is not installed"
	done
	host_bus
	mkdir -m 700 "$T/pconf"
	chown "$U:$U" "$T/pconf"
	pset() {
		as_user env XDG_CONFIG_HOME="$T/pconf" GSETTINGS_BACKEND=keyfile \
			gsettings set org.gnome.desktop.interface "$@" ||
			fail "gsettings set $* failed"
	}
	pset color-scheme prefer-light
	pset font-name "Portal Sans 9"
	portal_env=(env XDG_CONFIG_HOME="$T/pconf" GSETTINGS_BACKEND=keyfile
		XDG_CURRENT_DESKTOP=gnome GDK_BACKEND=wayland NO_AT_BRIDGE=1
		GTK_A11Y=none XDG_RUNTIME_DIR="$SWAY_RT"
		WAYLAND_DISPLAY="$SWAY_SOCKET" HOME="$T/home")
	as_user "${portal_env[@]}" /usr/libexec/xdg-desktop-portal-gtk \
		> "$T/xdpg.log" 2>&1 &
	track $!
	as_user timeout 10 gdbus wait --session \
		org.freedesktop.impl.portal.desktop.gtk ||
		fail "xdg-desktop-portal-gtk did not start: $(cat "$T/xdpg.log")"
	as_user "${portal_env[@]}" /usr/libexec/xdg-desktop-portal \
		> "$T/xdp.log" 2>&1 &
	track $!
	as_user timeout 10 gdbus wait --session org.freedesktop.portal.Desktop ||
		fail "xdg-desktop-portal did not start: $(cat "$T/xdp.log")"
	inside "$WAIT"'
timeout 15 gdbus monitor --session --dest org.freedesktop.portal.Desktop > /out/mon 2>&1 &
call() {
	gdbus call --session --dest org.freedesktop.portal.Desktop \
		--object-path /org/freedesktop/portal/desktop \
		--method org.freedesktop.portal.Settings.ReadOne "$1" "$2" 2>&1
}
echo "one: $(call org.freedesktop.appearance color-scheme)"
echo "font: $(call org.gnome.desktop.interface font-name)"
touch /out/ready
for i in $(seq 1 100); do
	grep -q "SettingChanged.*appearance.*color-scheme" /out/mon && break
	sleep 0.1
done
sleep 0.3
cat /out/mon' > "$T/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ -e "$T/out/ready" ] && break
		sleep 0.05
	done
	sleep 0.3
	pset color-scheme prefer-dark
	wait $pid
	cat "$T/log"
	grep -qx "one: (<uint32 2>,)" "$T/log" ||
		fail "not the host portal's prefer-light (2)"
	grep -qx "font: (<'Portal Sans 9'>,)" "$T/log" ||
		fail "not the host portal's font"
	grep -q "SettingChanged ('org.freedesktop.appearance', 'color-scheme', <uint32 1>)" \
		"$T/log" || fail "no SettingChanged from the host portal inside"
	pass "the host's Settings portal's values and changes reach the app"
	;;
settings-gtk)
	# GTK 3 itself, inside: its font from the host through the portal
	# (GTK_USE_PORTAL), and a change while it runs
	"$PY" -c 'import gi; gi.require_version("Gtk", "3.0")' 2>/dev/null ||
		skip "GTK 3's introspection data is not installed (gir1.2-gtk-3.0)"
	cat > "$T/bin/gtk-settings.py" <<'PY'
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk, GLib
s = Gtk.Settings.get_default()
print("font", s.props.gtk_font_name, flush=True)
open("/out/ready", "w").close()
def changed(*a):
    print("font", s.props.gtk_font_name, flush=True)
    Gtk.main_quit()
s.connect("notify::gtk-font-name", changed)
GLib.timeout_add_seconds(10, Gtk.main_quit)
Gtk.main()
PY
	inside "$WAIT"'GDK_BACKEND=wayland NO_AT_BRIDGE=1 GTK_A11Y=none "$1" /.test/gtk-settings.py' \
		"$PY" > "$T/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ -e "$T/out/ready" ] && break
		sleep 0.05
	done
	sleep 0.3
	as_user env XDG_CONFIG_HOME="$T/config" GSETTINGS_BACKEND=keyfile \
		gsettings set org.gnome.desktop.interface font-name \
		"Crate Serif 15" || fail "gsettings set failed"
	wait $pid
	cat "$T/log"
	grep -qx "font Crate Sans 13" "$T/log" ||
		fail "GTK inside did not take the host's font"
	grep -qx "font Crate Serif 15" "$T/log" ||
		fail "GTK inside did not follow the host's change"
	pass "GTK 3 inside takes the host's font, and follows its change"
	;;
settings-changed)
	inside "$WAIT"'
timeout 15 gdbus monitor --session --dest org.freedesktop.portal.Desktop > /out/mon 2>&1 &
gdbus call --session --dest org.freedesktop.portal.Desktop \
	--object-path /org/freedesktop/portal/desktop \
	--method org.freedesktop.portal.Settings.ReadOne \
	org.freedesktop.appearance color-scheme > /dev/null
touch /out/ready
for i in $(seq 1 100); do
	grep -q "SettingChanged.*appearance.*color-scheme" /out/mon && break
	sleep 0.1
done
sleep 0.3
cat /out/mon' > "$T/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ -e "$T/out/ready" ] && break
		sleep 0.05
	done
	sleep 0.3
	as_user env XDG_CONFIG_HOME="$T/config" GSETTINGS_BACKEND=keyfile \
		gsettings set org.gnome.desktop.interface color-scheme \
		prefer-light || fail "gsettings set failed"
	wait $pid
	cat "$T/log"
	grep -q "SettingChanged ('org.freedesktop.appearance', 'color-scheme', <uint32 2>)" \
		"$T/log" || fail "no SettingChanged to prefer-light (2) inside"
	grep -q "SettingChanged ('org.gnome.desktop.interface', 'color-scheme', <'prefer-light'>)" \
		"$T/log" || fail "no SettingChanged of GNOME's key inside"
	pass "a change of the host's color-scheme reaches the app (SettingChanged)"
	;;
portals-keys)
	# [portals] in a manifest, the options over it, the base policy's
	# defaults, and what is refused (crate-wl --dry-run prints them)
	mkdir -m 755 "$T/m"
	keys() {
		sed -n '/^portals:$/,/^[a-z]/p' | grep '^  ' | tr -s ' ' | paste -sd,
	}
	printf '[app]\nname = k\nexec = true\n[portals]\nopen-uri = allow\nnotifications = deny\n' \
		> "$T/m/k.crate"
	got=$(cw app --dry-run --yes "$T/m/k.crate" | keys)
	[ "$got" = " open-uri = allow, notifications = deny" ] ||
		fail "the manifest's [portals]: $got"
	got=$(cw app --dry-run --yes --open-uri deny --notifications allow \
		"$T/m/k.crate" | keys)
	[ "$got" = " open-uri = deny, notifications = allow" ] ||
		fail "the options over the manifest: $got"
	got=$(cw run --dry-run -- true | keys)
	[ "$got" = " open-uri = ask, notifications = allow" ] ||
		fail "the default policy's: $got"
	got=$(cw run --dry-run --policy strict -- true | keys)
	[ "$got" = " open-uri = deny, notifications = deny" ] ||
		fail "the strict policy's: $got"
	printf '[app]\nname = k\nexec = true\n[portals]\nnotifications = ask\n' \
		> "$T/m/k.crate"
	out=$(cw app --dry-run --yes "$T/m/k.crate" 2>&1) &&
		fail "notifications = ask was taken"
	grep -q "expected deny or allow" <<<"$out" || fail "no reason: $out"
	printf '[app]\nname = k\nexec = true\n[portals]\nfile-chooser = allow\n' \
		> "$T/m/k.crate"
	out=$(cw app --dry-run --yes "$T/m/k.crate" 2>&1) &&
		fail "an unknown [portals] key was taken"
	grep -q "unknown key 'file-chooser' in \[portals\]" <<<"$out" ||
		fail "no reason: $out"
	out=$(cw run --dry-run --open-uri sometimes -- true 2>&1) &&
		fail "--open-uri sometimes was taken"
	pass "[portals] keys, their options and defaults; bad ones refused"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

#!/bin/bash
# What the app chooses reaches the user only as text: prompt front-ends
# (a prompt program's environment, the terminal) and crate-wl's own
# messages never pass on control characters, escape sequences, bidi
# overrides or line breaks of the app's. Nor does any of it reach a shell.
# usage: prompt-text.sh CRATE_WL PROMPT_DRIVER CASE
CRATE_WL=$1
PROMPT_DRIVER=$2
CASE=$3
. "$(dirname "$0")/../lib.sh"

# a MIME type as an app may send it in wl_data_offer.receive: an OSC
# title, a colour, a line of its own, a right-to-left override, a
# command substitution, a lone byte that is not UTF-8
EVIL=$(printf 'text/plain\033]0;pwned\007\033[31m\nallow: yes \342\200\256kcilc $(touch %s/mark) `touch %s/mark` \377end' "$T" "$T")

# clean FILE [lines]: no byte below 0x20 but the final newline (or, with
# "lines", the newline of each line), no DEL, no C1 and no bidi override
clean() {
	python3 - "$1" "${2:-}" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
if sys.argv[2] == "lines":
    data = data.replace(b"\n", b"")
elif data.endswith(b"\n"):
    data = data[:-1]
bad = [b for b in data if b < 0x20 or b == 0x7f]
text = data.decode("utf-8", "replace")
bad += [c for c in text if 0x80 <= ord(c) < 0xa0 or 0x202a <= ord(c) <= 0x202e]
sys.exit(1 if bad else 0)
PY
}

case $CASE in
cmd)
	# the prompt program's environment carries the detail as text
	cat > "$T/prompt.sh" <<P
#!/bin/sh
printf '%s\n' "\$CRATE_WL_DETAIL" > $T/detail
printf '%s\n' "\$CRATE_WL_APP" > $T/app
exit 1
P
	chmod 755 "$T/prompt.sh"
	"$PROMPT_DRIVER" "cmd:$T/prompt.sh" 5000 "read the clipboard ($EVIL)" \
		> "$T/out" 2> "$T/err" || fail "driver failed: $(cat "$T/err")"
	cat "$T/detail"
	grep -qx "answer: deny once" "$T/out" || fail "answer: $(cat "$T/out")"
	clean "$T/detail" ||
		fail "the prompt program got control characters: $(od -c "$T/detail" | head)"
	grep -q '^read the clipboard (text/plain' "$T/detail" &&
		grep -q 'end)$' "$T/detail" ||
		fail "the detail lost its text: $(cat "$T/detail")"
	[ ! -e "$T/mark" ] || fail "the detail ran in a shell"
	pass "a prompt program gets the app's text as text"
	;;
tty)
	need script
	# the question on a terminal (script's pty), answered "d"
	printf 'd\n' | PD=$PROMPT_DRIVER DETAIL="read the clipboard ($EVIL)" \
		script -qec '"$PD" tty 5000 "$DETAIL"' /dev/null \
		> "$T/tty" 2>&1 || fail "driver failed: $(cat "$T/tty")"
	grep -a 'asks for' "$T/tty" | tr -d '\r' > "$T/question"
	cat "$T/question"
	grep -aq "answer: deny once" "$T/tty" || fail "answer: $(cat "$T/tty")"
	[ -s "$T/question" ] || fail "no question on the terminal"
	clean "$T/question" ||
		fail "the terminal got the app's escape sequences: $(od -c "$T/question" | head)"
	[ ! -e "$T/mark" ] || fail "the detail ran in a shell"
	pass "the terminal prompt shows the app's text as text"
	;;
trace)
	# crate-wl's own messages: --trace names each client by its comm,
	# which the app sets (here: its executable's name)
	need sway wayland-info
	start_sway
	mkdir -m 755 "$T/bin"
	name=$(printf 'w\033[31m\033]0;x\007')
	cp "$(command -v wayland-info)" "$T/bin/$name"
	timeout -k 2 20 "$CRATE_WL" proxy --trace -- "$T/bin/$name" \
		> /dev/null 2> "$T/trace" || fail "the client failed: $(cat "$T/trace")"
	grep -a '^crate-wl\[' "$T/trace" | head -3
	grep -aq '^crate-wl\[' "$T/trace" || fail "no trace line names a client"
	clean "$T/trace" lines ||
		fail "a trace line holds the app's escape sequences: $(grep -a '^crate-wl\[' "$T/trace" | head -1 | od -c | head -3)"
	pass "crate-wl's messages show the app's names as text"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

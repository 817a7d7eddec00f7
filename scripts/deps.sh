#!/bin/sh
# Installs the Debian packages listed in scripts/packages/*.txt that are not
# installed yet. Usage: scripts/deps.sh [LIST...]   (default: every list)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	set -- "$here"/packages/*.txt
else
	for i in $(seq 1 $#); do
		set -- "$@" "$here/packages/$1.txt"
		shift
	done
fi
missing=
for pkg in $(cat "$@" | sed 's/#.*//'); do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
echo "crate-wl: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2

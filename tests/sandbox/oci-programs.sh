#!/bin/bash
# oci-programs.sh CRATE_WL root|nobody: the OCI unpacker runs outside the
# sandbox on untrusted layers. No layer names a program that runs there:
# libarchive runs an external decompressor (lrzip, grzip, lzop, from the
# caller's PATH) for a layer that starts with that format's magic; fake
# ones in PATH write a marker if anything runs them. And the unpacker is
# confined as the sandbox is.
CRATE_WL=$1
CORE_TEST=0
. "$(dirname "$0")/common.sh" "$2"
need python3

L=$T/layout
mkdir -m 777 "$T/mark" "$T/fakebin"
for prog in lrzip grzip lzop; do
	printf '#!/bin/sh\necho "%s $*" >> %s/mark/ran\ncat >/dev/null\n' \
		"$prog" "$T" > "$T/fakebin/$prog"
	chmod 755 "$T/fakebin/$prog"
done
# one image per format, each a single layer of nothing but its magic
python3 - "$L" <<'PY' || fail "cannot build the layout"
import hashlib, json, os, sys
out = sys.argv[1]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data, media):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data),
            "mediaType": media}
magic = {"lrzip": b"LRZI\x00\x06" + bytes(64),
         "grzip": b"GRZipII\x00\x02\x04:)" + bytes(64),
         "lzop": b"\x89LZO\x00\r\n\x1a\n" + bytes(64)}
manifests = []
for name, data in magic.items():
    layer = blob(data, "application/vnd.oci.image.layer.v1.tar+gzip")
    conf = blob(json.dumps({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []}}).encode(),
        "application/vnd.oci.image.config.v1+json")
    m = blob(json.dumps({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": conf, "layers": [layer]}).encode(),
        "application/vnd.oci.image.manifest.v1+json")
    m["annotations"] = {"org.opencontainers.image.ref.name": name}
    manifests.append(m)
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": manifests}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
PY
chmod -R a+rX "$L"

for ref in lrzip grzip lzop; do
	PATH=$T/fakebin:$PATH timeout -k 2 20 $RUNAS "$CRATE_WL" run \
		--no-wayland --root "oci:$L:$ref" -- /bin/true 2>"$T/err" &&
		fail "$ref: a layer of nothing but a magic number ran"
	echo "$ref: $(cat "$T/err")"
	[ ! -e "$T/mark/ran" ] ||
		fail "a layer started a program outside the sandbox: $(cat "$T/mark/ran")"
done
pass "no layer starts a decompressor outside the sandbox"

# the unpacker seen from the host, while it hashes a large (sparse) layer
# whose digest is wrong: it stops there, having written nothing
F=$T/slow
python3 - "$F" <<'PY' || fail "cannot build the slow layout"
import hashlib, json, os, sys
out = sys.argv[1]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data, media):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data),
            "mediaType": media}
size = 512 << 20
with open(os.path.join(blobs, "0" * 64), "wb") as f:
    f.truncate(size)
layer = {"digest": "sha256:" + "0" * 64, "size": size,
         "mediaType": "application/vnd.oci.image.layer.v1.tar"}
conf = blob(json.dumps({"architecture": "amd64", "os": "linux",
    "rootfs": {"type": "layers", "diff_ids": []}}).encode(),
    "application/vnd.oci.image.config.v1+json")
m = blob(json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": conf, "layers": [layer]}).encode(),
    "application/vnd.oci.image.manifest.v1+json")
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [m]}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
PY
chmod -R a+rX "$F"
timeout -k 2 30 $RUNAS "$CRATE_WL" run --no-wayland --root "oci:$F" \
	-- /bin/true 2>"$T/slow.err" &
bg=$!
track $bg
u=
for _ in $(seq 1 250); do
	cw_pid=$(pgrep -P $bg -x crate-wl) &&
		u=$(pgrep -P "$cw_pid" -x crate-wl-oci) && break
	sleep 0.02
done
[ -n "$u" ] || fail "no crate-wl-oci: $(cat "$T/slow.err")"
# all of it read while it runs, then checked
snap=$T/snap
mkdir "$snap"
cp /proc/$u/status "$snap/status"
for ns in user mnt pid net; do
	readlink /proc/$u/ns/$ns > "$snap/$ns"
done
ls -A /proc/$u/root/ > "$snap/root"
echo $(ls -A /proc/$u/root$T) > "$snap/test"
ls -A /proc/$u/root$T/cache/crate-wl > "$snap/cache"
kill -0 $u 2>/dev/null && [ "$(cat /proc/$u/comm)" = crate-wl-oci ] ||
	fail "the unpacker ended before it could be looked at"
grep -E '^(NoNewPrivs|Seccomp|CapEff):' "$snap/status"
echo "its root: $(tr '\n' ' ' < "$snap/root")"
unpacker_status() {
	for ns in user mnt pid net; do
		[ "$(readlink /proc/self/ns/$ns)" != "$(cat "$snap/$ns")" ] ||
			{ echo "the unpacker shares the host's $ns namespace"; return; }
	done
	grep -qx 'NoNewPrivs:[[:space:]]*1' "$snap/status" ||
		{ echo "no no_new_privs"; return; }
	grep -qx 'Seccomp:[[:space:]]*2' "$snap/status" ||
		{ echo "no seccomp filter"; return; }
	grep -qx 'CapEff:[[:space:]]*0*' "$snap/status" ||
		{ echo "capabilities"; return; }
	for top in home root run srv; do
		! grep -qx "$top" "$snap/root" ||
			{ echo "it sees /$top"; return; }
	done
	# the image, and of the cache (XDG_CACHE_HOME=$T/cache) the images'
	[ "$(cat "$snap/test")" = "cache slow" ] ||
		{ echo "it sees more of the test's files: $(cat "$snap/test")"; return; }
	[ "$(cat "$snap/cache")" = oci ] ||
		echo "it sees more of the cache: $(cat "$snap/cache")"
}
why=$(unpacker_status)
[ -z "$why" ] || fail "the unpacker is not confined: $why"
wait $bg && fail "an image with a wrong digest ran"
pass "the unpacker runs confined, with the image's directory alone"

# an index that is a fifo: refused at once, not waited on for ever
mkdir -m 755 "$T/fifo"
cp "$F/oci-layout" "$T/fifo/"
mkfifo -m 666 "$T/fifo/index.json"
timeout -k 1 10 $RUNAS "$CRATE_WL" run --no-wayland --root "oci:$T/fifo" \
	-- /bin/true 2>"$T/fifo.err"
rc=$?
[ $rc != 124 ] && [ $rc != 137 ] || fail "the unpacker waits on a fifo"
grep -q "index.json: not a regular file" "$T/fifo.err" ||
	fail "no clear error: $(cat "$T/fifo.err")"
pass "an image's file that is a fifo: $(head -n1 "$T/fifo.err")"

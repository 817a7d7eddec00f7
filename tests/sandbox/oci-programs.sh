#!/bin/bash
# oci-programs.sh CRATE_WL root|nobody: an OCI layer names no program that
# runs outside the sandbox. The unpacker runs outside, on untrusted
# layers; libarchive runs an external decompressor (lrzip, grzip, lzop,
# from the caller's PATH) for a layer that starts with that format's
# magic. Fake ones in PATH write a marker if anything runs them.
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

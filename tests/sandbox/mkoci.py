#!/usr/bin/env python3
"""mkoci.py DIR BUSYBOX: an OCI image layout for the sandbox tests.
Images: "latest" (two layers; the upper one whites out etc/hello and makes
dir/ opaque), "lower" (the first layer only), "evil" (members that try to
leave the root: ../, an absolute path, a write through a symlink), "cmd"
(the first layer, with Env, Entrypoint, Cmd and WorkingDir in its config),
"badconf" (a config whose Env is not a list), "nested" (an index pointing
to an index of two platforms: this machine's is "latest", the other one
"lower"), "foreign" (an index pointing to an index with only another
platform's image). Hostile ones (hostile.sh): "bomb" (a 48 MiB file of
zeros, 50 KB of gzip), "many" (3000 empty files), "loop" (symlinks that
point at each other and at their own directory)."""
import gzip, hashlib, io, json, os, sys, tarfile

out, busybox = sys.argv[1], sys.argv[2]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)

def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

def layer(members, compress):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, data
                t.addfile(info)
            else:
                info.mode = 0o755 if kind == "exe" else 0o644
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    media = "application/vnd.oci.image.layer.v1.tar"
    if compress:
        data = gzip.compress(data, mtime=0)
        media += "+gzip"
    d = blob(data)
    d["mediaType"] = media
    return d

def image(layers, ref, run=None):
    conf = {"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": []}}
    if run is not None:
        conf["config"] = run
    config = blob(json.dumps(conf).encode())
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = blob(json.dumps({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config, "layers": layers}).encode())
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    if ref is not None:
        m["annotations"] = {"org.opencontainers.image.ref.name": ref}
    return m

def nested(entries, ref):
    """An index blob listing (image, os, architecture) entries."""
    manifests = []
    for m, os_, arch in entries:
        m = dict(m, platform={"os": os_, "architecture": arch})
        manifests.append(m)
    d = blob(json.dumps({"schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests}).encode())
    d["mediaType"] = "application/vnd.oci.image.index.v1+json"
    d["annotations"] = {"org.opencontainers.image.ref.name": ref}
    return d

# this machine's platform, as OCI names it
machine = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386"}.get(
    os.uname().machine, os.uname().machine)
other = "s390x" if machine != "s390x" else "riscv64"

with open(busybox, "rb") as f:
    bb = f.read()
base = layer([("bin", "dir", None), ("bin/busybox", "exe", bb),
    ("bin/sh", "link", "busybox"), ("etc", "dir", None),
    ("etc/hello", "file", b"lower\n"), ("etc/keep", "file", b"keep\n"),
    ("dir", "dir", None), ("dir/a", "file", b"a\n"),
    ("dir/b", "file", b"b\n")], True)
upper = layer([("etc/.wh.hello", "file", b""), ("dir/c", "file", b"c\n"),
    ("dir/.wh..wh..opq", "file", b"")], False)
evil = layer([("../escaped-dotdot", "file", b"x"),
    ("/escaped-absolute", "file", b"x"),
    ("out", "link", os.path.join(out, "..", "outside")),
    ("out/escaped-symlink", "file", b"x")], False)
run = {"Env": ["GREETING=hello from the image", "PATH=/bin"],
    "Entrypoint": ["/bin/sh", "-c"],
    "Cmd": ['echo "$GREETING"; pwd'], "WorkingDir": "/etc"}
bomb = layer([("zeros", "file", bytes(48 << 20))], True)
many = layer([("many", "dir", None)] +
    [("many/%d" % i, "file", b"") for i in range(3000)], True)
loop = layer([("loop", "dir", None), ("loop/a", "link", "b"),
    ("loop/b", "link", "a"), ("loop/self", "link", "self"),
    ("loop/up", "link", ".")], False)
index = {"schemaVersion": 2, "manifests": [image([base, upper], "latest"),
    image([base, bomb], "bomb"), image([base, many], "many"),
    image([base, loop], "loop"),
    image([base], "lower"), image([base, evil], "evil"),
    image([base], "cmd", run), image([base], "badconf", {"Env": "x=y"}),
    nested([(image([base], None), "linux", other),
        (image([base, upper], None), "linux", machine)], "nested"),
    nested([(image([base], None), "linux", other)], "foreign")]}
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump(index, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)

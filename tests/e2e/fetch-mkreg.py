#!/usr/bin/env python3
"""fetch-mkreg.py: build a directory registry for the mcp-fetch tests.

  fetch-mkreg.py REG ORG/NAME VERSION [--status S] [--cert N]
                 [--git-sha HEX | --no-git-sha] [--origin O]

Adds one version: a deterministic tar.gz bundle (server.py + manifest.json),
a client-format manifest whose bundle.digest/size_bytes match it, both
stored as REG/blobs/sha256/HEX, and the entry in REG/packages/ORG/NAME.json.
Prints the entry as one JSON line.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile


def put_blob(reg, data):
    hexd = hashlib.sha256(data).hexdigest()
    d = os.path.join(reg, "blobs", "sha256")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hexd), "wb") as f:
        f.write(data)
    return "sha256:" + hexd


def tar_gz(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in files:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(data), mode, 0
            ti.uname = ti.gname = "root"
            t.addfile(ti, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
        g.write(raw.getvalue())
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reg")
    ap.add_argument("package")
    ap.add_argument("version")
    ap.add_argument("--status", default="published")
    ap.add_argument("--cert", type=int, default=1)
    ap.add_argument("--git-sha")
    ap.add_argument("--no-git-sha", action="store_true")
    ap.add_argument("--origin", default="community")
    a = ap.parse_args()

    org, name = a.package.split("/")
    server = ("#!/usr/bin/env python3\n# %s %s\nimport sys\n"
              "for line in sys.stdin:\n    sys.stdout.write(line)\n"
              % (a.package, a.version)).encode()
    bundle = tar_gz([("server.py", server, 0o755)])
    bundle_digest = put_blob(a.reg, bundle)
    manifest = {
        "schema_version": "1",
        "package": {"id": a.package, "version": a.version},
        "bundle": {"digest": bundle_digest, "size_bytes": len(bundle)},
        "transport": {"type": "stdio"},
        "entrypoints": [{"os": "linux", "arch": "amd64",
                         "command": "server.py", "args": []}],
    }
    git_sha = a.git_sha or hashlib.sha1(
        ("%s@%s" % (a.package, a.version)).encode()).hexdigest()
    if not a.no_git_sha:
        manifest["package"]["git_sha"] = git_sha
    mbytes = (json.dumps(manifest, indent=2) + "\n").encode()
    manifest_digest = put_blob(a.reg, mbytes)

    entry = {"version": a.version,
             "git_sha": None if a.no_git_sha else git_sha,
             "status": a.status, "certification_level": a.cert,
             "manifest_digest": manifest_digest,
             "bundle_digest": bundle_digest, "bundle_size": len(bundle)}
    pdir = os.path.join(a.reg, "packages", org)
    os.makedirs(pdir, exist_ok=True)
    ipath = os.path.join(pdir, name + ".json")
    if os.path.exists(ipath):
        with open(ipath) as f:
            index = json.load(f)
    else:
        index = {"package": a.package, "origin": a.origin, "versions": {}}
    index["versions"][a.version] = entry
    with open(ipath, "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    print(json.dumps(entry))


main()

#!/usr/bin/env python3
"""fetch-server.py: a registry HTTP API over a directory registry, with
fault modes, for the mcp-fetch tests.  Loopback only, bounded lifetime.

  fetch-server.py REG PORTFILE [--tls CERT KEY] [--token T] [--log FILE]

Listens on 127.0.0.1, a random port written to PORTFILE.  The registry
base URL is http(s)://127.0.0.1:PORT/m/MODE, MODE choosing a fault:

  ok              the API as FORMATS.md describes it
  wrongdigest     bundle bytes with one byte changed (same length)
  truncated       bundle cut in half, no Content-Length, connection closed
  truncatedonce   first bundle request: Content-Length, half the bytes,
                  connection closed; then correct
  stall           bundle: half the bytes, then 20 s of silence
  oversized       bundle with extra bytes, no Content-Length
  oversizedcl     bundle announced (Content-Length) larger than it is
  fail500twice    every path answers 500 twice, then correctly
  retryafter      every path answers 429 with Retry-After: 1 once
  retryafterlong  429 with Retry-After: 3600, always
  redirfile       bundle redirects to file:///etc/passwd
  redirhttp       bundle redirects to the same path over plain http
  redirloop       bundle redirects to itself
  presigned       bundle redirects to http(s)://localhost:PORT/blob/HEX,
                  another origin (the token must not follow)
  badjson         resolve answers invalid JSON
  bigresolve      resolve answers 2 MiB, no Content-Length
  bigresolvecl    resolve answers 2 MiB, with Content-Length
  notfound        everything is 404 with a JSON error
  otherport       resolve answer's artifact URLs on another port
  pkgmismatch     resolve answer names another package

With --token, /m/ requests need "Authorization: Bearer T" (else 401).
Every request is logged as "METHOD PATH auth=yes|no" to --log.
"""
import argparse
import json
import os
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LIFETIME = 300  # seconds: a forgotten server goes away by itself

counts = {}
lock = threading.Lock()


def semver_key(v):
    core, _, pre = v.split("+")[0].partition("-")
    nums = [int(x) for x in core.split(".")]
    return (nums, 0 if pre else 1, pre)


def resolve(reg, org, name, ref):
    try:
        with open(os.path.join(reg, "packages", org, name + ".json")) as f:
            index = json.load(f)
    except FileNotFoundError:
        return None, None
    vs = list(index["versions"].values())
    if ref == "latest":
        c = [v for v in vs if v["status"] == "published"
             and "-" not in v["version"].split("+")[0]]
        c.sort(key=lambda v: semver_key(v["version"]))
        c = c[-1:]
    elif re.fullmatch(r"[0-9a-f]{40}", ref):
        c = [v for v in vs if v.get("git_sha") == ref]
    elif ref.startswith("sha256:"):
        c = [v for v in vs
             if ref in (v["manifest_digest"], v["bundle_digest"])]
    else:
        c = [v for v in vs if v["version"] == ref]
    return index, (c[0] if len(c) == 1 else None)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fetch-test-registry"

    def log_message(self, fmt, *args):
        pass

    def nth(self):
        key = self.path
        with lock:
            counts[key] = counts.get(key, 0) + 1
            return counts[key]

    def send(self, code, body, ctype="application/json", headers=(),
             length=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def error(self, code, err, msg, headers=()):
        self.send(code, json.dumps({"error": err, "message": msg}).encode(),
                  headers=headers)

    def redirect(self, loc):
        self.send(302, b"", headers=[("Location", loc)])

    def base(self):
        return "%s://127.0.0.1:%d" % (self.server.scheme,
                                      self.server.server_port)

    def do_GET(self):
        srv = self.server
        auth = self.headers.get("Authorization")
        with open(srv.log, "a") as f:
            f.write("GET %s auth=%s\n" % (self.path,
                                          "yes" if auth else "no"))
        url = urlsplit(self.path)
        m = re.fullmatch(r"/blob/([0-9a-f]{64})", url.path)
        if m:
            return self.blob(m.group(1), "ok")
        m = re.fullmatch(r"/m/([a-z0-9]+)(/v1/.*)", url.path)
        if not m:
            return self.error(404, "not_found", "no such path")
        mode, rest = m.groups()
        if srv.token and auth != "Bearer " + srv.token:
            return self.error(401, "unauthorized", "token required")
        if mode == "notfound":
            return self.error(404, "not_found", "no such package")
        if mode == "fail500twice" and self.nth() <= 2:
            return self.error(500, "internal", "try again")
        if mode == "retryafter" and self.nth() <= 1:
            return self.error(429, "slow_down", "busy",
                              headers=[("Retry-After", "1")])
        if mode == "retryafterlong":
            return self.error(429, "slow_down", "busy",
                              headers=[("Retry-After", "3600")])
        m = re.fullmatch(r"/v1/org/([^/]+)/mcps/([^/]+)/resolve", rest)
        if m:
            ref = parse_qs(url.query).get("ref", [""])[0]
            return self.resolve(mode, unquote(m.group(1)),
                                unquote(m.group(2)), ref)
        m = re.fullmatch(
            r"/v1/org/([^/]+)/artifacts/sha256:([0-9a-f]{64})/"
            r"(manifest|bundle)", rest)
        if m:
            return self.artifact(mode, m.group(2), m.group(3))
        return self.error(404, "not_found", "no such path")

    def resolve(self, mode, org, name, ref):
        if mode == "badjson":
            return self.send(200, b"{not json")
        if mode == "bigresolve":
            return self.send(200, b" " * (2 * 1024 * 1024) + b"{}",
                             length=False)
        if mode == "bigresolvecl":
            return self.send(200, b" " * (2 * 1024 * 1024) + b"{}")
        index, v = resolve(self.server.reg, org, name, ref)
        if v is None:
            return self.error(404, "not_found",
                              "no version of %s/%s matches %s"
                              % (org, name, ref))
        base = "%s/m/%s" % (self.base(), mode)
        if mode == "otherport":
            base = "%s://127.0.0.1:%d/m/ok" % (self.server.scheme,
                                               self.server.server_port + 1)
        art = "%s/v1/org/%s/artifacts/%%s/%%s" % (base, org)
        doc = {
            "package": "acme/other" if mode == "pkgmismatch"
            else "%s/%s" % (org, name),
            "ref": ref,
            "origin": index.get("origin", "community"),
            "resolved": {
                "version": v["version"],
                "git_sha": v.get("git_sha"),
                "status": v["status"],
                "certification_level": v["certification_level"],
                "manifest": {"digest": v["manifest_digest"],
                             "url": art % (v["manifest_digest"],
                                           "manifest")},
                "bundle": {"digest": v["bundle_digest"],
                           "url": art % (v["bundle_digest"], "bundle"),
                           "size_bytes": v["bundle_size"]},
                "evidence": [],
            },
        }
        self.send(200, json.dumps(doc).encode())

    def artifact(self, mode, hexd, kind):
        if kind == "bundle":
            if mode == "redirfile":
                return self.redirect("file:///etc/passwd")
            if mode == "redirhttp":
                return self.redirect("http://127.0.0.1:%d%s"
                                     % (self.server.server_port, self.path))
            if mode == "redirloop":
                return self.redirect(self.path)
            if mode == "presigned":
                return self.redirect("%s://localhost:%d/blob/%s"
                                     % (self.server.scheme,
                                        self.server.server_port, hexd))
        return self.blob(hexd, mode if kind == "bundle" else "ok")

    def blob(self, hexd, mode):
        if mode == "ok" and self.server.scheme == "http":
            return self.blob_sendfile(hexd)
        try:
            with open(os.path.join(self.server.reg, "blobs", "sha256",
                                   hexd), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return self.error(404, "not_found", "no such blob")
        ctype = "application/gzip"
        if mode == "wrongdigest":
            data = data[:20] + bytes([data[20] ^ 0xff]) + data[21:]
        elif mode == "truncated":
            return self.send(200, data[:len(data) // 2], ctype, length=False)
        elif mode == "truncatedonce" and self.nth() <= 1:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.close_connection = True
            return
        elif mode == "stall":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            time.sleep(20)
            return
        elif mode == "oversized":
            return self.send(200, data + b"x" * 4096, ctype, length=False)
        elif mode == "oversizedcl":
            return self.send(200, data, ctype,
                             headers=[("Content-Length",
                                       str(len(data) + 100))],
                             length=False)
        self.send(200, data, ctype)


    def blob_sendfile(self, hexd):
        # The plain path serves with os.sendfile: the benchmark measures
        # mcp-fetch, not this server's copies through Python buffers.
        path = os.path.join(self.server.reg, "blobs", "sha256", hexd)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return self.error(404, "not_found", "no such blob")
        try:
            size = os.fstat(fd).st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            off = 0
            while off < size:
                n = os.sendfile(self.connection.fileno(), fd, off,
                                size - off)
                if n == 0:
                    break
                off += n
        finally:
            os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reg")
    ap.add_argument("portfile")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--token")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.reg, srv.token, srv.log = a.reg, a.token, a.log
    srv.scheme = "http"
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.scheme = "https"
    tmp = a.portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_port)
    os.rename(tmp, a.portfile)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    time.sleep(LIFETIME)
    sys.exit(0)


main()

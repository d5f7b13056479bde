#!/bin/sh
# seeds.sh: write the seed corpora of the fuzz targets, at build time.
#
# Usage: seeds.sh --out DIR --dict DIR --srcdir DIR --registry DIR
#                 --mcp-audit PROG [--python PROG]
#
# Writes DIR/<target>/seed-* for every target of fuzz/local.mk: small valid
# inputs (the example registry's manifests, package indexes and bundles,
# audit lines written by the mcp-audit just built) and interesting invalid
# ones (the attacks each parser exists to refuse).  It also writes
# libFuzzer dictionaries, DICT/<target>.dict, from the string literals of
# the modules under test (member and key names), so they follow the code.  Nothing here is a
# committed binary: archives are made with tar and gzip, or with python3's
# tarfile when it is there (for entries tar will not write).  Files the
# fuzzer added to DIR are kept; seed-* files are rewritten.
set -eu

prog=seeds.sh
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

out='' dict='' srcdir='' registry='' audit='' python=''
while [ $# -gt 0 ]; do
	case $1 in
	--out|--dict|--srcdir|--registry|--mcp-audit|--python)
		[ $# -ge 2 ] || die "option $1 needs an argument"
		case $1 in
		--out) out=$2 ;;
		--dict) dict=$2 ;;
		--srcdir) srcdir=$2 ;;
		--registry) registry=$2 ;;
		--mcp-audit) audit=$2 ;;
		--python) python=$2 ;;
		esac
		shift 2
		;;
	*) die "unknown argument: $1" ;;
	esac
done
if [ -z "$out" ] || [ -z "$dict" ] || [ ! -d "$srcdir" ] || [ ! -d "$registry" ]; then
	die "usage: $prog --out DIR --dict DIR --srcdir DIR --registry DIR --mcp-audit PROG [--python PROG]"
fi
[ "$python" = no ] && python=''

for t in ref doc yaml manifest spec audit extract; do
	mkdir -p "$out/$t"
	rm -f "$out/$t"/seed-*
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mcp-seeds.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# seed TARGET: standard input becomes a seed of TARGET, named by its
# checksum (seed is often the end of a pipeline, in a subshell).
seed() {
	cat >"$work/seed"
	mv "$work/seed" "$out/$1/seed-$(cksum <"$work/seed" | cut -d ' ' -f 1)"
}

zeros=0000000000000000000000000000000000000000
hex64=${zeros}000000000000000000000000
sha=0123456789abcdef0123456789abcdef01234567

# Dictionaries.  literals FILE...: the identifier-like string literals.
literals() {
	grep -ohE '"[A-Za-z_][A-Za-z0-9_./:-]{1,40}"' "$@" | sort -u
}
mkdir -p "$dict"
# JSON readers: the names with their quotes, and the punctuation.
for t in doc:common/doc.c manifest:mcp-verify/manifest.c \
	spec:mcp-exec/spec.c audit:mcp-audit/chain.c; do
	{
		literals "$srcdir/${t#*:}" | sed 's/"/\\"/g; s/.*/"&"/'
		printf '"%s"\n' '{' '}' '[' ']' ':' ',' 'null' 'true' 'false' \
			'\\u0000' '\\ud800' '1e999' '-0' 'sha256:'
	} >"$dict/${t%%:*}.dict"
done
# YAML: the policy's keys and words, bare, and YAML's punctuation.
{
	literals "$srcdir/mcp-policy/policy.c" "$srcdir/common/yaml.c"
	printf '"%s"\n' 'policy:' ': ' '- ' '{' '}' '[' ']' '&a' '*a' '!!str' \
		'---' '...' '? ' '~' '0x10' '1G' '500m' '12h'
} >"$dict/yaml.dict"
printf '"%s"\n' '@' '/' 'latest' 'sha256:' '-alpha' '+build' '.0' '-0' \
	'0123456789abcdef0123456789abcdef01234567' >"$dict/ref.dict"

# ref: references, then version pairs (A newline B) for semver_cmp.
for r in examples/echo-c@1.0.0 examples/echo-c acme/server@latest \
	"acme/server@$sha" "acme/server@sha256:$hex64" \
	acme/server@1.0.0-alpha.1+build.5 ../etc@1.0.0 -x/y@1 \
	a/b@01.0.0 a/b@1.0 'a/b@1.0.0 ' A/b@1.0.0 a//b@1 a/b@@1 \
	"a/b@sha256:${hex64}0" a/b%2e@1; do
	printf '%s' "$r" | seed ref
done
for p in '1.0.0-alpha
1.0.0-alpha.1' '1.0.0-alpha.beta
1.0.0-beta.2' '1.0.0-rc.1
1.0.0' '1.0.0+build.1
1.0.0+build.2' '2.0.0
10.0.0' '1.0.0-1
1.0.0-a' '18446744073709551616.0.0
1.0.0' '1.0.0-0.3.7
1.0.0-x.7.z.92'; do
	printf '%s' "$p" | seed ref
done
printf 'a/b@1.0.0\033[31m\302\233x\355\240\200' | seed ref

# doc: stage documents and what the strict reader refuses.
for f in "$registry"/packages/*/*.json; do
	[ -f "$f" ] && seed doc <"$f"
done
cat <<'J' | seed doc
{"kind":"mcp.fetch/v1","ref":"examples/echo-c@1.0.0","package":"examples/echo-c","version":"1.0.0","git_sha":null,"status":"published","certification_level":0,"origin":"community","registry":"file:///r","manifest":{"digest":"sha256:00","size_bytes":812,"path":"/m"},"bundle":{"digest":"sha256:11","size_bytes":1,"path":"/b"},"cache_hit":false}
J
printf '{"kind":"mcp.verified/v1","server":{"entrypoint":{"argv":["/bin/true"]}}}' | seed doc
printf '{"kind":"mcp.fetch/v2"}' | seed doc
printf '{"kind":"mcp.fetch/v1","kind":"mcp.verified/v1"}' | seed doc
printf '\357\273\277{"kind":"mcp.fetch/v1"}' | seed doc
printf '{"kind":"mcp.fetch/v1"} {}' | seed doc
printf '{"a":"\\u0000","b":"\\ud800"}' | seed doc
printf '[1e400, -0, 123456789012345678901234567890, 0.1]' | seed doc
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' | seed doc
printf '"just a string"' | seed doc

# yaml: configuration files, policy layers and what the reader refuses.
cat <<'Y' | seed yaml
registry:
  url: https://hub.example.com
cache:
  dir: /var/cache/mcp
audit:
  log: /var/log/mcp/audit.jsonl
  redact: ["*_PIN", cookie]
  syslog: true
policy:
  certification: {minimum: 1, mode: strict}
  status:
    allow: [published, deprecated]
  packages:
    allow: ["acme/*", "vendor/*"]
    deny: ["acme/legacy-*"]
  limits:
    defaults: {cpu: 500m, memory: 256M, pids: 32, fds: 128, timeout: 1h}
    caps: {cpu: 2000m, memory: 1G, pids: 128, fds: 1024, timeout: 12h}
  environment:
    allow: [HTTP_PROXY, HTTPS_PROXY, NO_PROXY]
    secrets: ["ACME_*_TOKEN"]
  filesystem:
    allow:
      - {path: /srv/shared, access: ro}
  network:
    mode: allowlist
    allow: ["*.acme.example:443"]
  subprocess: {allow: false}
  isolation: {require: [seccomp, no_new_privs]}
Y
cat <<'Y' | seed yaml
policy:
  filesystem:
    allow:
      - {path: /home/alice/mcp-work, access: rw}
      - {path: /srv//data/./x/, access: rx}
  network:
    allow: ["api.acme.example:443", "[::1]:8080"]
  ungranted: drop
Y
cat <<'Y' | seed yaml
policy:
  origins: {allow: [community, official]}
  registries: {allow: ["https://hub.example.com/"]}
  status: {allow: [published], warn: [deprecated]}
  network: {mode: none}
  isolation: {degrade: [landlock, cgroup]}
  ungranted: deny
Y
printf 'policy: ~\n' | seed yaml
printf 'a: &x [1, 2]\nb: *x\n' | seed yaml
printf 'a: !!str 1\n' | seed yaml
printf 'a: 1\na: 2\n' | seed yaml
printf '? [k]\n: v\n' | seed yaml
printf 'a: 1\n---\nb: 2\n' | seed yaml
printf 'a:\n\t- 1\n' | seed yaml
printf 'x: "\\x00 \\u202e"\ny: yes\nz: 18446744073709551616\n' | seed yaml
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n' | seed yaml

# manifest: the example registry's manifests (client and hub format).
for f in "$registry"/blobs/sha256/*; do
	[ -f "$f" ] || continue
	case $(head -c 1 "$f") in
	'{') seed manifest <"$f" ;;
	esac
done
# Hand-written ones: a client manifest with every section, and variants
# that try to leave the bundle or use a package runner.
client='{"schema_version":"1","package":{"id":"acme/x","version":"1.0.0-rc.1+b","git_sha":"'$sha'"},"bundle":{"digest":"sha256:'$hex64'","size_bytes":10},"transport":{"type":"stdio"},"entrypoints":[{"os":"linux","arch":"amd64","command":"bin/server","args":["--x"],"env":{"A":"1"},"workdir":"a/./b//c/.."},{"os":"linux","arch":"arm64","command":"node","args":["srv/main.js"]}],"permissions_requested":{"network":["api.example.com:443"],"environment":["API_KEY"],"filesystem":["data:ro","out/:rw"],"subprocess":false},"limits_recommended":{"max_cpu":500,"max_memory":"256M","max_pids":32,"max_fds":128,"timeout_seconds":300}}'
printf '%s' "$client" | seed manifest
printf '%s' "$client" | sed 's|"bin/server"|"../../bin/sh"|' | seed manifest
printf '%s' "$client" | sed 's|"bin/server"|"/bin/sh"|' | seed manifest
printf '%s' "$client" | sed 's|"node"|"npx"|' | seed manifest
printf '%s' "$client" | sed 's|"a/./b//c/.."|"../.."|' | seed manifest
printf '%s' "$client" | sed 's|"size_bytes":10|"size_bytes":-1|' | seed manifest

# spec: a spec as mcp-policy writes it, and broken ones.
spec='{"kind":"mcp.spec/v1","ref":"test/server@1.0.0","package":"test/server","version":"1.0.0","manifest_digest":"sha256:'$hex64'","bundle_digest":"sha256:'$hex64'","tree":"/srv/tree","filesystem":[{"path":"/srv/work","access":"rw"}],"network":{"mode":"allowlist","allow":["api.example.com:443"]},"subprocess":true,"process":{"argv":["/usr/bin/python3","/srv/tree/server.py"],"cwd":"/srv/tree","env":{"PATH":"/usr/bin:/bin","LANG":"C.UTF-8"},"pass_env":["HTTP_PROXY"],"secrets":[{"name":"API_KEY","as":"env"}],"umask":"0077"},"isolation":{"require":["seccomp","landlock"],"disable":[]},"limits":{"cpu_millicores":1000,"memory_bytes":268435456,"pids":64,"fds":256,"timeout_ms":30000}}'
printf '%s' "$spec" | seed spec
printf '%s' "$spec" | sed 's/"pids":64/"pids":0/' | seed spec
printf '%s' "$spec" | sed 's|"argv":\["/usr/bin/python3"|"argv":["python3"|' | seed spec
printf '%s' "$spec" | sed 's/"umask":"0077"/"umask":"7777"/' | seed spec
printf '%s' "$spec" | sed 's/"LANG"/"1LANG"/' | seed spec
printf '%s' "$spec" | sed 's/"mode":"allowlist"/"mode":"host"/' | seed spec

# audit: lines written by mcp-audit itself, and one tampered.
if [ -x "$audit" ]; then
	mkdir -p "$work/home"
	cat >"$work/records" <<'R'
{"kind":"mcp.exec/v1","package":"examples/echo-c","exit":0,"n":[1,-2,3.5,true,null],"s":"caf\u00e9 \u2028 \"q\" \\ \t"}
{"kind":"mcp.denied/v1","reasons":[{"rule":"status","message":"revoked"}],"deep":{"a":{"b":{"c":[]}}}}
{"kind":"mcp.verified/v1","big":9007199254740991,"neg":-9007199254740991,"unicode":"\ud83d\ude00"}
R
	if HOME=$work/home XDG_STATE_HOME=$work/home XDG_CONFIG_HOME=$work/home \
		MCP_AUDIT_LOG='' "$audit" append --log "$work/audit.log" \
		"$work/records" >/dev/null 2>"$work/audit.err"; then
		while IFS= read -r l; do
			printf '%s\n' "$l" | seed audit
		done <"$work/audit.log"
		head -n 1 "$work/audit.log" | sed 's/"exit":0/"exit":1/' | seed audit
	else
		echo "$prog: warning: mcp-audit append failed; audit seeds are hand-written only" >&2
		cat "$work/audit.err" >&2
	fi
fi
printf '{"host":"h","prev":"sha256:%s","record":{"kind":"k"},"seq":1,"time":"t","user":"u","hash":"sha256:%s"}\n' "$hex64" "$hex64" | seed audit
printf '{"seq":1}\n' | seed audit

# extract: the example bundles, then archives that try to get out.
for f in "$registry"/blobs/sha256/*; do
	[ -f "$f" ] || continue
	case $(od -An -tx1 -N2 "$f" | tr -d ' ') in
	1f8b) seed extract <"$f" ;;
	esac
done
mkdir -p "$work/t/dir/sub"
printf 'hello\n' >"$work/t/dir/file"
printf '#!/bin/sh\n' >"$work/t/dir/sub/run"
chmod 4777 "$work/t/dir/sub/run"
ln -s ../file "$work/t/dir/sub/up"
ln -s ../../../outside "$work/t/dir/escape"
ln "$work/t/dir/file" "$work/t/dir/hard"
(cd "$work/t" && tar -cf - dir) | gzip -n | seed extract
(cd "$work/t" && tar -cf - dir/escape dir/file) | gzip -n | seed extract
(cd "$work/t" && tar -cf - dir/file dir/hard dir/sub) | gzip -n | seed extract
printf 'not a tar archive\n' | gzip -n | seed extract
: | gzip -n | seed extract
if [ -n "$python" ]; then
	"$python" - "$work/py" <<'PY'
import io, sys, tarfile
base = sys.argv[1]
def add(tf, name, kind=tarfile.REGTYPE, data=b"x", link="", mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.linkname = kind, mode, link
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
cases = {
    "dotdot": [("../outside/x",)],
    "absolute": [("/tmp/mcp-fuzz-abs",)],
    "link-then-write": [("l", tarfile.SYMTYPE, b"", ".."), ("l/outside/x",)],
    "hardlink-out": [("h", tarfile.LNKTYPE, b"", "../outside/x")],
    "dup": [("a",), ("a",), ("a/b",)],
    "dir-over-file": [("d", tarfile.DIRTYPE, b""), ("d", tarfile.REGTYPE)],
    "fifo": [("f", tarfile.FIFOTYPE, b"")],
    "chardev": [("c", tarfile.CHRTYPE, b"")],
    "deep": [("/".join(["d"] * 70) + "/f",)],
    "long": [("n" * 300,)],
    "dot": [(".",), ("./a/./b",)],
    "backslash": [("a\\..\\..\\x",)],
    "ctrl": [("a\x1b[2Jb",)],
    "link-chain": [("dir", tarfile.DIRTYPE, b""),
                   ("dir/up", tarfile.SYMTYPE, b"", ".."),
                   ("dir/x", tarfile.SYMTYPE, b"", "up/../..")],
    "link-loop": [("a", tarfile.SYMTYPE, b"", "b"),
                  ("b", tarfile.SYMTYPE, b"", "a")],
    "links-in": [("f",), ("h", tarfile.LNKTYPE, b"", "f"),
                 ("dir", tarfile.DIRTYPE, b""),
                 ("dir/l", tarfile.SYMTYPE, b"", "../f")],
    "write-through-dot": [("dir", tarfile.DIRTYPE, b""),
                          ("dir/l", tarfile.SYMTYPE, b"", "."),
                          ("dir/l/f",)],
    "setuid": [("s", tarfile.REGTYPE, b"#!/bin/sh\n", "", 0o6777)],
}
for name, ents in cases.items():
    for fmt in (tarfile.USTAR_FORMAT, tarfile.PAX_FORMAT):
        path = "%s/%s-%d.tar.gz" % (base, name, fmt)
        import os
        os.makedirs(base, exist_ok=True)
        with tarfile.open(path, "w:gz", format=fmt) as tf:
            for e in ents:
                try:
                    add(tf, *e)
                except ValueError:
                    pass
PY
	for f in "$work"/py/*.tar.gz; do
		[ -f "$f" ] && seed extract <"$f"
	done
fi
for t in ref doc yaml manifest spec audit extract; do
	k=0
	for f in "$out/$t"/seed-*; do
		[ -f "$f" ] && k=$((k + 1))
	done
	printf '%s: %s seeds\n' "$t" "$k"
done

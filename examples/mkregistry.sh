#!/bin/sh
# mkregistry.sh: build the example directory registry from the example
# servers, at build time.
#
# Usage: mkregistry.sh --srcdir DIR --echo-c FILE --out DIR [--arch ARCH]
#                      [--tar PROG] [--gzip PROG]
#
# Writes the directory-registry layout of mcp-documents(5) and FORMATS.md:
#   OUT/packages/examples/NAME.json   the package index (versions, digests)
#   OUT/blobs/sha256/HEX              manifests and bundles, named by digest
# Every digest and size is computed here from the bytes just written; none
# is ever typed by hand.  Bundles are reproducible: entries sorted by name,
# mtime 0, owner and group 0/0 numeric, modes normalised (0755 directories
# and executables, 0644 other files), ustar format, then gzip -n (no name,
# no timestamp).  The same sources and the same echo-c binary give the same
# bytes, so the same digests.
#
# The registry is written to OUT.tmp and renamed over OUT at the end, so an
# interrupted build never leaves a half-written registry behind.
set -eu

prog=mkregistry.sh
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}
usage() {
	echo "Usage: $prog --srcdir DIR --echo-c FILE --out DIR [--arch ARCH] [--tar PROG] [--gzip PROG]"
}

srcdir='' echo_c='' out='' arch='' tar_prog=tar gzip_prog=gzip
while [ $# -gt 0 ]; do
	case $1 in
	--srcdir|--echo-c|--out|--arch|--tar|--gzip)
		[ $# -ge 2 ] || die "option $1 needs an argument"
		case $1 in
		--srcdir) srcdir=$2 ;;
		--echo-c) echo_c=$2 ;;
		--out) out=$2 ;;
		--arch) arch=$2 ;;
		--tar) tar_prog=$2 ;;
		--gzip) gzip_prog=$2 ;;
		esac
		shift 2 ;;
	--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ -n "$srcdir" ] && [ -n "$echo_c" ] && [ -n "$out" ] || { usage >&2; exit 2; }
[ -d "$srcdir/servers" ] || die "$srcdir/servers: not a directory"
[ -f "$echo_c" ] && [ -x "$echo_c" ] || die "$echo_c: not an executable file"

# The manifests name the machine's architecture the way FORMATS.md does.
if [ -z "$arch" ]; then
	case $(uname -m) in
	x86_64|amd64) arch=amd64 ;;
	aarch64|arm64) arch=arm64 ;;
	*) die "machine $(uname -m) is neither amd64 nor arm64; give --arch" ;;
	esac
fi
case $arch in amd64|arm64) ;; *) die "--arch $arch: not amd64 or arm64" ;; esac

# Reproducible archives need GNU tar's --sort/--mtime/--owner options.
"$tar_prog" --version 2>/dev/null | grep -q 'GNU tar' ||
	die "$tar_prog is not GNU tar (needed for reproducible bundles)"

# A fixed, private umask and locale: modes and sort order must not depend
# on the caller's.
umask 022
LC_ALL=C
export LC_ALL

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/packages/examples" "$tmp/blobs/sha256" "$tmp/work"
work=$tmp/work

# sha256 FILE: print the lowercase hex digest.
sha256() {
	set -- $(sha256sum <"$1")
	printf '%s\n' "$1"
}

# size FILE: print the size in bytes.
size() {
	set -- $(wc -c <"$1")
	printf '%s\n' "$1"
}

# add_blob FILE: store FILE under its digest; print "sha256:HEX".
add_blob() {
	_hex=$(sha256 "$1")
	cp "$1" "$tmp/blobs/sha256/$_hex"
	chmod 0644 "$tmp/blobs/sha256/$_hex"
	printf 'sha256:%s\n' "$_hex"
}

# A fixed, fake but well-formed git commit per package version: the example
# packages are built here, not cut from a repository.
git_sha() {
	set -- $(printf 'examples/%s@%s' "$1" "$2" | sha1sum)
	printf '%s\n' "$1"
}

# pack STAGEDIR BUNDLE: reproducible tar.gz of STAGEDIR's contents.
pack() {
	# Normalise modes: executables keep an x bit for everyone, nothing is
	# group- or world-writable, nothing is set-id.
	find "$1" -type d -exec chmod 0755 {} +
	find "$1" -type f ! -perm -u+x -exec chmod 0644 {} +
	find "$1" -type f -perm -u+x -exec chmod 0755 {} +
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$work/list"
	"$tar_prog" -C "$1" --format=ustar --sort=name --mtime=@0 \
		--owner=0 --group=0 --numeric-owner --no-recursion \
		-cf - -T "$work/list" | "$gzip_prog" -n -9 >"$2"
}

# stage NAME VERSION: a fresh staging directory with the VERSION file.  The
# file makes every version's bundle distinct, so a bundle digest names
# exactly one version.
stage() {
	_d=$work/stage-$1-$2
	rm -rf "$_d"
	mkdir -p "$_d"
	printf '%s\n' "$2" >"$_d/VERSION"
	printf '%s\n' "$_d"
}

# Package index entries accumulate in $work/NAME.versions, one per line.
# add_version NAME VERSION STATUS CERT MANIFEST_DIGEST BUNDLE_DIGEST BUNDLE_SIZE
add_version() {
	[ -f "$work/$1.versions" ] && printf ',\n' >>"$work/$1.versions"
	printf '    "%s": {"version": "%s", "git_sha": "%s", "status": "%s", "certification_level": %s, "manifest_digest": "%s", "bundle_digest": "%s", "bundle_size": %s}' \
		"$2" "$2" "$(git_sha "$1" "$2")" "$3" "$4" "$5" "$6" "$7" \
		>>"$work/$1.versions"
}

# write_index NAME ORIGIN
write_index() {
	{
		printf '{\n  "package": "examples/%s",\n  "origin": "%s",\n  "versions": {\n' "$1" "$2"
		cat "$work/$1.versions"
		printf '\n  }\n}\n'
	} >"$tmp/packages/examples/$1.json"
}

# client_manifest NAME VERSION BUNDLE_DIGEST BUNDLE_SIZE ENTRYPOINTS_JSON DESCRIPTION
client_manifest() {
	cat <<EOF
{
  "schema_version": "1",
  "package": {
    "id": "examples/$1",
    "version": "$2",
    "git_sha": "$(git_sha "$1" "$2")",
    "description": "$6",
    "license": "MIT"
  },
  "bundle": {"digest": "$3", "size_bytes": $4},
  "transport": {"type": "stdio"},
  "entrypoints": [
$5
  ],
  "permissions_requested": {
    "network": [],
    "environment": [],
    "subprocess": false,
    "filesystem": []
  },
  "limits_recommended": {
    "max_cpu": 500,
    "max_memory": "256M",
    "max_pids": 16,
    "max_fds": 64,
    "timeout": "1h"
  }
}
EOF
}

# hub_manifest NAME VERSION DESCRIPTION
hub_manifest() {
	cat <<EOF
{
  "schema_version": "1",
  "package": {
    "id": "examples/$1",
    "version": "$2",
    "git_sha": "$(git_sha "$1" "$2")",
    "description": "$3",
    "license": "MIT",
    "keywords": ["example", "echo"]
  },
  "runtime": {"type": "node", "platform": {"os": "linux", "arch": "$arch"}},
  "entrypoint": {
    "command": ["node", "server.js"],
    "args": ["--server-version", "$2"],
    "env": {},
    "workdir": "."
  },
  "permissions": {
    "network": {"outbound": [], "inbound": false},
    "filesystem": {"read": [], "write": [], "execute": []},
    "env_vars": [],
    "subprocess": false
  },
  "resources": {
    "cpu_millicores": 500,
    "memory_mb": 256,
    "timeout_seconds": 3600,
    "max_pids": 32,
    "max_fds": 64
  },
  "certification": {"level": 0}
}
EOF
}

# publish NAME VERSION STATUS CERT STAGEDIR FORMAT ENTRYPOINTS_JSON DESCRIPTION
publish() {
	pack "$5" "$work/bundle.tar.gz"
	_bundle=$(add_blob "$work/bundle.tar.gz")
	_bsize=$(size "$work/bundle.tar.gz")
	if [ "$6" = hub ]; then
		hub_manifest "$1" "$2" "$8" >"$work/manifest.json"
	else
		client_manifest "$1" "$2" "$_bundle" "$_bsize" "$7" "$8" \
			>"$work/manifest.json"
	fi
	_manifest=$(add_blob "$work/manifest.json")
	add_version "$1" "$2" "$3" "$4" "$_manifest" "$_bundle" "$_bsize"
}

# entrypoint OS ARCH COMMAND ARG...: one client-format entrypoint object.
entrypoint() {
	_os=$1 _arch=$2 _cmd=$3
	shift 3
	_args=
	for _a; do
		_args="$_args${_args:+, }\"$_a\""
	done
	printf '    {"os": "%s", "arch": "%s", "command": "%s", "args": [%s]}' \
		"$_os" "$_arch" "$_cmd" "$_args"
}

servers=$srcdir/servers

# examples/echo-c: a native binary, so one entrypoint, this machine's arch.
v=1.0.0
d=$(stage echo-c $v)
mkdir -p "$d/bin"
cp "$echo_c" "$d/bin/echo-c"
chmod 0755 "$d/bin/echo-c"
publish echo-c $v published 2 "$d" client \
	"$(entrypoint linux "$arch" bin/echo-c --server-version $v)" \
	"Example MCP server in C: one tool, echo."
write_index echo-c official

# examples/echo-python: interpreted, so both architectures.  Three versions:
# @latest is 1.1.0; 1.2.0-rc.1 is a pre-release that latest never picks.
for v in 1.0.0 1.1.0 1.2.0-rc.1; do
	case $v in *-*) cert=0 ;; *) cert=1 ;; esac
	d=$(stage echo-python $v)
	cp "$servers/echo-python/server.py" "$d/server.py"
	chmod 0644 "$d/server.py"
	publish echo-python $v published $cert "$d" client \
		"$(entrypoint linux amd64 python3 server.py --server-version $v),
$(entrypoint linux arm64 python3 server.py --server-version $v)" \
		"Example MCP server in Python: one tool, echo."
done
write_index echo-python official

# examples/echo-node: the hub manifest format.
v=1.0.0
d=$(stage echo-node $v)
cp "$servers/echo-node/server.js" "$d/server.js"
chmod 0644 "$d/server.js"
publish echo-node $v published 0 "$d" hub "" \
	"Example MCP server in JavaScript: one tool, echo."
write_index echo-node community

rm -rf "$work"
rm -rf "$out"
mv "$tmp" "$out"

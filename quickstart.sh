#!/bin/sh
# quickstart.sh: the README's first command.  On a fresh Debian 12 machine,
# as root: install what mcp-tools needs, build it in ./build, and run the
# main job (an example MCP server fetched from the bundled registry,
# verified, sandboxed, spoken to, and audited).
#
#   ./quickstart.sh          install, build, run the demo
#   ./quickstart.sh --deps   only install the Debian packages and the npm
#                            packages of the real-client tests
set -eu

# Everything the build, the tests and the demo use, by Debian package name.
DEPS="build-essential autoconf automake pkg-config ca-certificates
libcurl4-openssl-dev libssl-dev openssl libarchive-dev libyaml-dev
libjansson-dev libseccomp-dev check
mandoc jq python3 nodejs tar gzip util-linux procps passwd iproute2
libarchive-tools valgrind clang libclang-rt-dev runc crun cppcheck clang-tidy"

cd "$(dirname "$0")"

install_deps() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart.sh: run as root (apt-get install is needed)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $DEPS >/dev/null
	# Debian's nodejs comes without npm; NodeSource's has it built in
	# (and conflicts with Debian's npm).
	command -v npm >/dev/null 2>&1 ||
		apt-get install -y -qq --no-install-recommends npm >/dev/null
	install_npm
}

# The real-client tests (tests/e2e/t95*) use the official MCP TypeScript
# SDK and two published servers, at the exact versions and integrity
# hashes of tests/npm/*/package-lock.json, installed from the npm registry
# into tests/npm/*/node_modules (never at test time: tests stay on
# loopback).
install_npm() {
	for d in tests/npm/client tests/npm/memory tests/npm/filesystem; do
		(cd "$d" && npm ci --omit=dev --no-audit --no-fund \
			--loglevel=error >/dev/null) || {
			echo "quickstart.sh: npm ci in $d failed" >&2
			exit 1
		}
	done
}

case "${1:-}" in
--deps)
	install_deps
	exit 0
	;;
"") ;;
*)
	echo "usage: ./quickstart.sh [--deps]" >&2
	exit 2
	;;
esac

install_deps
./autogen.sh
mkdir -p build
cd build
../configure --enable-werror >/dev/null
make -j"$(nproc)" >/dev/null
make demo

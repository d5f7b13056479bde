#!/bin/sh
# regress.sh: replay the kept crash inputs of fuzz/regress/NAME/ through
# fuzz/fuzz_NAME once each (make check in a --enable-fuzzing build), TAP.
# Every target also runs once on an empty input, so a target that cannot
# start fails here rather than in the first fuzzing campaign.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

names="ref doc yaml manifest spec audit extract"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcp-regress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty"

n=0
echo "1..$(echo "$names" | wc -w)"
for name in $names; do
	n=$((n + 1))
	set -- "$tmp/empty"
	for f in "$top_srcdir/fuzz/regress/$name"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if "$top_builddir/fuzz/fuzz_$name" "$@" >"$tmp/log" 2>&1; then
		echo "ok $n - fuzz_$name: $# inputs"
	else
		echo "not ok $n - fuzz_$name: a regression input fails"
		sed 's/^/# /' "$tmp/log" | grep -E 'Running|ERROR|invariant|SUMMARY|#[0-9]' | head -n 30
	fi
done

#!/bin/sh
# Without openat2(2) (simulated with seccomp), mcp-verify says so, extracts
# with an O_NOFOLLOW walk, and still refuses every escape.  And two
# mcp-verify processes extracting the same bundle at once both succeed
# with one tree.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

NO=$MCP_TEST_BIN/nosys
$MKTAR "$T/b.tgz" x:bin/server:hi d:data f:data/x:1 l:link:data/x l:bin/in:server
if ! "$NO" openat2 true 2>"$T/err"; then
	skip_strict "seccomp unavailable: $(cat "$T/err")"
else
	hub_manifest "$T/h.json"
	expect_ok 'a valid bundle without openat2' "$NO" openat2 "$MCP_VERIFY" \
		--cache-dir "$CACHE" --manifest "$T/h.json" --bundle "$T/b.tgz" \
		--bundle-digest "$(sha_of "$T/b.tgz")"
	check 'says openat2 is missing' grep -q \
		'warning: openat2(2) is not available: extracting with an O_NOFOLLOW walk' "$T/err"
	tree=$(jq -r .tree "$T/out")
	check 'the tree is complete' test "$(cat "$tree/data/x")" = 1 -a -L "$tree/link"
	hub_manifest "$T/h2.json" '["bin/in"]'
	expect_fail 4 'manifest: entrypoint.command\[0\]: "bin/in" leaves the bundle through a symlink' \
		'without openat2 no symlink is followed to the command' "$NO" openat2 "$MCP_VERIFY" \
		--cache-dir "$CACHE" --manifest "$T/h2.json" --bundle "$T/b.tgz" \
		--bundle-digest "$(sha_of "$T/b.tgz")"
	for spec in "f:$ESC/x:1" "l:s:$ESC" 'l:s:. f:s/x:1' \
		"h:h:$ESC/x" 'd:d l:d:.'; do
		# shellcheck disable=SC2086
		$MKTAR "$T/evil.tgz" x:bin/server:hi $spec
		expect_fail 4 '^mcp-verify: bundle: ' "refused without openat2: $spec" \
			"$NO" openat2 "$MCP_VERIFY" --cache-dir "$CACHE" --manifest "$T/h.json" \
			--bundle "$T/evil.tgz" --bundle-digest "$(sha_of "$T/evil.tgz")"
		clean "without openat2: $spec" "$T/evil.tgz"
	done
fi

# Concurrent extraction of the same bundle: one tree, both succeed.
$MKTAR "$T/c.tgz" x:bin/server:hi n:3000
i=0
while [ $i -lt 4 ]; do
	verify_bundle "$T/c.tgz" >"$T/c.out.$i" 2>"$T/c.err.$i" &
	i=$((i + 1))
done
wait
fails=0
i=0
while [ $i -lt 4 ]; do
	jq -e .tree "$T/c.out.$i" >/dev/null 2>&1 || fails=$((fails + 1))
	i=$((i + 1))
done
check 'four concurrent runs all succeed' test $fails -eq 0
check 'they agree on the tree' test "$(cat "$T"/c.out.* | jq -r .tree | sort -u | wc -l)" -eq 1
check 'no temporary directory is left' test -z "$(find "$CACHE" -name '.tmp-*')"
expect_ok 'the tree is intact afterwards' verify_bundle "$T/c.tgz" -v
check 'and is reused' grep -q reusing "$T/err"

done_testing

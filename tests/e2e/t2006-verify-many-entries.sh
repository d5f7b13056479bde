#!/bin/sh
# mcp-verify extracts a bundle of more than 100,000 entries (the limit is
# 200,000), and reuses the tree on a second run.  The scratch directory is
# put on tmpfs when there is one: this test is about entry handling, not
# about the speed of the disk under /tmp.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

# 100,000 files of 2 bytes in 400 directories, plus bin/ and bin/server.
$MKTAR "$T/many.tgz" x:bin/server:hi n:100000
expect_ok '100,000 files extracted' verify_bundle "$T/many.tgz"
tree=$(jq -r .tree "$T/out")
check 'every file is there' test "$(find "$tree/n" -type f | wc -l)" -eq 100000
check 'a sample file has its contents' test "$(cat "$tree/n/0399/249")" = 99
check 'the tree is read-only' test -z "$(find "$tree" -perm /0222 ! -type l | head -1)"

expect_ok 'second run' verify_bundle "$T/many.tgz" -v
check 'second run reuses the tree' grep -q 'reusing' "$T/err"

expect_fail 4 'bundle: more than 50000 entries' 'the same bundle with --max-entries 50000' \
	"$MCP_VERIFY" --cache-dir "$T/cache2" --manifest "$T/hub.json" \
	--bundle "$T/many.tgz" --bundle-digest "$(sha_of "$T/many.tgz")" \
	--max-entries 50000
check 'nothing left in the other cache' \
	test -z "$(find "$T/cache2" -mindepth 3 | head -1)"

done_testing

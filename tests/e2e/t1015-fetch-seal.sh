#!/bin/sh
# t1015: a cached bundle whose seal holds (mcp-verify keeps it in the index
# of the bundle's tree: the file's lstat(2) when it was last hashed) is not
# hashed again by mcp-fetch; a change to it through the file system, even
# one that keeps its size and mtime, breaks the seal, and the blob is
# hashed, found corrupt and fetched again; another file with the same
# bytes is hashed; --rehash and MCP_VERIFY_REHASH hash it whatever the
# seal says.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.1.0
m=$(idx acme/hello '.versions["1.1.0"].manifest_digest')
b=$(idx acme/hello '.versions["1.1.0"].bundle_digest')
bp=$(blob_path "$b")
V="$MCP_VERIFY --cache-dir $CACHE"

expect_ok 'first fetch' mf acme/hello@1.1.0
cp "$T/out" "$T/f.json"
size=$(stat -c %s "$bp")
expect_ok 'verify extracts' $V "$T/f.json"
expect_ok 'a fetch before the seal is 2 s old' mf -v acme/hello@1.1.0
check 'the bundle is hashed' grep -q "^mcp-fetch: bundle $b: cache hit, re-hashed: $bp\$" "$T/err"

# A verify run more than 2 s after the blob was written seals it.
sleep 2.1
expect_ok 'verify seals the bundle' $V -v "$T/f.json"
check 'verify hashed it' grep -q "bundle $b verified ($size bytes)\$" "$T/err"
expect_ok 'a fetch on the seal' mf -v acme/hello@1.1.0
jq_check '.cache_hit == true' 'a fetch on the seal: a cache hit'
check 'the bundle is not hashed: its seal holds' grep -q "^mcp-fetch: bundle $b: cache hit, its seal holds: $bp\$" "$T/err"
check 'the manifest (no tree, no seal) is hashed' grep -q "^mcp-fetch: manifest $m: cache hit, re-hashed: " "$T/err"
jq_check ".bundle.digest == \"$b\" and .bundle.size_bytes == $size" 'the document names the bundle and its size'
expect_ok 'verify after it' $V -v "$T/f.json"
check "verify's seal survives the fetch" grep -q "bundle $b verified ($size bytes, its seal holds)" "$T/err"
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot work under ptrace (the sanitizer build).
	expect_ok 'under strace' env \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -e trace=openat,read,close -o "$T/trace" \
		"$MCP_FETCH" --registry "$REG" --cache-dir "$CACHE" acme/hello@1.1.0
	# The reads of the bundle's descriptor while it is open.
	awk -v p="\"$bp\"," '
		index($0, "openat(") == 1 && index($0, p) { fd = $NF; opened++; next }
		fd != "" && index($0, "read(" fd ",") == 1 { reads++ }
		fd != "" && index($0, "close(" fd ")") == 1 { fd = "" }
		END { print opened + 0, reads + 0 }' "$T/trace" >"$T/reads"
	check 'the bundle is opened once and never read' test "$(cat "$T/reads")" = "1 0"
else
	skip 'no strace'
fi

expect_ok '--rehash' mf -v --rehash acme/hello@1.1.0
check '--rehash hashes the bundle' grep -q "^mcp-fetch: bundle $b: cache hit, re-hashed: " "$T/err"
expect_ok 'MCP_VERIFY_REHASH=1' env MCP_VERIFY_REHASH=1 "$MCP_FETCH" -v \
	--registry "$REG" --cache-dir "$CACHE" acme/hello@1.1.0
check 'MCP_VERIFY_REHASH=1 hashes the bundle' grep -q "^mcp-fetch: bundle $b: cache hit, re-hashed: " "$T/err"
expect_ok 'MCP_VERIFY_REHASH=0' env MCP_VERIFY_REHASH=0 "$MCP_FETCH" -v \
	--registry "$REG" --cache-dir "$CACHE" acme/hello@1.1.0
check 'MCP_VERIFY_REHASH=0 does not' grep -q "^mcp-fetch: bundle $b: cache hit, its seal holds: " "$T/err"
expect_fail 2 'option --rehash given twice' '--rehash twice' mf --rehash --rehash acme/hello@1.1.0

# Another file with the same bytes renamed over the blob: a new inode.
cp -p "$bp" "$T/copy"
mv -f "$T/copy" "$bp"
expect_ok 'a copy renamed over the blob' mf -v acme/hello@1.1.0
check 'a copy is hashed' grep -q "^mcp-fetch: bundle $b: cache hit, re-hashed: " "$T/err"
jq_check '.cache_hit == true' 'a copy with the right bytes is a cache hit'

# Seal it again, then change one byte in place, size and mtime kept.
sleep 2.1
expect_ok 'verify seals the copy' $V "$T/f.json"
expect_ok 'sealed again' mf -v acme/hello@1.1.0
check 'sealed again: its seal holds' grep -q "^mcp-fetch: bundle $b: cache hit, its seal holds: " "$T/err"
mt=$(stat -c %y "$bp")
chmod u+w "$bp"
"$PY" -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(20); c = f.read(1); f.seek(20); f.write(bytes([c[0] ^ 1]))' "$bp"
chmod a-w "$bp"
touch -d "$mt" "$bp"
check 'size and mtime are as sealed' test "$(stat -c '%s %y' "$bp")" = "$size $mt"
expect_ok 'a bundle changed in place is found' mf acme/hello@1.1.0
check 'and named in a warning' grep -q "^mcp-fetch: warning: $bp: cached bundle was corrupt (its content hashes to sha256:" "$T/err"
jq_check '.cache_hit == false' 'a corrupt bundle is fetched again'
check 'the blob is repaired' test "$(sha256sum <"$bp" | cut -d' ' -f1)" = "${b#sha256:}"
expect_ok 'verify after the repair' $V -v "$T/f.json"
check 'verify hashes the new file' grep -q "bundle $b verified ($size bytes)\$" "$T/err"

done_testing

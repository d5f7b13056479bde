#!/bin/sh
# mcp-verify compares every artifact with its expected digest and size
# before using a byte of it (exit 4), and a client manifest must name the
# bundle it is paired with.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

V="$MCP_VERIFY --cache-dir $CACHE"
$MKTAR "$T/b.tgz" x:bin/server:hi
$MKTAR "$T/other.tgz" x:bin/server:other
client_manifest "$T/m.json" "$T/b.tgz"
client_manifest "$T/m-other.json" "$T/other.tgz"
zero=sha256:0000000000000000000000000000000000000000000000000000000000000000

# Fetch documents whose digests or sizes do not match the files.
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" ".bundle.digest = \"$zero\""
expect_fail 4 "^mcp-verify: bundle: digest mismatch: expected $zero got $(sha_of "$T/b.tgz")\$" \
	'bundle digest mismatch (fetch document)' $V "$T/f.json"
clean 'bundle digest mismatch' "$T/b.tgz"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" ".manifest.digest = \"$zero\""
expect_fail 4 "^mcp-verify: manifest: digest mismatch: expected $zero got $(sha_of "$T/m.json")\$" \
	'manifest digest mismatch (fetch document)' $V "$T/f.json"
clean 'manifest digest mismatch' "$T/b.tgz"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.bundle.size_bytes += 1'
expect_fail 4 'bundle: size mismatch: expected [0-9]+ bytes, got [0-9]+' \
	'bundle size mismatch (fetch document)' $V "$T/f.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.manifest.size_bytes += 1'
expect_fail 4 'manifest: size mismatch' 'manifest size mismatch (fetch document)' \
	$V "$T/f.json"

# A fetch document pairing a manifest with another bundle.
fetch_doc "$T/f.json" "$T/m.json" "$T/other.tgz"
expect_fail 4 "manifest: bundle.digest: the manifest is for another bundle \\(expected $(sha_of "$T/b.tgz") got $(sha_of "$T/other.tgz")\\)" \
	'manifest paired with another bundle (fetch document)' $V "$T/f.json"
clean 'manifest paired with another bundle' "$T/other.tgz"

# The manifest must describe the package that was fetched.
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.package = "acme/other"'
expect_fail 4 'manifest: package.id "acme/hello" is not the fetched package "acme/other"' \
	'manifest for another package' $V "$T/f.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.version = "9.9.9"'
expect_fail 4 'manifest: package.version "1.0.0" is not the fetched version "9.9.9"' \
	'manifest for another version' $V "$T/f.json"

# Standalone: the client manifest binds its bundle by itself.
expect_fail 4 "^mcp-verify: bundle: digest mismatch: expected $(sha_of "$T/b.tgz") got $(sha_of "$T/other.tgz")\$" \
	'standalone: client manifest with another bundle' \
	$V --manifest "$T/m.json" --bundle "$T/other.tgz"
clean 'standalone with another bundle' "$T/other.tgz"
expect_fail 4 'manifest: bundle.digest: the manifest is for another bundle' \
	'standalone: --bundle-digest cannot override the manifest' \
	$V --manifest "$T/m.json" --bundle "$T/other.tgz" \
	--bundle-digest "$(sha_of "$T/other.tgz")"
expect_fail 4 "bundle: digest mismatch: expected $zero" \
	'standalone: --bundle-digest mismatch' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" --bundle-digest "$zero"
expect_fail 4 "manifest: digest mismatch: expected $zero got $(sha_of "$T/m.json")" \
	'standalone: --manifest-digest mismatch' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" --manifest-digest "$zero"
client_manifest "$T/m-size.json" "$T/b.tgz" bin/server '.bundle.size_bytes += 1'
expect_fail 4 'manifest: bundle.size_bytes: [0-9]+ is not the bundle.s size [0-9]+' \
	"standalone: manifest's bundle size wrong" \
	$V --manifest "$T/m-size.json" --bundle "$T/b.tgz"
hub_manifest "$T/h.json"
expect_fail 4 "bundle: digest mismatch: expected $(sha_of "$T/b.tgz") got $(sha_of "$T/other.tgz")" \
	'standalone: hub manifest with the wrong --bundle-digest' \
	$V --manifest "$T/h.json" --bundle "$T/other.tgz" --bundle-digest "$(sha_of "$T/b.tgz")"
mkfifo "$T/fifo"
expect_fail 4 "bundle: $T/fifo: not a regular file" 'a FIFO as the bundle (no hang)' \
	$V --manifest "$T/h.json" --bundle "$T/fifo" --bundle-digest "$(sha_of "$T/b.tgz")"
expect_fail 4 "manifest: $T/fifo: not a regular file" 'a FIFO as the manifest (no hang)' \
	$V --manifest "$T/fifo" --bundle "$T/b.tgz"
expect_fail 4 "bundle: $T: not a regular file" 'a directory as the bundle' \
	$V --manifest "$T/h.json" --bundle "$T" --bundle-digest "$(sha_of "$T/b.tgz")"
check 'no tree was made by any refusal' test ! -e "$TREES/$(hex_of "$T/b.tgz")"

# Controls: the same files, correctly paired, pass.
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz"
expect_ok 'fetch document with matching digests' $V "$T/f.json"
out_kind mcp.verified/v1 'one mcp.verified/v1 document'
expect_ok 'standalone with both digests pinned' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" \
	--manifest-digest "$(sha_of "$T/m.json")" --bundle-digest "$(sha_of "$T/b.tgz")"
jq_check ".manifest.digest == \"$(sha_of "$T/m.json")\" and .bundle.digest == \"$(sha_of "$T/b.tgz")\"" \
	'the document carries the digests'

done_testing

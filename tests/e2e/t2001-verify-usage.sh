#!/bin/sh
# mcp-verify's command line and input document: a bad one is a usage error
# (exit 2), reported on one line, with nothing on stdout.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

expect_ok '--help' "$MCP_VERIFY" --help
check '--help lists --manifest' grep -q -- '--manifest FILE' "$T/out"
expect_ok '--version' "$MCP_VERIFY" --version
check '--version names the tool' grep -q '^mcp-verify (mcp-tools) ' "$T/out"

$MKTAR "$T/b.tgz" x:bin/server:hi
client_manifest "$T/m.json" "$T/b.tgz"
V="$MCP_VERIFY --cache-dir $T/cache"

expect_fail 2 'unknown option --frobnicate' 'unknown option' \
	$V --frobnicate
expect_fail 2 'unknown option -x' 'unknown short option' $V -x
expect_fail 2 'option --cache-dir needs an argument' 'missing argument' \
	"$MCP_VERIFY" --cache-dir
expect_fail 2 'option --bundle given twice' 'repeated option' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" --bundle "$T/b.tgz"
expect_fail 2 'options --manifest and --bundle go together' '--manifest alone' \
	$V --manifest "$T/m.json"
expect_fail 2 'options --manifest and --bundle go together' '--bundle alone' \
	$V --bundle "$T/b.tgz"
expect_fail 2 'need --manifest and --bundle' '--bundle-digest without standalone mode' \
	$V --bundle-digest "$(sha_of "$T/b.tgz")" -
expect_fail 2 'cannot be combined with --manifest' 'fetch document and --manifest' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" "$T/m.json"
expect_fail 2 'option --bundle-digest: "sha256:ABC" is not sha256:' 'malformed --bundle-digest' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" --bundle-digest sha256:ABC
expect_fail 2 'option --manifest-digest: "md5:x" is not sha256:' 'malformed --manifest-digest' \
	$V --manifest "$T/m.json" --bundle "$T/b.tgz" --manifest-digest md5:x
expect_fail 2 'one fetch document at most' 'two fetch documents' $V a b
expect_fail 2 'options --quiet and --verbose conflict' '-q with -v' $V -q -v -
expect_fail 2 "manifest: $T/nope.json: No such file" 'missing --manifest file' \
	$V --manifest "$T/nope.json" --bundle "$T/b.tgz"
expect_fail 2 "$T/nope.json: No such file" 'missing fetch document' \
	$V "$T/nope.json"

# The input document.
echo '{"kind": "mcp.fetch/v1",' >"$T/bad.json"
expect_fail 2 '<stdin>:.*' 'invalid JSON on stdin' sh -c "$V - <'$T/bad.json'"
expect_fail 2 'bad.json:' 'invalid JSON in a file' $V "$T/bad.json"
echo '{"kind": "mcp.spec/v1"}' >"$T/spec.json"
expect_fail 2 'expected mcp.fetch/v1 document, got mcp.spec/v1' 'wrong document kind' \
	$V "$T/spec.json"
echo '{"kind": "mcp.fetch/v2"}' >"$T/v2.json"
expect_fail 2 'unsupported document version mcp.fetch/v2' 'future document version' \
	$V "$T/v2.json"
echo '[1, 2]' >"$T/arr.json"
expect_fail 2 'not an mcp document' 'not an object' $V "$T/arr.json"
printf '{"kind":"mcp.fetch/v1","kind":"mcp.fetch/v1"}' >"$T/dup.json"
expect_fail 2 'duplicate' 'duplicate keys in the document' $V "$T/dup.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" 'del(.bundle.digest)'
expect_fail 2 'fetch document: bundle.digest must be sha256:' 'fetch document without bundle digest' \
	$V "$T/f.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.manifest.size_bytes = -1'
expect_fail 2 'fetch document: manifest.size_bytes must be a positive integer' \
	'fetch document with a negative size' $V "$T/f.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" 'del(.manifest.path)'
expect_fail 2 'fetch document: manifest.path must be a non-empty string' \
	'fetch document without a manifest path' $V "$T/f.json"
fetch_doc "$T/f.json" "$T/m.json" "$T/b.tgz" '.package = 7'
expect_fail 2 'fetch document: "package" must be a string' \
	'fetch document with a non-string package' $V "$T/f.json"

# A hub manifest has no bundle digest: standalone mode needs one.
hub_manifest "$T/h.json"
expect_fail 2 'a hub-format manifest has no bundle digest: give --bundle-digest' \
	'hub manifest standalone without --bundle-digest' \
	$V --manifest "$T/h.json" --bundle "$T/b.tgz"
check 'nothing extracted' test ! -e "$T/cache/trees"

done_testing

#!/bin/sh
# An invalid manifest is a verification failure (exit 4) naming the JSON
# path; the parser is strict.  (Every rule is unit-tested in
# tests/unit/check_manifest.c; these are the end-to-end samples.)
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/verify-lib.sh"

V="$MCP_VERIFY --cache-dir $CACHE"
$MKTAR "$T/b.tgz" x:bin/server:hi
client_manifest "$T/good.json" "$T/b.tgz"

# bad DESC PATTERN FILTER: the good manifest changed by the jq FILTER.
bad() {
	jq -c "$3" "$T/good.json" >"$T/m.json"
	expect_fail 4 "$2" "$1" $V --manifest "$T/m.json" --bundle "$T/b.tgz" \
		--bundle-digest "$(sha_of "$T/b.tgz")"
}
# raw DESC PATTERN TEXT: a manifest of exactly TEXT.
raw() {
	printf '%s' "$3" >"$T/m.json"
	expect_fail 4 "$2" "$1" $V --manifest "$T/m.json" --bundle "$T/b.tgz" \
		--bundle-digest "$(sha_of "$T/b.tgz")"
}

expect_ok 'the unchanged manifest' $V --manifest "$T/good.json" --bundle "$T/b.tgz"

body=$(cat "$T/good.json")
raw 'duplicate key' '^mcp-verify: manifest:1:[0-9]+: duplicate object key' \
	"{\"schema_version\": \"1\", $(echo "$body" | cut -c2-)"
raw 'trailing garbage' '^mcp-verify: manifest:' "$body x"
raw 'two objects' '^mcp-verify: manifest:' "$body$body"
raw 'byte order mark' 'manifest: byte order mark \(BOM\) is not allowed' \
	"$(printf '\357\273\277')$body"
raw '\u0000 in a string' '^mcp-verify: manifest:' \
	"$(echo "$body" | sed 's/"acme\/hello"/"acme\/hel\\u0000lo"/')"
raw 'invalid UTF-8' '^mcp-verify: manifest:' \
	"$(echo "$body" | sed "s/\"1.0.0\"/\"1.0.0$(printf '\377')\"/")"
raw 'NaN' '^mcp-verify: manifest:' '{"schema_version": NaN}'
raw 'a comment' '^mcp-verify: manifest:' "/* c */ $body"
raw 'not an object' 'manifest: \(top level\): must be an object, not an array' '[1]'
raw 'empty file' '^mcp-verify: manifest:' ''

bad 'schema 2' 'manifest: schema_version: unsupported major version' '.schema_version = "2.0"'
bad 'bad arch' 'manifest: entrypoints\[1\]\.arch: must be amd64 or arm64' \
	'.entrypoints += [{os: "linux", arch: "x86", command: "x"}]'
bad 'bad package id' 'manifest: package\.id: must be ORG/NAME' '.package.id = "acme"'
bad 'fractional cpu' 'manifest: limits_recommended\.max_cpu: must be an integer, not a fractional number' \
	'.limits_recommended = {max_cpu: 1.5}'
bad 'negative pids' 'manifest: limits_recommended\.max_pids: must be greater than 0' \
	'.limits_recommended = {max_pids: -1}'
bad 'memory overflow' 'manifest: limits_recommended\.max_memory: must be a positive integer' \
	'.limits_recommended = {max_memory: "99999999999999999999G"}'
bad 'huge integer' '^mcp-verify: manifest' \
	'.limits_recommended = {max_fds: 1e400}'
bad 'subprocess as a string' 'manifest: permissions_requested\.subprocess: must be a boolean, not a string' \
	'.permissions_requested = {subprocess: "false"}'
bad 'filesystem escape' 'manifest: permissions_requested\.filesystem\[1\]: leaves the bundle' \
	'.permissions_requested = {filesystem: ["data", "../../etc"]}'
bad 'http without port' 'manifest: transport\.port: missing \(required for http\)' \
	'.transport = {type: "http"}'
bad 'missing bundle digest' 'manifest: bundle: missing' 'del(.bundle)'

# Over 10 MiB.
{
	printf '{"pad": "'
	head -c 10485760 /dev/zero | tr '\0' a
	printf '"}'
} >"$T/big.json"
expect_fail 4 'manifest: larger than 10485760 bytes' 'a manifest over 10 MiB' \
	$V --manifest "$T/big.json" --bundle "$T/b.tgz" --bundle-digest "$(sha_of "$T/b.tgz")"

done_testing

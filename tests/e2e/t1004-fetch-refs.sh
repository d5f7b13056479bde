#!/bin/sh
# t1004: malformed references are usage errors (exit 2), reported before
# the registry or the cache is touched: no cache directory appears.
. "$top_srcdir/tests/e2e/lib.sh"

reg=$T/no-such-registry
cache=$T/cache
z64=0000000000000000000000000000000000000000000000000000000000000000

# ref|message fragment
while IFS='|' read -r ref pat; do
	[ -n "$ref$pat" ] || continue
	[ "$ref" = EMPTY ] && ref=
	expect_fail 2 "mcp-fetch: invalid reference .*$pat" \
		"malformed \"$ref\" -> 2" \
		"$MCP_FETCH" --registry "$reg" --cache-dir "$cache" -- "$ref"
	check "no cache directory after \"$ref\"" test ! -e "$cache"
done <<EOT
EMPTY|empty
acme|missing "@"
acme/hello|missing "@"
acme@1.0.0|missing "/"
acme/hello/x@1.0.0|more than one "/"
acme/hello@1.0.0@2|more than one "@"
/hello@1.0.0|empty organisation
acme/@1.0.0|empty name
acme/hello@|empty ref
../hello@1.0.0|organisation must not be ".."
./hello@1.0.0|organisation must not be "."
acme/he%2fllo@1.0.0|percent-encoding
acme/hello@1.0|
acme/hello@01.0.0|
acme/hello@v1.0.0|
acme/hello@1.0.0-|
acme/hello@LATEST|
acme/hello@sha256:abc|digest must be sha256
acme/hello@sha256:$(echo $z64 | tr 0 A)|digest must be sha256
acme/hello@sha512:$z64|digest must be sha256
acme/hello@0123456789ABCDEF0123456789abcdef01234567|git commit must be 40 lowercase
acme/hel lo@1.0.0|contains a space
-acme/hello@1.0.0|must not start with "-"
_acme/hello@1.0.0|must start with a letter or digit
acme/hello@１.0.0|non-ASCII
acme/hello@1.0.0​|non-ASCII
EOT

# Control characters cannot sit in a here-document line comfortably.
expect_fail 2 'invalid reference .*control character' "control character -> 2" \
	"$MCP_FETCH" --registry "$reg" --cache-dir "$cache" "$(printf 'acme/hello@1.0.0\033[2J')"
check "no escape byte reaches stderr" test "$(tr -cd '\033' <"$T/err" | wc -c)" -eq 0
check "no cache directory after the control character" test ! -e "$cache"
long=$(printf 'a%.0s' $(seq 1 65))
expect_fail 2 'longer than 64 characters' "65-character name -> 2" \
	"$MCP_FETCH" --registry "$reg" --cache-dir "$cache" "acme/$long@1.0.0"

done_testing

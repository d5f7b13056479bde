#!/bin/sh
# t1005: the command line: --help and --version, option errors (exit 2),
# and where the registry and the cache directory come from (flag, then
# environment, then configuration file).
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fetch-lib.sh"

mkreg acme/hello 1.0.0
mkdir -p "$T/reg2"
cp -R "$REG/." "$T/reg2/"

expect_ok "--help exits 0" "$MCP_FETCH" --help
check "--help on stdout" grep -q '^Usage: mcp-fetch ' "$T/out"
check "--help lists --offline" grep -q -- '--offline' "$T/out"
check "--help prints nothing on stderr" test ! -s "$T/err"
expect_ok "--version exits 0" "$MCP_FETCH" --version
check "--version on stdout" grep -Eq '^mcp-fetch \(mcp-tools\) [0-9]' "$T/out"
expect_ok "--help wins over a bad reference" "$MCP_FETCH" --help 'bad ref'

expect_fail 2 'option --registry given twice' "repeated --registry -> 2" \
	"$MCP_FETCH" --registry "$REG" --registry "$REG" acme/hello@1.0.0
expect_fail 2 'option --cache-dir given twice' "repeated --cache-dir -> 2" \
	mf --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'option --offline given twice' "repeated --offline -> 2" \
	mf --offline --offline acme/hello@1.0.0
expect_fail 2 'unknown option --frobnicate' "unknown long option -> 2" \
	mf --frobnicate acme/hello@1.0.0
expect_fail 2 'unknown option -x' "unknown short option -> 2" \
	mf -x acme/hello@1.0.0
expect_fail 2 'option --registry needs an argument' "missing option argument -> 2" \
	"$MCP_FETCH" --cache-dir "$CACHE" --registry
expect_fail 2 'unexpected argument "--registry" after the reference' \
	"options after the reference are operands -> 2" \
	"$MCP_FETCH" --cache-dir "$CACHE" acme/hello@1.0.0 --registry "$REG"
expect_fail 2 'missing reference ORG/NAME@REF' "missing REF -> 2" mf
expect_fail 2 'unexpected argument "acme/b@1.0.0"' "two references -> 2" \
	mf acme/hello@1.0.0 acme/b@1.0.0
expect_fail 2 'options --offline and --refresh conflict' "--offline --refresh -> 2" \
	mf --offline --refresh acme/hello@1.0.0
expect_fail 2 'options --quiet and --verbose conflict' "-q -v -> 2" \
	mf -q -v acme/hello@1.0.0
expect_fail 2 'no registry: give --registry URL\|DIR, set MCP_REGISTRY, or set registry.url' \
	"no registry anywhere -> 2" "$MCP_FETCH" --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'unsupported URL scheme' "ftp registry -> 2" \
	"$MCP_FETCH" --registry ftp://example.org/x --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'a file: URL must be file:///ABSOLUTE/PATH' "file URL with a host -> 2" \
	"$MCP_FETCH" --registry file://example.org/x --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'registry: empty value' "empty registry -> 2" \
	"$MCP_FETCH" --registry '' --cache-dir "$CACHE" acme/hello@1.0.0
expect_fail 2 'option --cache-dir: empty value' "empty cache directory -> 2" \
	"$MCP_FETCH" --registry "$REG" --cache-dir '' acme/hello@1.0.0
expect_fail 5 'registry .*not a directory' "registry that is a file -> 5" \
	"$MCP_FETCH" --registry "$T/reg2/packages/acme/hello.json" --cache-dir "$CACHE" acme/hello@1.0.0

# Precedence: flag > MCP_REGISTRY > registry.url.
mkdir -p "$XDG_CONFIG_HOME/mcp"
printf 'registry:\n  url: %s\ncache:\n  dir: %s\n' "$T/reg2" "$T/cfgcache" \
	>"$XDG_CONFIG_HOME/mcp/config.yaml"
expect_ok "registry and cache from the user config" "$MCP_FETCH" acme/hello@1.0.0
jq_check ".registry == \"file://$T/reg2\" and (.bundle.path | startswith(\"$T/cfgcache/\"))" \
	"config registry.url and cache.dir used"
MCP_REGISTRY=$REG MCP_CACHE_DIR=$T/envcache run "$MCP_FETCH" acme/hello@1.0.0
check "env run exits 0" test "$rc" -eq 0
jq_check ".registry == \"file://$REG\" and (.bundle.path | startswith(\"$T/envcache/\"))" \
	"MCP_REGISTRY and MCP_CACHE_DIR beat the config"
MCP_REGISTRY=$REG run "$MCP_FETCH" --registry "$T/reg2" --cache-dir "$CACHE" acme/hello@1.0.0
jq_check ".registry == \"file://$T/reg2\" and (.bundle.path | startswith(\"$CACHE/\"))" \
	"flags beat the environment"
printf 'registry:\n  url: %s\n' "file://$REG" >"$T/extra.yaml"
expect_ok "--config FILE is read last" "$MCP_FETCH" --config "$T/extra.yaml" acme/hello@1.0.0
jq_check ".registry == \"file://$REG\"" "--config registry.url wins over the user file"
expect_fail 2 'nope\.yaml' "missing --config file -> 2" \
	"$MCP_FETCH" --config "$T/nope.yaml" acme/hello@1.0.0
printf 'registry:\n  urll: x\n' >"$T/bad.yaml"
expect_fail 2 'bad\.yaml:.*urll' "unknown config key -> 2" \
	"$MCP_FETCH" --config "$T/bad.yaml" acme/hello@1.0.0
rm -f "$XDG_CONFIG_HOME/mcp/config.yaml"

# A cache directory others can write to is refused.
mkdir -p "$T/shared"
chmod 777 "$T/shared"
expect_fail 1 'cache directory .*writable by group or others' \
	"world-writable cache directory -> 1" \
	"$MCP_FETCH" --registry "$REG" --cache-dir "$T/shared" acme/hello@1.0.0
check "nothing written into the refused cache" test -z "$(ls -A "$T/shared")"
run sh -c '"$0" --registry "$1" --cache-dir "$2" acme/hello@1.0.0 >&-' "$MCP_FETCH" "$REG" "$CACHE"
check "closed stdout becomes /dev/null, not a cache file (exit $rc)" test "$rc" -eq 0
expect_fail 1 'write to stdout failed' "stdout full -> 1" \
	sh -c '"$0" --registry "$1" --cache-dir "$2" acme/hello@1.0.0 >/dev/full' "$MCP_FETCH" "$REG" "$CACHE"

done_testing

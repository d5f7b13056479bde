# verify-lib.sh: fixtures for the mcp-verify tests (sourced after lib.sh).
#
# Every archive and manifest is built inside $T by the test itself; hostile
# archives come from verify-mktar.py, which writes entries no ordinary tar
# would.  $T/sentinel is an empty directory that hostile entries aim at.

PY=${PYTHON3:-python3}
[ "$PY" = no ] && PY=python3
MKTAR="$PY $top_srcdir/tests/e2e/verify-mktar.py"
CACHE=$T/cache
TREES=$CACHE/trees/sha256
mkdir -p "$T/sentinel"
# The tree being extracted is $T/cache/trees/sha256/.tmp-XXXXXX: this
# relative path from its root reaches $T/sentinel.
ESC=../../../../sentinel

sha_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
size_of() { wc -c <"$1" | tr -d ' '; }
hex_of() { sha256sum "$1" | cut -d' ' -f1; }

# client_manifest OUT BUNDLE [COMMAND [JQ-FILTER]]: a client manifest bound
# to BUNDLE, entrypoint COMMAND for linux on this machine's arch.
client_manifest() {
	case $(uname -m) in aarch64 | arm64) _arch=arm64 ;; *) _arch=amd64 ;; esac
	jq -nc --arg d "$(sha_of "$2")" --argjson s "$(size_of "$2")" \
		--arg c "${3:-bin/server}" --arg a "$_arch" '
	{schema_version: "1",
	 package: {id: "acme/hello", version: "1.0.0"},
	 bundle: {digest: $d, size_bytes: $s},
	 transport: {type: "stdio"},
	 entrypoints: [{os: "linux", arch: $a, command: $c, args: ["--x"]}]}
	| '"${4:-.}" >"$1"
}

# hub_manifest OUT [COMMAND-JSON-ARRAY [JQ-FILTER]]: a hub manifest (no
# bundle digest of its own).
hub_manifest() {
	case $(uname -m) in aarch64 | arm64) _arch=arm64 ;; *) _arch=amd64 ;; esac
	jq -nc --argjson c "${2:-[\"bin/server\"]}" --arg a "$_arch" '
	{schema_version: "1.0",
	 package: {id: "acme/hub", version: "2.0.0"},
	 runtime: {type: "binary", platform: {os: "linux", arch: $a}},
	 entrypoint: {command: $c}}
	| '"${3:-.}" >"$1"
}

# fetch_doc OUT MANIFEST BUNDLE [JQ-FILTER]: an mcp.fetch/v1 document as
# mcp-fetch would write it for these files.
fetch_doc() {
	jq -nc --arg md "$(sha_of "$2")" --argjson ms "$(size_of "$2")" \
		--arg mp "$2" --arg bd "$(sha_of "$3")" \
		--argjson bs "$(size_of "$3")" --arg bp "$3" \
		--arg pkg "$(jq -r .package.id "$2")" \
		--arg ver "$(jq -r .package.version "$2")" '
	{kind: "mcp.fetch/v1", ref: ($pkg + "@" + $ver), package: $pkg,
	 version: $ver, git_sha: null, status: "published",
	 certification_level: 1, origin: "community",
	 registry: "file:///nowhere",
	 manifest: {digest: $md, size_bytes: $ms, path: $mp},
	 bundle: {digest: $bd, size_bytes: $bs, path: $bp},
	 cache_hit: false, fetched_at: "2026-11-23T06:08:51.123Z"}
	| '"${4:-.}" >"$1"
}

# verify_bundle BUNDLE [OPTIONS...]: standalone mode with a hub manifest,
# the bundle bound by --bundle-digest (a command for run/expect_*).
verify_bundle() {
	_b=$1
	shift
	[ -f "$T/hub.json" ] || hub_manifest "$T/hub.json"
	"$MCP_VERIFY" --cache-dir "$CACHE" --manifest "$T/hub.json" \
		--bundle "$_b" --bundle-digest "$(sha_of "$_b")" "$@"
}

# clean DESC BUNDLE: after a refusal, nothing is left: no temporary
# directory or index, no tree for BUNDLE, nothing in the sentinel.
clean() {
	_left=$(find "$CACHE" -name '.tmp-*' 2>/dev/null | head -1)
	if [ -n "$_left" ]; then
		not_ok "$1: nothing left (found $_left)"
	elif [ -e "$TREES/$(hex_of "$2")" ] || [ -e "$TREES/$(hex_of "$2").tree" ]; then
		not_ok "$1: nothing left (a tree exists)"
	elif [ -n "$(ls -A "$T/sentinel")" ] || [ -e "$T/escaped" ] ||
		[ -e "$CACHE/trees/escaped" ] || [ -e "$TREES/escaped" ]; then
		not_ok "$1: nothing written outside the tree"
	else
		ok "$1: nothing left behind"
	fi
}

# refuse PATTERN DESC SPEC...: build an archive from SPEC, expect exit 4
# with PATTERN, and nothing left behind.
refuse() {
	_p=$1 _d=$2
	shift 2
	$MKTAR "$T/evil.tgz" x:bin/server:hi "$@" || { not_ok "$_d: mktar"; return; }
	expect_fail 4 "$_p" "$_d" verify_bundle "$T/evil.tgz"
	clean "$_d" "$T/evil.tgz"
}

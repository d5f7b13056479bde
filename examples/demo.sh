#!/bin/sh
# demo.sh BUILDDIR: the main job, end to end, on the example registry.
#
# Runs an example MCP server from BUILDDIR/examples/registry through every
# stage with the binaries built in BUILDDIR, in a scratch cache and state
# directory, and shows what each stage decided:
#
#   mcp-fetch REF | mcp-verify | mcp-policy  ->  mcp-exec SPEC
#   (driven by mcp-client.py: initialize, tools/list, tools/call echo)
#   then mcp-audit append, show and verify;
#   then the same package in one line with mcp-run.
#
# Exits non-zero as soon as anything fails.  Environment:
#   MCP_DEMO_REF    the package to run (default examples/echo-python@latest)
#   MCP_DEMO_KEEP   1: keep the scratch directory and print its path
#   PYTHON3, JQ     the interpreters to use (default: python3 and jq on PATH)
# `make demo` runs it.  POSIX sh.

set -u
prog=demo.sh

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "Usage: $prog BUILDDIR" >&2
	exit 2
fi
builddir=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd) || exit 2
ref=${MCP_DEMO_REF:-examples/echo-python@latest}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

# The binaries of this build, never whatever is on PATH.
fetch=$builddir/mcp-fetch/mcp-fetch
verify=$builddir/mcp-verify/mcp-verify
policy=$builddir/mcp-policy/mcp-policy
exec_=$builddir/mcp-exec/mcp-exec
audit=$builddir/mcp-audit/mcp-audit
run=$builddir/mcp-run/mcp-run
registry=$builddir/examples/registry
client=$here/mcp-client.py
for f in "$fetch" "$verify" "$policy" "$exec_" "$audit" "$run"; do
	[ -x "$f" ] || die "$f: not built (run make first)"
done
[ -d "$registry/packages" ] || die "$registry: no example registry (run make first)"

python3=${PYTHON3:-$(command -v python3)} || die "python3 is needed for the MCP client"
[ -x "$python3" ] || die "python3 is needed for the MCP client"
jq=${JQ:-$(command -v jq)} || die "jq is needed to show the documents"
[ -x "$jq" ] || die "jq is needed to show the documents"

# A scratch home: cache, configuration and audit log of this run only.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mcp-demo.XXXXXX") || die "mktemp failed"
if [ "${MCP_DEMO_KEEP:-0}" = 1 ]; then
	trap 'echo; echo "scratch directory kept: $scratch"' EXIT
else
	trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM
chmod 755 "$scratch"
HOME=$scratch/home
XDG_CACHE_HOME=$HOME/.cache
XDG_CONFIG_HOME=$HOME/.config
XDG_STATE_HOME=$HOME/.local/state
export HOME XDG_CACHE_HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset MCP_REGISTRY MCP_CACHE_DIR MCP_REGISTRY_TOKEN MCP_AUDIT_LOG
mkdir -p "$HOME"
docs=$scratch/docs
mkdir -p "$docs"
log=$scratch/audit.log
# The cache.  Started by root, mcp-exec runs the server as uid 65534
# (mcp-exec(1)), which must reach the extracted tree: mcp-fetch and
# mcp-verify make the cache and its trees/ traversable (0711); the blobs
# stay private (0700).
cache=$scratch/cache

if [ -t 1 ]; then
	bold=$(printf '\033[1m') dim=$(printf '\033[2m') off=$(printf '\033[0m')
else
	bold='' dim='' off=''
fi

# step TITLE: a heading.
step() {
	printf '\n%s==> %s%s\n' "$bold" "$*" "$off"
}

# show CMD...: print a command line as it would be typed.
show() {
	printf '%s$' "$dim"
	for _a; do
		case $_a in
		*[!A-Za-z0-9_./:@=+-]*|'') printf " '%s'" "$_a" ;;
		*) printf ' %s' "$_a" ;;
		esac
	done
	printf '%s\n' "$off"
}

# stage OUT CMD...: run a stage, its document into OUT; stop on failure.
stage() {
	_out=$1
	shift
	show "$@"
	"$@" </dev/null >"$_out"
	_rc=$?
	[ "$_rc" -eq 0 ] || die "$(basename "$1") failed with status $_rc"
}

# summary FILE FILTER: a jq view of a document.
summary() {
	"$jq" "$2" "$1" || die "jq could not read $1"
}

printf '%smcp-tools demo%s: %s from %s\n' "$bold" "$off" "$ref" "$registry"

step "Which isolation layers this kernel offers (mcp-exec --probe)"
show "$exec_" --probe
"$exec_" --probe </dev/null || echo "(mcp-exec --probe failed; continuing)"

step "1. Resolve and download into the content-addressed cache (mcp-fetch)"
stage "$docs/fetch.json" "$fetch" --cache-dir "$cache" --registry "$registry" "$ref"
summary "$docs/fetch.json" '{kind, ref, package, version, git_sha, status,
	certification_level, origin,
	manifest: .manifest.digest, bundle: .bundle.digest,
	bundle_size: .bundle.size_bytes, cache_hit}'

step "2. Check digests, validate the manifest, extract safely (mcp-verify)"
stage "$docs/verified.json" "$verify" --cache-dir "$cache" "$docs/fetch.json"
summary "$docs/verified.json" '{kind, format: .manifest.format, tree,
	transport: .server.transport.type,
	argv: .server.entrypoint.argv,
	permissions: .server.permissions,
	limits_requested: .server.limits}'

step "3. Compile the policy into a sandbox spec (mcp-policy)"
show "$policy" --explain "$docs/verified.json"
"$policy" --explain "$docs/verified.json" </dev/null ||
	die "mcp-policy --explain failed"
echo
stage "$docs/spec.json" "$policy" "$docs/verified.json"
summary "$docs/spec.json" '{kind, argv: .process.argv, cwd: .process.cwd,
	env: .process.env, network, subprocess, limits, warnings}'

echo
echo "The same package under a stricter organisation policy:"
printf '%s\n' 'policy:' '  certification:' '    minimum: 3' '    mode: strict' \
	>"$scratch/strict.yaml"
sed 's/^/    /' "$scratch/strict.yaml"
show "$policy" --config "$scratch/strict.yaml" "$docs/verified.json"
"$policy" --config "$scratch/strict.yaml" "$docs/verified.json" \
	</dev/null >"$docs/denied.json"
rc=$?
[ "$rc" -eq 3 ] || die "mcp-policy under the strict policy: status $rc, expected 3"
echo "(status 3: denied)"
summary "$docs/denied.json" '{kind, reasons}'

step "4. Run the server under the spec, driven by an MCP client (mcp-exec)"
show "$client" -v -- "$exec_" --records "$docs/records.jsonl" "$docs/spec.json"
"$python3" "$client" -v -- "$exec_" --records "$docs/records.jsonl" \
	"$docs/spec.json" >"$docs/replies.jsonl" ||
	die "the MCP session failed"
echo
echo "The replies, as the client received them:"
"$jq" -c 'if .result.serverInfo then
		{initialize: {protocolVersion: .result.protocolVersion,
		              serverInfo: .result.serverInfo}}
	elif .result.tools then
		{"tools/list": [.result.tools[] | {name, description}]}
	elif .result.content then
		{"tools/call": .result}
	else . end' "$docs/replies.jsonl" || die "jq could not read the replies"
echo
echo "The execution records (mcp.exec/v1):"
summary "$docs/records.jsonl" '{event, pid, outcome, exit_code, duration_ms,
	peak_memory_bytes, layers} | with_entries(select(.value != null))'

step "5. Append everything to a tamper-evident audit log (mcp-audit)"
show cat fetch.json verified.json spec.json records.jsonl '|' "$audit" append --log "$log" -
cat "$docs/fetch.json" "$docs/verified.json" "$docs/spec.json" \
	"$docs/records.jsonl" | "$audit" append --log "$log" - >/dev/null ||
	die "mcp-audit append failed"
show "$audit" show --log "$log"
"$audit" show --log "$log" </dev/null || die "mcp-audit show failed"
show "$audit" verify --log "$log"
"$audit" verify --log "$log" </dev/null || die "mcp-audit verify failed"

step "6. The same in one line, as an MCP client configuration would run it (mcp-run)"
# mcp-run runs the installed stages unless told otherwise: here, this build's.
MCP_FETCH=$fetch MCP_VERIFY=$verify MCP_POLICY=$policy MCP_EXEC=$exec_ MCP_AUDIT=$audit
export MCP_FETCH MCP_VERIFY MCP_POLICY MCP_EXEC MCP_AUDIT
show "$client" -- "$run" --registry "$registry" --cache-dir "$cache" \
	--audit-log "$log" examples/echo-c@1.0.0
"$python3" "$client" --expect-name echo-c -- "$run" --registry "$registry" \
	--cache-dir "$cache" --audit-log "$log" examples/echo-c@1.0.0 \
	>"$docs/run-replies.jsonl" ||
	die "the MCP session through mcp-run failed"
"$jq" -c 'select(.result.content) | {"tools/call": .result.content[0].text}' \
	"$docs/run-replies.jsonl" || die "jq could not read the replies"
show "$audit" show --log "$log"
"$audit" show --log "$log" </dev/null || die "mcp-audit show failed"
show "$audit" verify --log "$log"
"$audit" verify --log "$log" </dev/null || die "mcp-audit verify failed"

printf '\n%sdemo: every stage succeeded%s\n' "$bold" "$off"

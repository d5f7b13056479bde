# exec-lib.sh: helpers for the mcp-exec tests (sourced after lib.sh).

: "${MCP_EXEC:?}" "${MCP_TEST_BIN:?}"
# The checks below run in sh -c and read $T.
export T

# mkspec FILE ARGV-JSON [JQ-FILTER]: a valid spec running ARGV in $T, with
# small limits, edited by JQ-FILTER.
mkspec() {
	_f=$1 _argv=$2
	jq -n --argjson argv "$_argv" --arg cwd "$T" '
	  {kind: "mcp.spec/v1", ref: "test/server@1.0.0",
	   package: "test/server", version: "1.0.0",
	   manifest_digest: "sha256:\("0" * 64)",
	   bundle_digest: "sha256:\("1" * 64)",
	   process: {argv: $argv, cwd: $cwd,
	             env: {PATH: "/usr/bin:/bin", LANG: "C.UTF-8"},
	             umask: "0077"},
	   limits: {cpu_millicores: 1000, memory_bytes: 268435456, pids: 64,
	            fds: 256, timeout_ms: 30000}}' |
	jq -c "${3:-.}" >"$_f"
}

# An outer bound for every mcp-exec run: a confinement bug must fail a
# test, not hang it.  KILL, and --preserve-status, so that it never looks
# like mcp-exec's own 124.
OUTER_TIMEOUT=${OUTER_TIMEOUT:-120}
exec_cmd() {
	timeout --preserve-status -s KILL "$OUTER_TIMEOUT" "$@"
}

# rec_check FILTER DESC: jq FILTER holds on the records in $T/rec, read as
# one array ("start" is .[0], "end" is .[1]).
rec_check() {
	if jq -e -s "$1" "$T/rec" >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2 (jq -s: $1)"
		sed 's/^/#   /' "$T/rec" 2>/dev/null | head -c 3000
		show_output
	fi
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# Is PID alive (and not a zombie)?
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# lib.sh: TAP helpers for the end-to-end tests (sourced, POSIX sh).
#
# Each test runs in its own scratch directory $T with HOME and the XDG
# directories inside it, so no test reads or writes the caller's files.
# Every assertion prints one TAP line; done_testing prints the plan and sets
# the exit status.  A stage that exits above 128 crashed: that is never an
# expected failure (git's test_must_fail rule).

set -u
: "${top_builddir:?run the tests through make check}"

test_count=0
test_failed=0
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/mcp-$TEST_NAME.XXXXXX") || exit 99
chmod 755 "$T"
_cleanup() {
	[ -n "${T:-}" ] || return 0
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 99' INT TERM HUP

HOME=$T/home
XDG_CACHE_HOME=$HOME/.cache
XDG_CONFIG_HOME=$HOME/.config
XDG_STATE_HOME=$HOME/.local/state
export HOME XDG_CACHE_HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset MCP_REGISTRY MCP_CACHE_DIR MCP_REGISTRY_TOKEN MCP_AUDIT_LOG XDG_RUNTIME_DIR
LC_ALL=C.UTF-8
export LC_ALL
mkdir -p "$HOME"
cd "$T" || exit 99

# The example registry made by the build.
REGISTRY=$MCP_EXAMPLES/registry

ok() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $*"
}

not_ok() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $*"
}

# skip REASON: a test that cannot run here; MCP_TEST_STRICT=1 makes it fail
# (use skip_strict for features known to exist on the CI machine).
skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # SKIP $*"
}

skip_strict() {
	if [ "${MCP_TEST_STRICT:-0}" = 1 ]; then
		not_ok "$* (MCP_TEST_STRICT=1 forbids this skip)"
	else
		skip "$@"
	fi
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# Show the last command's output as TAP comments.
show_output() {
	[ -s "$T/out" ] && { echo "# stdout:"; head -c 2000 "$T/out" | sed 's/^/#   /'; echo; }
	[ -s "$T/err" ] && { echo "# stderr:"; head -c 2000 "$T/err" | sed 's/^/#   /'; }
	return 0
}

# run CMD...: run with stdin from /dev/null (or $RUN_STDIN), stdout in
# $T/out, stderr in $T/err, exit status in $rc.
run() {
	"$@" <"${RUN_STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
	rc=$?
}

# check DESC CONDITION...: one assertion on a shell condition.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; show_output; fi
}

# expect_ok DESC CMD...: exit 0 and nothing that looks like an error.
expect_ok() {
	_d=$1
	shift
	run "$@"
	if [ "$rc" -eq 0 ]; then
		ok "$_d"
	else
		not_ok "$_d (exit $rc, expected 0)"
		show_output
	fi
}

# expect_fail CODE PATTERN DESC CMD...: exit CODE, stderr exactly one line
# matching the extended regex PATTERN, stdout empty or one JSON document.
expect_fail() {
	_code=$1 _pat=$2 _d=$3
	shift 3
	run "$@"
	_why=
	if [ "$rc" -gt 128 ] && [ "$_code" -le 128 ]; then
		_why="crashed with status $rc"
	elif [ "$rc" -ne "$_code" ]; then
		_why="exit $rc, expected $_code"
	elif ! grep -Eq -- "$_pat" "$T/err"; then
		_why="stderr does not match /$_pat/"
	elif [ "$(grep -vc '^.*warning:' "$T/err")" -ne 1 ]; then
		_why="stderr is not one error line"
	elif [ -s "$T/out" ] && ! jq -e . "$T/out" >/dev/null 2>&1; then
		_why="stdout is neither empty nor a JSON document"
	fi
	if [ -z "$_why" ]; then ok "$_d"; else not_ok "$_d ($_why)"; show_output; fi
}

# out_kind KIND DESC: stdout is exactly one JSON document of KIND.
out_kind() {
	if [ "$(wc -l <"$T/out")" -eq 1 ] &&
	   jq -e --arg k "$1" '.kind == $k' "$T/out" >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2 (stdout is not one $1 document)"
		show_output
	fi
}

# jq_true FILE JQ-ARGS...: FILE holds at least one JSON document and
# jq -e JQ-ARGS holds on it.  (jq 1.6 -e exits 0 on empty input: no output
# at all must never pass a check.)
jq_true() {
	_jt=$1
	shift
	jq -e -s 'length > 0' "$_jt" >/dev/null 2>&1 &&
		jq -e "$@" "$_jt" >/dev/null 2>&1
}

# jq_check FILTER DESC [FILE]: jq -e FILTER holds on FILE ($T/out).
jq_check() {
	if jq_true "${3:-$T/out}" "$1"; then
		ok "$2"
	else
		not_ok "$2 (jq: $1)"
		show_output
	fi
}

done_testing() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

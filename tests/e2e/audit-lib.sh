# audit-lib.sh: helpers for the mcp-audit tests (sourced after lib.sh).

A=$MCP_AUDIT
LOG=$T/audit.log

# recs N [KIND]: N small one-line records on stdout.
recs() {
	_i=1
	while [ "$_i" -le "$1" ]; do
		printf '{"kind":"%s","event":"start","package":"org/pkg","version":"1.0.0","n":%d}\n' \
			"${2:-mcp.exec/v1}" "$_i"
		_i=$((_i + 1))
	done
}

# expect_tamper PATTERN DESC CMD...: exit 4, nothing on stdout, a report
# on stderr matching PATTERN, and the summary as the last line.
expect_tamper() {
	_pat=$1 _d=$2
	shift 2
	run "$@"
	_why=
	if [ "$rc" -ne 4 ]; then
		_why="exit $rc, expected 4"
	elif [ -s "$T/out" ]; then
		_why="stdout not empty"
	elif ! grep -Eq -- "$_pat" "$T/err"; then
		_why="stderr does not match /$_pat/"
	elif ! tail -n 1 "$T/err" | grep -Eq '^mcp-audit: .*: does not verify: [0-9]+ problem'; then
		_why="no summary line"
	fi
	if [ -z "$_why" ]; then ok "$_d"; else not_ok "$_d ($_why)"; show_output; fi
}

# rehash LINE-NUMBER FILE: recompute that line's hash with jq + sha256sum.
rehash() {
	printf 'sha256:%s' "$(sed -n "$1p" "$2" | jq -jcS 'del(.hash)' | sha256sum | cut -d' ' -f1)"
}

# jqs FILTER DESC FILE: jq -e on FILE's lines slurped into one array.
jqs() {
	if jq -e -s "$1" "$3" >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2 (jq -s: $1)"
		show_output
	fi
}
